"""Tags for the opportunity detail page, where the same small pieces repeat per task and member."""

from django import template
from django.contrib.humanize.templatetags.humanize import naturalday, naturaltime
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from crm.formats import day_format
from crm.legacy_markup import csrf_input, escape_text, icon_markup, user_chip

register = template.Library()


@register.simple_tag
def icon(name: str, css_class: str = ""):
    """components/icon.html, rendered once per name and class (an include per row costs more than the row)."""
    return mark_safe(icon_markup(name, css_class))  # noqa: S308 (our own template, no user input)


# Repeating regions, built in Python: 30 tasks or 20 members through the template
# language cost 10 ms or more each (a lookup, filter and translation per attribute);
# here one gettext per label per render and one escape per value.


def _csrf_input(context) -> str:
    return csrf_input(context["request"])


def _e(value) -> str:
    return escape_text(value) if value is not None else ""


@register.simple_tag(takes_context=True)
def task_items(context, tasks):
    """The <li> of each task (context: can_change, today, request)."""
    can_change, today = context.get("can_change"), context["today"]
    csrf = _csrf_input(context) if can_change else ""
    reopen_label, complete_label = gettext("Reopen “%(title)s”"), gettext("Complete “%(title)s”")
    reopen, mark_done = _e(gettext("Reopen")), _e(gettext("Mark as done"))
    done_on, overdue = gettext("done %(date)s"), _e(gettext("overdue"))
    delete_question, delete_label, delete = (
        gettext("Delete the task “%(title)s”?"),
        gettext("Delete “%(title)s”"),
        _e(gettext("Delete")),
    )
    trash = icon_markup("trash", "icon-sm")
    out = []
    for task in tasks:
        title = {"title": task.title}
        done = task.done_at is not None
        check = "✓" if done else ""
        if can_change:
            url = _e(task.check_url)
            label = _e((reopen_label if done else complete_label) % title)
            check_html = (
                f'<form method="post" action="{url}" hx-post="{url}" hx-target="#tasks" hx-swap="outerHTML">{csrf}'
                f'<button class="task-check" type="submit" aria-label="{label}" '
                f'title="{reopen if done else mark_done}">{check}</button></form>'
            )
        else:
            check_html = f'<span class="task-check is-static" aria-hidden="true">{check}</span>'
        meta = user_chip(task.assignee) if task.assignee else ""
        if done:
            done_at = timezone.localtime(task.done_at)
            done_day = date_format(done_at, day_format(done_at, today))
            meta += f"<span>{_e(done_on % {'date': done_day})}</span>"
        elif task.due_date:
            due = task.due_date
            css = "is-overdue" if due < today else "is-due" if due == today else ""
            meta += (
                f'<time datetime="{due.isoformat()}" class="{css}">'
                f"{overdue + ' · ' if due < today else ''}{_e(naturalday(due, day_format(due, today)))}</time>"
            )
        delete_html = ""
        if can_change:
            url = _e(task.delete_url)
            delete_html = (
                f'<form method="post" action="{url}" hx-post="{url}" hx-target="#tasks" hx-swap="outerHTML" '
                f'hx-confirm="{_e(delete_question % title)}">{csrf}'
                f'<button class="btn btn-ghost btn-sm btn-icon is-danger task-delete" type="submit" title="{delete}" '
                f'aria-label="{_e(delete_label % title)}">{trash}</button></form>'
            )
        out.append(
            f'<li class="task{" is-done" if done else ""}" id="task-{task.pk}">{check_html}'
            f'<div class="task-body"><div class="task-title">{_e(task.title)}</div>'
            f'<div class="task-meta">{meta}</div></div>{delete_html}</li>\n'
        )
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)


