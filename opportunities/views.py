import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from crm import permissions
from opportunities import board, selectors, services, table
from opportunities.filters import OpportunityFilter
from opportunities.forms import BulkActionForm, ColumnsForm, MoveForm, QuickEditForm, SavedViewForm
from opportunities.models import Opportunity, SavedView


def _back_to_list(request, fallback_query=""):
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    return redirect(target or reverse("opportunities:opportunity-list") + fallback_query)


@require_GET
@vary_on_headers("HX-Request")
def opportunity_list(request):
    permissions.require(permissions.can_view(request.user))
    config = selectors.configuration_get(user=request.user)
    context = table.table_page(request, config=config)
    template = "opportunities/opportunity_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#opportunity-table"
    return render(request, template, context, status=400 if context["filter_errors"] else 200)


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
            message = table.conflict_message(conflict.opportunity, config)
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
        "user": request.user,
        "list_url": next_url,
        "today": timezone.localdate(),
        "group": "",
    }
    response = render(request, "opportunities/opportunity_list.html#opportunity-row", context, status=status)
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
        request.user.preferences["table_columns"] = form.cleaned_data["columns"]
        request.user.save(update_fields=["preferences"])
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


def _board_filterset(request, config, params=None):
    return OpportunityFilter(
        params if params is not None else (request.GET or None),
        queryset=selectors.opportunity_board_queryset(),
        config=config,
        user=request.user,
    )


def _board_params(params: QueryDict) -> dict:
    """Board-only URL state: grouping, card order and expanded (won/lost) columns."""
    expanded = {int(key) for key in params.getlist("expand") if key.isdigit()}
    return {"group": params.get("group", "phase"), "order": params.get("order", "close"), "expanded": expanded}


@require_GET
@vary_on_headers("HX-Request")
def opportunity_board(request):
    """Kanban by phase (default) or status, with the table's filters."""
    permissions.require(permissions.can_view(request.user))
    config = selectors.configuration_get(user=request.user)
    filterset = _board_filterset(request, config)
    state = _board_params(request.GET)
    filter_errors = filterset.is_bound and not filterset.is_valid()
    queryset = filterset.qs if not filter_errors else Opportunity.objects.none()
    board_data = board.board_get(queryset, config=config, **state)
    context = {
        "board": board_data,
        "filterset": filterset,
        "filter_errors": filter_errors,
        "config": config,
        "orders": [(key, label) for key, (label, _order) in board.ORDERS.items()],
        "can_manage": permissions.is_manager(request.user),
        "filter_query": table.query_without(request.GET, "group", "order", "expand").urlencode(),
        "board_query": request.GET.urlencode(),
        "table_url": reverse("opportunities:opportunity-list")
        + "?"
        + table.query_without(request.GET, "group", "order", "expand").urlencode(),
        "today": timezone.localdate(),
        "has_filters": bool(table.query_without(request.GET, "group", "order", "expand")),
    }
    template = "opportunities/opportunity_board.html"
    if request.htmx and not request.htmx.boosted:
        template += "#board"
    return render(request, template, context, status=400 if filter_errors else 200)


@require_GET
def opportunity_board_totals(request):
    """The board header's totals and forecast for the current filters (refreshed after a move)."""
    permissions.require(permissions.can_view(request.user))
    config = selectors.configuration_get(user=request.user)
    filterset = _board_filterset(request, config)
    if filterset.is_bound and not filterset.is_valid():
        return HttpResponseBadRequest(_("Fix the filter first."))
    group = _board_params(request.GET)["group"]
    context = {
        "board": board.board_figures(filterset.qs, config=config, group=group),
        "board_query": request.GET.urlencode(),
    }
    return render(request, "opportunities/opportunity_board.html#board-totals", context)


@require_GET
def opportunity_board_cards(request):
    """The next cards of one column ("load more" when scrolled to its end)."""
    permissions.require(permissions.can_view(request.user))
    config = selectors.configuration_get(user=request.user)
    filterset = _board_filterset(request, config)
    if filterset.is_bound and not filterset.is_valid():
        return HttpResponseBadRequest(_("Fix the filter first."))
    state = _board_params(request.GET)
    group = state["group"] if state["group"] in board.GROUPINGS else "phase"
    try:
        column = int(request.GET["column"])
        offset = max(0, int(request.GET.get("offset", "0")))
    except (KeyError, ValueError):
        return HttpResponseBadRequest(_("Which column and from where?"))
    cards = board.column_cards(
        filterset.qs, field_name=board.GROUPINGS[group], keys=[column], order=state["order"], offset=offset
    )
    table.attach_configuration(cards, config)
    more = len(cards) == board.CARDS_PER_PAGE
    next_query = request.GET.copy()
    next_query["offset"] = str(offset + len(cards))
    context = {
        "cards": cards,
        "more_url": reverse("opportunities:opportunity-board-cards") + "?" + next_query.urlencode() if more else "",
        "config": config,
        "can_manage": permissions.is_manager(request.user),
        "board_group": group,
        "today": timezone.localdate(),
        "board_query": request.GET.get("board_query", ""),
    }
    return render(request, "opportunities/opportunity_board.html#column-cards", context)


