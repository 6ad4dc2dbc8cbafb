from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from crm import permissions
from documents import selectors as document_selectors
from journal import selectors as journal_selectors
from opportunities import detail, selectors, services
from opportunities.conflicts import conflict_message
from opportunities.forms import (
    LoseForm,
    OpportunityFieldForm,
    OrganizationContactForm,
    TagAddForm,
    WinForm,
)
from opportunities.models import Opportunity
from organizations import services as org_services
from organizations.models import Member


def _opportunity(request, short_name):
    """The opportunity (404 if missing) and the configuration, for a user who may see opportunities."""
    permissions.require(permissions.can_view(request.user))
    config = selectors.configuration_get(user=request.user)
    opportunity = selectors.opportunity_detail(short_name=short_name)
    selectors.attach_configuration([opportunity], config)
    return opportunity, config


def _is_fragment(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted and not request.htmx.history_restore_request


def _render_page(request, opportunity, config, *, status=200, editing=None, action_form=None, **extra):
    """The whole page: every region; ``editing`` opens fields' forms (also used without JavaScript)."""
    context = detail.base_context(request, opportunity, config)
    context.update(detail.header_context(opportunity, config))
    tasks = list(selectors.opportunity_task_list(opportunity=opportunity))
    context.update(
        detail.task_context(opportunity, config, tasks, user=request.user, form=extra.pop("task_form", None))
    )
    # Without JavaScript, "Show more" asks for the page with more history entries.
    count = detail.history_count_param(request.GET.get("history"))
    context.update(detail.history_context(opportunity, config, count=count))
    context.update(
        {
            "members": detail.member_list(opportunity, selectors.opportunity_member_list(opportunity=opportunity)),
            "deal_fields": detail.deal_fields(opportunity, config, editing=editing),
            "description_field": detail.field_view(
                opportunity, "description", config, form=(editing or {}).get("description")
            ),
            "action_form": action_form,
            "neighbours": detail.list_neighbours(request, opportunity, config),
            "new_tag_form": TagAddForm(),
            "organization_form": extra.pop("organization_form", None),
            "journal": journal_selectors.journal_section(
                opportunity=opportunity,
                user=request.user,
                users=config.active_users,
                phase=config.phase(opportunity.phase_id),
                next_url=request.get_full_path(),
            ),
            "document_section": document_selectors.document_section(opportunity=opportunity, user=request.user),
            **extra,
        }
    )
    if editing and "name" in editing:
        context["name_field"] = detail.field_view(opportunity, "name", config, form=editing["name"])
    return render(request, "opportunities/opportunity_detail.html", context, status=status)


@require_GET
def opportunity_detail(request, short_name):
    """Everything about one opportunity; ?edit=<field> or ?action=win|lose open a form (pages without JavaScript)."""
    opportunity, config = _opportunity(request, short_name)
    editing, action_form = None, None
    can_change = permissions.can_change_opportunity(request.user, opportunity)
    key = request.GET.get("edit", "")
    if can_change and key in detail.field_keys(config) and key not in detail.HEADER_FIELDS:
        editing = {key: OpportunityFieldForm(key=key, config=config, opportunity=opportunity)}
    action = request.GET.get("action")
    if can_change and action in ("win", "lose"):
        action_form = (action, (WinForm if action == "win" else LoseForm)(initial={"version": opportunity.version}))
    organization_form = None
    if request.GET.get("edit") == "organization" and permissions.can_change_organization(request.user):
        organization_form = OrganizationContactForm(instance=opportunity.organization)
    return _render_page(
        request, opportunity, config, editing=editing, action_form=action_form, organization_form=organization_form
    )


def _version_oob(response, old_version: int, new_version: int):
    """Bring the forms that showed ``old_version`` up to date: the user's own change is not a conflict.

    Forms that were already stale (after a conflict elsewhere) keep their version and stay stale.
    """
    if old_version != new_version:
        response.content += render_to_string(
            "opportunities/opportunity_detail.html#version-oob",
            {"old_version": old_version, "new_version": new_version},
        ).encode()
    return response


def _header_response(request, opportunity, config, *, status=200, message="", old_version=None, action_form=None):
    """The header (after a phase, status, owner change or win/lose/reopen), with the probability out of band."""
    context = detail.base_context(request, opportunity, config)
    context.update(detail.header_context(opportunity, config))
    context.update({"header_message": message, "header_message_level": "error" if status >= 400 else "success"})
    context["action_form"] = action_form
    context["probability_field"] = detail.field_view(opportunity, "probability", config)
    response = render(request, "opportunities/opportunity_detail.html#header-response", context, status=status)
    if status == 200:
        _version_oob(response, old_version, opportunity.version)
        trigger_client_event(response, "opportunityChanged", {"short_name": opportunity.short_name})
    return response


@require_http_methods(["GET", "POST"])
def opportunity_field(request, short_name, key):
    """One field in place: GET shows it (?edit=1: its form), POST saves it with the version the user saw.

    Stale: 409, the form keeps what was typed and shows the current value and who changed it.
    Invalid: 422 with the message next to the field.
    """
    if request.method == "POST":
        return _field_save(request, short_name, key)
    opportunity, config = _opportunity(request, short_name)
    if key not in detail.field_keys(config):
        raise Http404
    editing = request.GET.get("edit") and key not in detail.HEADER_FIELDS
    if editing:
        permissions.require(permissions.can_change_opportunity(request.user, opportunity))
    if not _is_fragment(request):
        return redirect(opportunity.get_absolute_url() + (f"?edit={key}#field-{key}" if editing else f"#field-{key}"))
    form = OpportunityFieldForm(key=key, config=config, opportunity=opportunity) if editing else None
    return _field_response(request, opportunity, config, key, form=form)


def _field_save(request, short_name, key):
    """An inline edit: the opportunity is read twice, to validate the form and then locked to write it.

    The answer is drawn from the row the service wrote, not read again: a field
    from that row alone, the header (status, phase, owner) with the organization,
    tags and counts of the first read, which the change does not touch.
    """
    permissions.require(permissions.can_view(request.user))
    config = selectors.configuration_get(user=request.user)
    if key not in detail.field_keys(config):
        raise Http404
    header = key in detail.HEADER_FIELDS
    fragment = _is_fragment(request)
    if header or not fragment:
        opportunity = selectors.opportunity_detail(short_name=short_name)
    else:
        # A field's own answer shows nothing beyond the row itself.
        opportunity = get_object_or_404(Opportunity.objects.defer("search_document"), short_name=short_name)
    selectors.attach_configuration([opportunity], config)
    permissions.require(permissions.can_change_opportunity(request.user, opportunity))
    if key == "owner":
        permissions.require(permissions.can_reassign(request.user))
    form = OpportunityFieldForm(request.POST, key=key, config=config, opportunity=opportunity)
    status, message = 200, ""
    old_version = opportunity.version
    if form.is_valid():
        try:
            saved = services.opportunity_field_update(
                opportunity_id=opportunity.pk,
                version=form.cleaned_data["version"],
                data=form.changes(),
                user=request.user,
                custom_fields=config.custom_fields,
            )
        except services.VersionConflict as conflict:
            status = 409
            message = conflict_message(conflict.opportunity, config=config, user=request.user)
        except ValidationError as error:
            status = 422
            field_errors = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            for messages_ in field_errors.values():
                for text in messages_:
                    form.add_error("value", text)
    else:
        status = 400 if "version" in form.errors else 422
    if status == 200:
        if not fragment:
            messages.success(request, _("%(field)s saved.") % {"field": detail.field_label(key, config)})
            return redirect(f"{opportunity.get_absolute_url()}#field-{key}")
        selectors.attach_configuration([saved], config)
        if header:
            saved.organization = opportunity.organization
            saved.tag_ids = opportunity.tag_ids
            saved.organization_opportunity_count = opportunity.organization_opportunity_count
            return _header_response(request, saved, config, old_version=old_version)
        response = _field_response(request, saved, config, key)
        _version_oob(response, old_version, saved.version)
        return trigger_client_event(response, "opportunityChanged", {"short_name": saved.short_name})

    # Refused: show the opportunity as it is now.
    fresh = selectors.opportunity_detail(short_name=short_name)
    selectors.attach_configuration([fresh], config)
    if not fragment:
        if header:
            messages.error(request, message or " ".join(form.errors.get("value", [])) or _("Not saved."))
            return redirect(opportunity.get_absolute_url())
        if status == 409:
            form = _rebased(form, fresh, key, config)
            messages.error(request, message)
        return _render_page(request, fresh, config, status=status, editing={key: form})
    if header:
        text = message or " ".join(form.errors.get("value", [])) or _("Not saved.")
        return _header_response(request, fresh, config, status=status, message=text)
    if status == 409:
        current = detail.field_display(fresh, key, config) or "—"
        return _field_response(
            request,
            fresh,
            config,
            key,
            form=_rebased(form, fresh, key, config),
            message=message,
            current=current,
            status=409,
        )
    return _field_response(request, fresh, config, key, form=form, status=status)


def _rebased(form, fresh, key, config):
    """The user's typed value on top of the current version: saving again overwrites knowingly."""
    data = form.data.copy()
    data["version"] = str(fresh.version)
    return OpportunityFieldForm(data, key=key, config=config, opportunity=fresh)


def _field_response(request, opportunity, config, key, *, form=None, message="", current="", status=200):
    context = detail.base_context(request, opportunity, config)
    context["f"] = detail.field_view(opportunity, key, config, form=form, message=message, current=current)
    if form is not None and form.is_bound and status == 409:
        form.is_valid()  # show the typed value without errors beyond the conflict
        form.errors.clear()
    partial = "name-field" if key == "name" else "description-field" if key == "description" else "field"
    return render(request, f"opportunities/opportunity_detail.html#{partial}", context, status=status)


def _action(request, short_name, form_class, run):
    """Win, lose or reopen: header redrawn; a stale version gets 409 and the current state."""
    opportunity, config = _opportunity(request, short_name)
    permissions.require(permissions.can_change_opportunity(request.user, opportunity))
    form = form_class(request.POST)
    old_version = opportunity.version
    status, message = 200, ""
    if form.is_valid():
        try:
            opportunity = run(opportunity, form.cleaned_data)
        except services.VersionConflict as conflict:
            status, message = 409, conflict_message(conflict.opportunity, config=config, user=request.user)
        except ValidationError as error:
            status = 422
            for text in error.messages:
                form.add_error("lost_reason" if "lost_reason" in form.fields else None, text)
    else:
        status = 400 if "version" in form.errors else 422
    fresh = selectors.opportunity_detail(short_name=short_name)
    selectors.attach_configuration([fresh], config)
    return status, message, form, fresh, config, old_version


def _action_response(request, status, message, form, fresh, config, old_version, *, name, success):
    if not _is_fragment(request):
        if status == 200:
            messages.success(request, success)
            return redirect(fresh)
        if status == 409:
            messages.error(request, message)
            return redirect(fresh)
        return _render_page(request, fresh, config, status=status, action_form=(name, form))
    if status == 422 or status == 400:
        return _header_response(request, fresh, config, status=status, action_form=(name, form))
    if status == 409:
        return _header_response(request, fresh, config, status=409, message=message)
    return _header_response(request, fresh, config, old_version=old_version, message=success)


@require_http_methods(["GET", "POST"])
def opportunity_win(request, short_name):
    """Mark as won, after a confirmation (htmx: hx-confirm; without JavaScript: the page asks first)."""
    if request.method == "GET" or not request.POST.get("confirm"):
        opportunity, _config = _opportunity(request, short_name)
        return redirect(f"{opportunity.get_absolute_url()}?action=win#actions")
    result = _action(
        request,
        short_name,
        WinForm,
        lambda opportunity, data: services.opportunity_win(
            opportunity_id=opportunity.pk, version=data["version"], user=request.user
        ),
    )
    fresh = result[3]
    success = _("%(name)s is won. Status: %(status)s.") % {"name": fresh.short_name, "status": fresh.status.name}
    return _action_response(request, *result, name="win", success=success)


@require_http_methods(["GET", "POST"])
def opportunity_lose(request, short_name):
    """Mark as lost; the reason is required. GET (htmx): the reason form below the header."""
    if request.method == "GET":
        opportunity, config = _opportunity(request, short_name)
        permissions.require(permissions.can_change_opportunity(request.user, opportunity))
        if not _is_fragment(request):
            return redirect(f"{opportunity.get_absolute_url()}?action=lose#actions")
        form = LoseForm(initial={"version": opportunity.version})
        context = {**detail.base_context(request, opportunity, config), "action_form": ("lose", form)}
        return render(request, "opportunities/opportunity_detail.html#action-panel", context)
    result = _action(
        request,
        short_name,
        LoseForm,
        lambda opportunity, data: services.opportunity_lose(
            opportunity_id=opportunity.pk, version=data["version"], reason=data["lost_reason"], user=request.user
        ),
    )
    success = _("%(name)s is marked as lost.") % {"name": result[3].short_name}
    return _action_response(request, *result, name="lose", success=success)


@require_POST
def opportunity_reopen(request, short_name):
    """Open a won or lost opportunity again (phase and status as before it was closed)."""
    result = _action(
        request,
        short_name,
        WinForm,
        lambda opportunity, data: services.opportunity_reopen(
            opportunity_id=opportunity.pk, version=data["version"], user=request.user
        ),
    )
    success = _("%(name)s is open again.") % {"name": result[3].short_name}
    return _action_response(request, *result, name="reopen", success=success)


@require_http_methods(["GET", "POST"])
def opportunity_tags(request, short_name):
    """Add a tag (created when new); GET redraws the tags."""
    opportunity, config = _opportunity(request, short_name)
    form = TagAddForm(request.POST or None)
    status = 200
    if request.method == "POST":
        permissions.require(permissions.can_change_opportunity(request.user, opportunity))
        if form.is_valid():
            try:
                services.opportunity_tag_add(opportunity=opportunity, name=form.cleaned_data["name"], user=request.user)
            except ValidationError as error:
                form.add_error("name", error.messages[0])
        if form.errors:
            status = 422
        else:
            form = TagAddForm()
            config = selectors.configuration_get(user=request.user)
            opportunity = selectors.opportunity_detail(short_name=short_name)
            selectors.attach_configuration([opportunity], config)
    return _tags_response(request, opportunity, config, form, status)


@require_POST
def opportunity_tag_remove(request, short_name, tag_id):
    opportunity, config = _opportunity(request, short_name)
    services.opportunity_tag_remove(opportunity=opportunity, tag_id=tag_id, user=request.user)
    opportunity = selectors.opportunity_detail(short_name=short_name)
    selectors.attach_configuration([opportunity], config)
    return _tags_response(request, opportunity, config, TagAddForm(), 200)


def _tags_response(request, opportunity, config, form, status):
    if not _is_fragment(request):
        if status != 200:
            messages.error(request, " ".join(form.errors.get("name", [])))
        return redirect(f"{opportunity.get_absolute_url()}#tags")
    context = {
        **detail.base_context(request, opportunity, config),
        "tags": detail.tag_list(opportunity, config),
        "new_tag_form": form,
    }
    response = render(request, "opportunities/opportunity_detail.html#tags", context, status=status)
    if status == 200 and request.method == "POST":
        trigger_client_event(response, "tagsChanged", {"short_name": opportunity.short_name})
    return response


@require_http_methods(["GET", "POST"])
def opportunity_organization(request, short_name):
    """The organization's contact details from the opportunity: GET shows them (?edit=1 the form), POST saves.

    The change is to the organization itself, so its other opportunities show it too.
    """
    opportunity, config = _opportunity(request, short_name)
    organization = opportunity.organization
    editing = request.method == "POST" or request.GET.get("edit")
    if editing:
        permissions.require(permissions.can_change_organization(request.user))
    if request.method == "GET" and not _is_fragment(request):
        return redirect(opportunity.get_absolute_url() + ("?edit=organization#organization" if editing else ""))
    form = None
    status = 200
    saved = False
    if request.method == "POST":
        form = OrganizationContactForm(request.POST, instance=organization)
        if form.is_valid():
            try:
                org_services.organization_update(organization=organization, data=form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                saved = True
                form = None
        if form is not None:
            status = 422
            organization.refresh_from_db()
    elif editing:
        form = OrganizationContactForm(instance=organization)
    if not _is_fragment(request):
        if saved:
            messages.success(request, _("%(name)s saved.") % {"name": organization.name})
            return redirect(f"{opportunity.get_absolute_url()}#organization")
        return _render_page(request, opportunity, config, status=status, organization_form=form)
    context = {
        **detail.base_context(request, opportunity, config),
        "organization_form": form,
        "organization_saved": saved,
        "other_opportunity_count": max((opportunity.organization_opportunity_count or 1) - 1, 0),
    }
    response = render(request, "opportunities/opportunity_detail.html#organization", context, status=status)
    if saved:
        trigger_client_event(response, "organizationChanged", {"organization": organization.pk})
    return response


@require_GET
def opportunity_members(request, short_name):
    """The members card (redrawn after a member was added, edited or removed inline)."""
    opportunity, config = _opportunity(request, short_name)
    if not _is_fragment(request):
        return redirect(f"{opportunity.get_absolute_url()}#members")
    return _members_response(request, opportunity, config)


def _members_response(request, opportunity, config, *, status=200, message=""):
    context = {
        **detail.base_context(request, opportunity, config),
        "members": detail.member_list(opportunity, selectors.opportunity_member_list(opportunity=opportunity)),
        "members_message": message,
    }
    return render(request, "opportunities/opportunity_detail.html#members", context, status=status)


@require_POST
def opportunity_contact(request, short_name, member_pk):
    """Mark a member as contact person (contact=1), not (contact=0), or primary (primary=1)."""
    opportunity, config = _opportunity(request, short_name)
    permissions.require(permissions.can_change_opportunity(request.user, opportunity))
    member = get_object_or_404(Member, pk=member_pk, organization_id=opportunity.organization_id)
    if request.POST.get("primary") == "1":
        services.opportunity_contact_primary(opportunity=opportunity, member=member, user=request.user)
        text = _("%(name)s is the primary contact.") % {"name": member.full_name}
    else:
        is_contact = request.POST.get("contact") == "1"
        services.opportunity_contact_set(
            opportunity=opportunity, member=member, is_contact=is_contact, user=request.user
        )
        text = (_("%(name)s is a contact person.") if is_contact else _("%(name)s is no longer a contact person.")) % {
            "name": member.full_name
        }
    if not _is_fragment(request):
        messages.success(request, text)
        return redirect(f"{opportunity.get_absolute_url()}#member-{member.pk}")
    response = _members_response(request, opportunity, config, message=text)
    return trigger_client_event(response, "contactsChanged", {"short_name": opportunity.short_name})


@require_GET
def opportunity_history(request, short_name):
    """The history card with the newest entries (redrawn after changes); ?shown=<n>: the next entries after n."""
    opportunity, config = _opportunity(request, short_name)
    shown = request.GET.get("shown", "")
    shown = min(int(shown), detail.HISTORY_MAX) if shown.isdigit() else 0
    if not _is_fragment(request):
        more = f"?history={shown + detail.HISTORY_PAGE}#history-more" if shown else "#history"
        return redirect(opportunity.get_absolute_url() + more)
    context = {
        **detail.base_context(request, opportunity, config),
        **detail.history_context(opportunity, config, shown=shown),
    }
    partial = "history-more" if shown else "history"
    return render(request, f"opportunities/opportunity_detail.html#{partial}", context)


# Trash (crm/trash.py) ------------------------------------------------------------------------