@register.simple_tag(takes_context=True)
def member_cards(context, members):
    """The <article> of each member (context: can_change, can_change_members, request)."""
    can_change, can_change_members = context.get("can_change"), context.get("can_change_members")
    csrf = _csrf_input(context) if can_change else ""
    primary, contact_person = _e(gettext("Primary contact")), _e(gettext("Contact person"))
    make_primary, not_contact = _e(gettext("Make primary")), _e(gettext("Not a contact"))
    edit, edit_label = _e(gettext("Edit")), gettext("Edit %(name)s")
    influence_label, attitude_label, personality_label = (
        gettext("Influence level"),
        gettext("Attitude"),
        gettext("Personality"),
    )
    influence = _e(gettext("Influence"))
    mail, phone, pin, pencil = (
        icon_markup("mail", "icon-sm"),
        icon_markup("phone", "icon-sm"),
        icon_markup("pin", "icon-sm"),
        icon_markup("pencil", ""),
    )
    out = []
    for member in members:
        name = member.full_name
        css = "member"
        if member.contact is not None:
            css += " is-contact"
        if member.contact:
            css += " is-primary"
        initials = (member.first_name[:1] + member.last_name[:1]).upper()
        parts = [
            f'<article class="{css}" id="member-{member.pk}">'
            f'<span class="avatar avatar-lg" data-tone="{_e(member.last_name[:1].lower())}" aria-hidden="true">'
            f"{_e(initials)}</span><div>"
            f'<div class="member-name">{_e(name)}</div>'
        ]
        if member.contact:
            parts.append(f'<span class="badge badge-accent contact-badge">★ {primary}</span>')
        elif member.contact is not None:
            parts.append(f'<span class="badge badge-blue contact-badge">{contact_person}</span>')
        if member.job_title or member.department:
            between = " · " if member.job_title and member.department else ""
            parts.append(f'<div class="member-role">{_e(member.job_title)}{between}{_e(member.department)}</div>')
        address = member.address_lines
        if member.email or member.phone or address:
            parts.append('<ul class="member-contact">')
            if member.email:
                parts.append(f'<li>{mail}<a href="mailto:{_e(member.email)}">{_e(member.email)}</a></li>')
            if member.phone:
                tel = member.phone.replace(" ", "").replace("/", "")
                parts.append(f'<li>{phone}<a href="tel:{_e(tel)}">{_e(member.phone)}</a></li>')
            if address:
                parts.append(f"<li>{pin}<span>{_e(', '.join(address))}</span></li>")
            parts.append("</ul>")
        if member.influence_level or member.attitude or member.personality:
            parts.append('<div class="member-badges">')
            if member.influence_level:
                shown = member.get_influence_level_display()
                parts.append(
                    f'<span class="badge" data-influence="{_e(member.influence_level)}" '
                    f'title="{_e(influence_label)}: {_e(shown)}. {_e(member.influence_help)}">'
                    f"{influence}: {_e(shown)}</span>"
                )
            if member.attitude:
                shown = member.get_attitude_display()
                parts.append(
                    f'<span class="badge badge-dot" data-attitude="{_e(member.attitude)}" '
                    f'title="{_e(attitude_label)}: {_e(shown)}. {_e(member.attitude_help)}">{_e(shown)}</span>'
                )
            if member.personality:
                shown = member.get_personality_display()
                parts.append(
                    f'<span class="badge" data-personality="{_e(member.personality)}" '
                    f'data-letter="{_e(member.personality[:1].upper())}" '
                    f'title="{_e(personality_label)}: {_e(shown)}. {_e(member.personality_help)}">{_e(shown)}</span>'
                )
            parts.append("</div>")
        if can_change:
            url = _e(member.contact_url)
            parts.append(
                f'<form class="contact-actions" method="post" action="{url}" hx-post="{url}" hx-target="#members" '
                f'hx-swap="outerHTML">{csrf}'
            )
            if member.contact is None:
                parts.append(
                    f'<button class="btn-link" type="submit" name="contact" value="1">+ {contact_person}</button>'
                )
            else:
                if not member.contact:
                    parts.append(
                        f'<button class="btn-link" type="submit" name="primary" value="1">☆ {make_primary}</button>'
                    )
                parts.append(
                    f'<button class="btn-link is-muted" type="submit" name="contact" value="0">{not_contact}</button>'
                )
            parts.append("</form>")
        parts.append("</div>")
        if can_change_members:
            url = _e(member.edit_url)
            parts.append(
                f'<div class="member-actions"><a class="btn btn-ghost btn-sm btn-icon" href="{url}" hx-get="{url}" '
                f'hx-target="#member-{member.pk}" hx-swap="outerHTML" title="{edit}" '
                f'aria-label="{_e(edit_label % {"name": name})}">{pencil}</a></div>'
            )
        parts.append("</article>\n")
        out.append("".join(parts))
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)


@register.simple_tag
def timeline_items(entries):
    """The <li> of each history entry."""
    someone = _e(gettext("Someone"))
    out = []
    for entry in entries:
        at = timezone.localtime(entry.at)
        who = f"<strong>{_e(entry.user.name)}</strong>" if entry.user else f"<strong>{someone}</strong>"
        parts = [
            f'<li class="timeline-entry is-{_e(entry.kind)}"><span class="timeline-dot" aria-hidden="true"></span>'
            f'<div class="timeline-body"><p class="timeline-text">{who} {conditional_escape(entry.text)} '
            f'<time class="timeline-time" datetime="{at.isoformat()}" title="{_e(date_format(at, "DATETIME_FORMAT"))}">'
            f"{_e(naturaltime(entry.at))}</time></p>"
        ]
        if entry.changes:
            parts.append('<ul class="timeline-changes">')
            for change in entry.changes:
                old = f"<del>{conditional_escape(change.old)}</del> → " if change.old else ""
                parts.append(
                    f'<li><span class="muted">{conditional_escape(change.label)}</span> {old}'
                    f"<ins>{conditional_escape(change.new)}</ins></li>"
                )
            parts.append("</ul>")
        if entry.note:
            parts.append(f'<p class="timeline-note prose">{conditional_escape(entry.note)}</p>')
        parts.append("</div></li>\n")
        out.append("".join(parts))
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)


