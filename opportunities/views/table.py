import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url, trigger_client_event

from crm import permissions
from crm import services as crm_services
from crm.navigation import safe_next
from opportunities import selectors, services, table
from opportunities.conflicts import conflict_message
from opportunities.forms import (
    BulkActionForm,
    ColumnsForm,
    QuickEditForm,
    SavedViewForm,
)
from opportunities.models import Opportunity, SavedView


def _back_to_list(request, fallback_query=""):
    return redirect(safe_next(request, reverse("opportunities:opportunity-list") + fallback_query))


@require_GET
@vary_on_headers("HX-Request")
def opportunity_list(request):
    permissions.require(permissions.can_view(request.user))
    # A form sends its empty fields too (?q=&phase=2&organization=&…); an empty field is
    # no filter, so the URL the user keeps and shares carries only what is set.
    params = table.query_without_empty(request.GET)
    clean_url = reverse("opportunities:opportunity-list") + (f"?{params.urlencode()}" if params else "")
    has_empty = len(params) != len(request.GET) or params.urlencode() != request.GET.urlencode()
    if has_empty and not request.htmx:
        return redirect(clean_url)
    config = selectors.configuration_get(user=request.user)
    context = table.table_page(request, config=config, params=params)
    template = "opportunities/opportunity_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#opportunity-table"
    response = render(request, template, context, status=400 if context["filter_errors"] else 200)
    if has_empty:
        push_url(response, clean_url)
    return response