@require_POST
def opportunity_move(request, short_name):
    """Drop a card on another column (or use its "Move to…" menu)."""
    opportunity = get_object_or_404(Opportunity, short_name=short_name)
    permissions.require(permissions.can_view(request.user))
    config = selectors.configuration_get(user=request.user)
    form = MoveForm(request.POST, config=config)
    board_query = request.POST.get("board_query", "")
    back = reverse("opportunities:opportunity-board") + ("?" + board_query if board_query else "")
    status, message, needs = 200, "", None
    if not form.is_valid():
        status = 400
        message = " ".join(" ".join(errors) for errors in form.errors.values())
    else:
        try:
            services.opportunity_move(opportunity_id=opportunity.pk, user=request.user, **form.service_kwargs())
        except services.VersionConflict as conflict:
            status = 409
            message = table.conflict_message(conflict.opportunity, config)
        except services.MoveNeedsInput as exc:
            needs = exc
        except ValidationError as error:
            status = 400
            message = " ".join(error.messages)
    if not request.htmx:
        if needs is not None:
            return render(
                request,
                "opportunities/opportunity_move.html",
                {"opportunity": opportunity, "needs": needs, "form": form, "board_query": board_query},
            )
        if message:
            messages.error(request, message)
        else:
            messages.success(request, _("%(name)s moved.") % {"name": opportunity.short_name})
        return redirect(back)

    card = board.card_queryset(Opportunity.objects.filter(pk=opportunity.pk)).get()
    table.attach_configuration([card], config)
    group = form.cleaned_data.get("group", "phase") if form.is_valid() else request.POST.get("group", "phase")
    context = {
        "card": card,
        "config": config,
        "can_manage": permissions.is_manager(request.user),
        "board_group": group if group in board.GROUPINGS else "phase",
        "today": timezone.localdate(),
        "board_query": board_query,
        "card_message": message,
        "needs": needs,
        "move_form": form,
    }
    if status == 200 and needs is None:
        params = QueryDict(board_query)
        filterset = _board_filterset(request, config, params=params or None)
        queryset = filterset.qs if not (filterset.is_bound and not filterset.is_valid()) else Opportunity.objects.none()
        field_name = board.GROUPINGS[context["board_group"]]
        context["target_column"] = getattr(card, field_name)
        # Only the two columns the card left and entered get fresh figures here;
        # the board totals refresh themselves on the opportunityMoved event.
        context["moved_columns"] = board.columns_after_move(
            queryset,
            config=config,
            group=context["board_group"],
            keys=[getattr(opportunity, field_name), context["target_column"]],
        )
        response = render(request, "opportunities/opportunity_board.html#move-success", context)
        trigger_client_event(response, "opportunityMoved", {"short_name": card.short_name})
        return response
    return render(request, "opportunities/opportunity_board.html#move-result", context, status=status)


def opportunity_create(request):
    return render(request, "opportunities/opportunity_form.html", {})


@require_GET
def opportunity_detail(request, short_name):
    opportunity = get_object_or_404(Opportunity, short_name=short_name)
    return render(request, "opportunities/opportunity_detail.html", {"opportunity": opportunity})


@require_GET
def organization_autocomplete(request):
    """Suggestions for the organization filter: links that apply the filter to the current view."""
    permissions.require(permissions.can_view(request.user))
    term = request.GET.get("organization_search", "").strip()[:100]
    query = QueryDict(request.GET.get("query", ""), mutable=True)
    query.pop("page", None)
    suggestions = []
    if term:
        for organization in selectors.organization_suggestions(term=term):
            query["organization"] = str(organization.pk)
            suggestions.append((organization, "?" + query.urlencode()))
    on_board = request.GET.get("view") == "board"
    return render(
        request,
        "opportunities/includes/organization_suggestions.html",
        {
            "suggestions": suggestions,
            "term": term,
            "base_url": reverse("opportunities:opportunity-board" if on_board else "opportunities:opportunity-list"),
            "target": "#board" if on_board else "#opportunity-table",
        },
    )
