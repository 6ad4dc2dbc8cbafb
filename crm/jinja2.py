"""The Jinja2 environment: the components and the fragments a page repeats by the hundred.

Django templates render the page shells, forms and the admin. A table row, a board card and
the components inside them (avatar, user chip, icon, mood face, stale badge) are Jinja2
templates in jinja2/: measured with the same markup, a row renders 2-3 times faster there
(bench/README.md, "Template engines"), which is what keeps the table and the board within their
targets with every piece of markup in a template. Django's template tags for the components
(crm/templatetags/components.py) render these same files, so each piece of UI has one source.

Filters and globals are Django's own (date, naturalday, reverse, gettext) and crm.formats',
so a value reads the same in either engine.
"""

from django.contrib.humanize.templatetags.humanize import intcomma, naturalday
from django.template.defaultfilters import date, floatformat, linebreaksbr, time, truncatechars, urlencode, urlize
from django.templatetags.static import static
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext, pgettext
from jinja2 import Environment

from crm import formats


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options) -> Environment:
    env = Environment(**options)  # noqa: S701 (Django's Jinja2 backend passes autoescape=True)
    env.globals.update(url=url, static=static, _=gettext, gettext=gettext, ngettext=ngettext, pgettext=pgettext)
    env.filters.update(
        date=date,
        time=time,
        naturalday=naturalday,
        intcomma=intcomma,
        floatformat=floatformat,
        linebreaksbr=linebreaksbr,
        urlize=urlize,
        urlencode=urlencode,
        truncatechars=truncatechars,
        money=formats.money,
        day=formats.day,
    )
    return env


def render_fragment(template_name: str, values: dict, request=None):
    """A Jinja2 template (jinja2/) rendered for a Django template tag, as safe markup.

    Our own template with autoescaping: its output is markup, every value in it escaped.
    """
    from django.template import engines

    return mark_safe(engines["jinja2"].get_template(template_name).render(values, request))  # noqa: S308