@require_GET
def opportunity_export(request):
    """CSV of exactly the current filtered, sorted view with its visible columns."""
    permissions.require(permissions.can_view(request.user))
    config = selectors.configuration_get(user=request.user)
    context = table.table_page(request, config=config, export=True)
    if context["filter_errors"]:
        return HttpResponseBadRequest(_("Fix the filter before exporting."))
    columns = context["columns"]

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())

    def rows():
        # A byte-order mark so Excel reads UTF-8 (umlauts) correctly.
        yield "\ufeff"
        yield writer.writerow([str(column.label) for column in columns])
        for chunk in table.export_chunks(context["queryset"], config):
            for opportunity in chunk:
                yield writer.writerow([table.csv_cell(column, opportunity) for column in columns])

    stamp = timezone.localtime().strftime("%Y-%m-%d_%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="opportunities_{stamp}.csv"'
    return response


QUICK_EDIT_LABELS = {
    "phase": gettext_lazy("Change phase"),
    "status": gettext_lazy("Change status"),
    "owner": gettext_lazy("Reassign"),
}


@require_http_methods(["GET", "POST"])
def opportunity_quick_edit(request, short_name):
    """Change phase, status or owner from a table row; a stale version gets 409 and the fresh row.

    GET returns the little form for one cell (click to edit; a page without JS).
    """
    opportunity = get_object_or_404(Opportunity, short_name=short_name)
    permissions.require(permissions.can_view(request.user))
    config = selectors.configuration_get(user=request.user)
    if request.method == "GET":
        field = request.GET.get("field")
        if field not in QUICK_EDIT_LABELS:
            return HttpResponseBadRequest(_("Unknown field."))
        permissions.require(
            permissions.can_reassign(request.user)
            if field == "owner"
            else permissions.can_change_opportunity(request.user, opportunity)
        )
        table.attach_configuration([opportunity], config)
        choices = {"phase": config.active_phases, "status": config.active_statuses, "owner": config.active_users}
        context = {
            "opportunity": opportunity,
            "field": field,
            "label": QUICK_EDIT_LABELS[field],
            "current": getattr(opportunity, field),
            "choices": choices[field],
            "next_url": request.GET.get("next") or request.headers.get("HX-Current-URL", ""),
        }
        template = (
            "opportunities/includes/quick_edit.html" if request.htmx else "opportunities/opportunity_quick_edit.html"
        )
        return render(request, template, context)

    form = QuickEditForm(request.POST, config=config)
    status = 200
    message = ""
    if not form.is_valid():
        status = 400
        message = " ".join(" ".join(errors) for errors in form.errors.values())
    else:
        try:
            services.opportunity_update(
                opportunity_id=opportunity.pk,
                version=form.cleaned_data["version"],
                data=form.changes(),
                user=request.user,
            )
        except services.VersionConflict as conflict:
            status = 409
            message = conflict_message(conflict.opportunity, config=config, user=request.user)
        except ValidationError as error:
            status = 400
            message = " ".join(error.messages)
    if not request.htmx:
        if message:
            messages.error(request, message)
        else:
            messages.success(request, _("%(name)s updated.") % {"name": opportunity.short_name})
        return _back_to_list(request)
    next_url = request.POST.get("next", "")
    context = {
        "opportunity": table.row_get(opportunity.pk, config),
        "columns": table.visible_columns(
            config,
            requested=QueryDict(next_url.partition("?")[2]).get("cols"),
            preferred=request.user.preferences.get("table_columns"),
        ),
        "config": config,
        "row_message": message,
        "row_message_level": "error" if status != 200 else "success",
        "can_reassign": permissions.can_reassign(request.user),
        "can_manage": permissions.is_manager(request.user),
        "row_rights": table.RowRights.for_user(request.user),
        "user": request.user,
        "list_url": next_url,
        "today": timezone.localdate(),
        "group": "",
    }
    context = {**table.row_context(context), "opportunity": context["opportunity"]}
    response = render(request, "opportunities/table_row.html", context, status=status)
    if status == 200:
        trigger_client_event(response, "opportunityChanged", {"short_name": opportunity.short_name})
    return response


@require_POST
def opportunity_bulk(request):
    permissions.require(permissions.can_view(request.user))
    config = selectors.configuration_get(user=request.user)
    form = BulkActionForm(request.POST, config=config)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back_to_list(request)
    if form.cleaned_data["action"] == "trash":
        permissions.require(permissions.can_delete_opportunity(request.user))
        moved = services.opportunity_bulk_trash(ids=form.cleaned_data["ids"], user=request.user)
        messages.success(
            request,
            ngettext("%(count)d opportunity moved to the trash.", "%(count)d opportunities moved to the trash.", moved)
            % {"count": moved},
        )
        return _back_to_list(request)
    result = services.opportunity_bulk_update(ids=form.cleaned_data["ids"], user=request.user, **form.changes())
    if result.updated:
        messages.success(
            request,
            ngettext("Updated %(count)d opportunity.", "Updated %(count)d opportunities.", len(result.updated))
            % {"count": len(result.updated)},
        )
    if result.skipped:
        messages.warning(
            request,
            _("Not changed (you may not change them or the change was not allowed): %(names)s")
            % {"names": ", ".join(result.skipped)},
        )
    return _back_to_list(request)


@require_POST
def opportunity_columns(request):
    """Remember the user's visible columns and their order."""
    config = selectors.configuration_get(user=request.user)
    form = ColumnsForm(request.POST, config=config)
    if form.is_valid():
        crm_services.user_preference_set(user=request.user, key="table_columns", value=form.cleaned_data["columns"])
        messages.success(request, _("Columns saved."))
    else:
        messages.error(request, _("Choose at least one column."))
    return _back_to_list(request)


@require_POST
def saved_view_create(request):
    form = SavedViewForm(request.POST)
    if form.is_valid():
        view, created = SavedView.objects.update_or_create(
            owner=request.user, name__iexact=form.cleaned_data["name"], defaults=form.cleaned_data
        )
        messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
        return redirect(reverse("opportunities:opportunity-list") + ("?" + view.query if view.query else ""))
    messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
    return _back_to_list(request)


@require_POST
def saved_view_delete(request, pk):
    view = get_object_or_404(SavedView, pk=pk, owner=request.user)
    view.delete()
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return _back_to_list(request)