def _version_input(version) -> str:
    return f'<input type="hidden" name="version" value="{version}" data-version="{version}">'


@register.simple_tag(takes_context=True)
def phase_steps(context, steps, field_url):
    """The stepper's items: a button per phase one may move to (context: can_change, opportunity, request)."""
    can_change, opportunity = context.get("can_change"), context["opportunity"]
    hidden = _csrf_input(context) + _version_input(opportunity.version) if can_change else ""
    move_to = gettext("Move to %(name)s")
    url = _e(field_url)
    out = []
    for step in steps:
        phase, state = step["phase"], step["state"]
        name = _e(phase.name)
        if can_change and state != "current" and phase.is_active:
            title = _e(move_to % {"name": phase.name})
            inner = (
                f'<form method="post" action="{url}" hx-post="{url}" hx-target="#header" hx-swap="outerHTML">{hidden}'
                f'<input type="hidden" name="value" value="{phase.pk}">'
                f'<button class="step-button" type="submit" title="{title}">{name}</button>'
                "</form>"
            )
        else:
            current = ' aria-current="step"' if state == "current" else ""
            inner = f'<span class="step-button"{current}>{name}</span>'
        out.append(f'<li class="step phase-{phase.pk} is-{_e(state)}">{inner}</li>\n')
    return mark_safe("".join(out))  # noqa: S308 (every value escaped above)


@register.simple_tag(takes_context=True)
def header_select(context, key, form, url):
    """Phase, status or owner in the header: a select that saves on change, or the value for those who may not."""
    opportunity = context["opportunity"]
    editable = context.get("can_reassign") if key == "owner" else context.get("can_change")
    label = _e(form.fields["value"].label)
    if not editable:
        if key == "owner":
            shown = user_chip(opportunity.owner)
        else:
            shown = _e((opportunity.phase if key == "phase" else opportunity.status).name)
        return mark_safe(  # noqa: S308 (escaped)
            f'<div class="control"><span class="control-label">{label}</span>'
            f'<span class="control-static">{shown}</span></div>'
        )
    selected = form.initial.get("value")
    options = "".join(
        f'<option value="{_e(value)}"{" selected" if value == selected else ""}>{_e(text)}</option>'
        for value, text in form.fields["value"].choices
    )
    url, save = _e(url), _e(gettext("Save"))
    return mark_safe(  # noqa: S308 (escaped)
        f'<form class="control" method="post" action="{url}" hx-post="{url}" hx-target="#header" '
        f'hx-swap="outerHTML" hx-trigger="change">{_csrf_input(context)}{_version_input(opportunity.version)}'
        f'<label class="control-label" for="header-{key}">{label}</label>'
        f'<select id="header-{key}" name="value">{options}</select>'
        f'<noscript><button class="btn btn-sm btn-secondary" type="submit">{save}</button></noscript>'
        "</form>"
    )


@register.simple_tag(takes_context=True)
def prop_field(context, f, oob=False):
    """A field of the Deal card as shown (not being edited): label, value, pencil (context: can_change, opportunity)."""
    key = _e(f.key)
    value = '<span class="faint">—</span>' if f.is_empty else conditional_escape(f.display)
    edit = ""
    if context.get("can_change"):
        title = _e(gettext("Edit %(label)s") % {"label": f.label})
        page = _e(context["opportunity"].get_absolute_url())
        edit = (
            f'<a class="prop-edit" href="{page}?edit={key}#field-{key}" hx-get="{_e(f.url)}?edit=1" '
            f'hx-target="#field-{key}" hx-swap="outerHTML" title="{title}" aria-label="{title}">'
            f"{icon_markup('pencil', 'icon-sm')}</a>"
        )
    swap = ' hx-swap-oob="true"' if oob else ""
    return mark_safe(  # noqa: S308 (escaped)
        f'<div class="prop" id="field-{key}"{swap}><div class="prop-label">{_e(f.label)}</div>'
        f'<div class="prop-value">{value}</div>{edit}</div>'
    )
