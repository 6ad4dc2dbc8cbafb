from django import template
from django.utils.datastructures import DeferredSubDict
from django.utils.html import format_html
from django.utils.translation import gettext as _

from opportunities.models import FieldType, PhaseKind
from opportunities.selectors import opportunity_is_stale
from opportunities.table import GROUPS

register = template.Library()


class PartialByNameNode(template.Node):
    def __init__(self, name, partials):
        self.name = name
        self.partials = partials

    def render(self, context):
        name = self.name.resolve(context)
        try:
            partial = self.partials[name]
        except KeyError:
            raise template.TemplateSyntaxError(f"Partial {name!r} is not defined in the current template.") from None
        # The partial's nodes in the current render, not partial.render(): a table cell
        # holds no {% cycle %} or {% ifchanged %} that needs a render state of its own,
        # and setting one up for each of up to 1,600 cells cost more than the cells.
        return partial.nodelist.render(context)


@register.tag
def partial_by_name(parser, token):
    """``{% partial_by_name column.cell %}``: the partial of this template named by a variable.

    Django's ``{% partial %}`` takes a fixed name; a table cell's partial depends on the
    column. One lookup instead of an if/elif chain over every kind of column per cell.
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument: the partial's name.")
    return PartialByNameNode(parser.compile_filter(bits[1]), DeferredSubDict(parser.extra_data, "partials"))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def group_key(opportunity, group):
    return getattr(opportunity, GROUPS[group][1]) if group in GROUPS else ""


@register.simple_tag
def custom_value(opportunity, custom_field):
    """Render a custom field's stored value by its type (escaped; URLs as safe links)."""
    value = opportunity.custom_values.get(custom_field.key)
    if value is None or value == "" or value == []:
        return ""
    match custom_field.field_type:
        case FieldType.BOOLEAN:
            return _("Yes") if value else _("No")
        case FieldType.MULTI_CHOICE:
            return ", ".join(value)
        case FieldType.URL:
            # Only web addresses become links: a value stored while the field was plain
            # text (an admin may change the type later) could be "javascript:…".
            if not str(value).lower().startswith(("http://", "https://")):
                return str(value)
            return format_html('<a href="{}" rel="noopener noreferrer nofollow" target="_blank">{}</a>', value, value)
    return str(value)


@register.filter
def is_stale(opportunity) -> bool:
    """Open and quiet for too long (opportunities.selectors); the phase comes from the configuration."""
    return opportunity_is_stale(opportunity, is_open=opportunity.phase.kind == PhaseKind.OPEN)


@register.filter
def may_change(opportunity, rights) -> bool:
    """Whether the user may change this opportunity (its phase and status in a table row).

    ``rights`` is table.RowRights, read once per page: asking the permission backends
    for every row cost more than the row's cells.
    """
    return rights.may_change(opportunity)
