import csv
import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponseBadRequest, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from crm import permissions, trash
from crm import services as crm_services
from crm.navigation import safe_next
from opportunities import board, detail, selectors, services, table
from opportunities.filters import OpportunityFilter
from opportunities.forms import (
    BulkActionForm,
    ColumnsForm,
    LoseForm,
    MoveForm,
    OpportunityCreateForm,
    OpportunityFieldForm,
    OrganizationContactForm,
    QuickEditForm,
    SavedViewForm,
    TagAddForm,
    TaskForm,
    WinForm,
)
from opportunities.models import Opportunity, SavedView, Task
from organizations import services as org_services
from organizations.models import Member, Organization


def _back_to_list(request, fallback_query=""):
    return redirect(safe_next(request, reverse("opportunities:opportunity-list") + fallback_query))


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


def _board_filterset(request, config, params=None):
    return OpportunityFilter(
        params if params is not None else (request.GET or None),
        queryset=selectors.opportunity_board_queryset(),
        config=config,
        user=request.user,
    )


def _unfiltered(params: QueryDict) -> bool:
    """The board shows every live opportunity: its figures can come from BoardFigure."""
    return not table.query_without(params, "group", "order", "expand")


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
    board_data = board.board_get(queryset, config=config, summary=_unfiltered(request.GET), **state)
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
        "board": board.board_figures(filterset.qs, config=config, group=group, summary=_unfiltered(request.GET)),
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


@require_http_methods(["GET", "POST"])
def opportunity_move(request, short_name):
    """Drop a card on another column (or use its "Move to…" menu).

    GET gives the "Move to…" form: in the card (htmx) or as a page without JS.
    """
    if request.method == "GET":
        opportunity = get_object_or_404(Opportunity, short_name=short_name)
        permissions.require(permissions.can_view(request.user))
        config = selectors.configuration_get(user=request.user)
        permissions.require(permissions.can_change_opportunity(request.user, opportunity))
        group = request.GET.get("group") if request.GET.get("group") in board.GROUPINGS else "phase"
        context = {
            "opportunity": opportunity,
            "group": group,
            "choices": config.active_statuses if group == "status" else config.active_phases,
            "current": opportunity.status_id if group == "status" else opportunity.phase_id,
            "board_query": request.GET.get("board_query", ""),
        }
        template = "opportunities/opportunity_move_form.html"
        if request.htmx:
            template += "#move-form"
        return render(request, template, context)
    return _move(request, short_name)


@functools.cache
def _card_moving(field_name: str):
    """What a card shows, and ``column_before``: the column (``field_name``) it is in before the move.

    Built once per process and only ever cloned (filter, get): putting the
    card's annotations together cost about as much as the whole statement.
    """
    return board.card_queryset(Opportunity.objects.all()).annotate(column_before=F(field_name))


def _move(request, short_name):
    """The drop itself: one transaction that locks the card, reads what it shows and moves it.

    The card comes back from the service as it now is (its organization, contact
    person and tags read with the lock, ``column_before`` where it was), so a
    drop reads the opportunity once; only the two columns' figures follow.
    """
    permissions.require(permissions.can_view(request.user))
    config = selectors.configuration_get(user=request.user)
    form = MoveForm(request.POST, config=config)
    board_query = request.POST.get("board_query", "")
    back = reverse("opportunities:opportunity-board") + ("?" + board_query if board_query else "")
    group = form.cleaned_data["group"] if form.is_valid() else request.POST.get("group", "phase")
    group = group if group in board.GROUPINGS else "phase"
    field_name = board.GROUPINGS[group]
    status, message, needs, card = 200, "", None, None
    if not form.is_valid():
        status = 400
        message = " ".join(" ".join(errors) for errors in form.errors.values())
    else:
        try:
            card = services.opportunity_move(
                short_name=short_name, user=request.user, queryset=_card_moving(field_name), **form.service_kwargs()
            )
        except Opportunity.DoesNotExist:
            raise Http404 from None
        except services.VersionConflict as conflict:
            status = 409
            message = table.conflict_message(conflict.opportunity, config)
            card = conflict.opportunity
        except services.MoveNeedsInput as exc:
            needs = exc
            card = exc.opportunity
        except ValidationError as error:
            status = 400
            message = " ".join(error.messages)
            card = None  # the failed change is rolled back; read the card as it is
    if card is None:
        card = get_object_or_404(board.card_queryset(Opportunity.objects.all()), short_name=short_name)
    if not request.htmx:
        if needs is not None:
            return render(
                request,
                "opportunities/opportunity_move.html",
                {"opportunity": card, "needs": needs, "form": form, "board_query": board_query},
            )
        if message:
            messages.error(request, message)
        else:
            messages.success(request, _("%(name)s moved.") % {"name": card.short_name})
        return redirect(back)

    table.attach_configuration([card], config)
    context = {
        "card": card,
        "config": config,
        "can_manage": permissions.is_manager(request.user),
        "board_group": group,
        "today": timezone.localdate(),
        "board_query": board_query,
        "card_message": message,
        "needs": needs,
        "move_form": form,
    }
    if status == 200 and needs is None:
        params = QueryDict(board_query)
        summary = _unfiltered(params)
        queryset = None  # the unfiltered board's figures come from BoardFigure
        if not summary:
            filterset = _board_filterset(request, config, params=params)
            queryset = filterset.qs if filterset.is_valid() else Opportunity.objects.none()
        context["target_column"] = getattr(card, field_name)
        # Only the two columns the card left and entered get fresh figures here;
        # the board totals refresh themselves on the opportunityMoved event.
        context["moved_columns"] = board.columns_after_move(
            queryset,
            config=config,
            group=group,
            keys=[card.column_before, context["target_column"]],
            summary=summary,
        )
        response = render(request, "opportunities/opportunity_board.html#move-success", context)
        trigger_client_event(response, "opportunityMoved", {"short_name": card.short_name})
        return response
    return render(request, "opportunities/opportunity_board.html#move-result", context, status=status)


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


# New opportunity -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def opportunity_create(request):
    """The "New opportunity" form; ?organization=<id> preselects the organization (from its page)."""
    permissions.require(permissions.can_add_opportunity(request.user))
    config = selectors.configuration_get(user=request.user)
    form_kwargs = {
        "config": config,
        "user": request.user,
        "can_reassign": permissions.can_reassign(request.user),
    }
    if request.method == "POST" and request.POST.get("search"):
        # "Search" without JavaScript: show the matches, keep what was typed, validate nothing yet.
        form = OpportunityCreateForm(initial=request.POST.dict(), **form_kwargs)
    elif request.method == "POST":
        form = OpportunityCreateForm(request.POST, **form_kwargs)
    else:
        initial = {"phase": next((p.pk for p in config.active_phases if p.kind == "open"), None)}
        organization_id = request.GET.get("organization", "")
        if organization_id.isdigit():
            initial["organization"] = organization_id
        form = OpportunityCreateForm(initial=initial, **form_kwargs)
    if form.is_bound and form.is_valid():
        try:
            opportunity = services.opportunity_create(user=request.user, **form.service_kwargs())
        except ValidationError as error:
            for key, messages_ in error.message_dict.items():
                name = key if key in form.fields else f"cf_{key}" if f"cf_{key}" in form.fields else None
                for message in messages_:
                    form.add_error(name, message)
        else:
            messages.success(request, _("%(name)s created.") % {"name": opportunity.short_name})
            return redirect(opportunity)
    search = _search_term(request)
    context = {
        "form": form,
        "organization": _chosen_organization(form),
        "organization_search": search,
        "organization_matches": list(selectors.organization_suggestions(term=search)) if search else [],
    }
    if request.htmx and request.GET.get("organization_search") is not None:
        return render(request, "opportunities/opportunity_form.html#organization-picker", context)
    return render(request, "opportunities/opportunity_form.html", context, status=422 if form.errors else 200)


def _search_term(request) -> str:
    return (
        (request.GET.get("organization_search") or request.POST.get("organization_search") or "")
        .replace("\x00", "")
        .strip()[:100]
    )


def _chosen_organization(form):
    """The organization the form holds (typed id checked against the database), or None."""
    value = form["organization"].value()
    if form.is_bound and "organization" in form.errors:
        return None
    if value in (None, ""):
        return None
    if hasattr(value, "pk"):
        return value
    return (
        Organization.objects.only("id", "name", "code", "city").filter(pk=value).first()
        if str(value).isdigit()
        else None
    )


# Detail page --------------------------------------------------------------


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
    context.update(detail.history_context(opportunity, config, show_all=request.GET.get("history") == "all"))
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
        response.content += (
            f'<input type="hidden" name="version" value="{new_version}" data-version="{new_version}" '
            f"hx-swap-oob='outerHTML:input[data-version=\"{old_version}\"]'>"
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
            message = table.conflict_message(conflict.opportunity, config)
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
            status, message = 409, table.conflict_message(conflict.opportunity, config)
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


@require_http_methods(["GET", "POST"])
def opportunity_tasks(request, short_name):
    """The tasks card; POST adds a task."""
    opportunity, config = _opportunity(request, short_name)
    form = None
    status = 200
    if request.method == "POST":
        permissions.require(permissions.can_change_opportunity(request.user, opportunity))
        form = TaskForm(request.POST, config=config)
        if form.is_valid():
            try:
                services.task_create(opportunity=opportunity, user=request.user, **form.service_kwargs())
            except ValidationError as error:
                form.add_error(None, error)
        if form.errors:
            status = 422
        else:
            form = None
    elif not _is_fragment(request):
        return redirect(f"{opportunity.get_absolute_url()}#tasks")
    return _tasks_response(request, opportunity, config, form=form, status=status, changed=request.method == "POST")


def _tasks_response(request, opportunity, config, *, form=None, status=200, changed=False):
    if not _is_fragment(request) and status == 200:
        return redirect(f"{opportunity.get_absolute_url()}#tasks")
    if not _is_fragment(request):
        return _render_page(request, opportunity, config, status=status, task_form=form)
    tasks = list(selectors.opportunity_task_list(opportunity=opportunity))
    context = {
        **detail.base_context(request, opportunity, config),
        **detail.task_context(opportunity, config, tasks, user=request.user, form=form),
    }
    response = render(request, "opportunities/opportunity_detail.html#tasks-response", context, status=status)
    if changed and status == 200:
        trigger_client_event(
            response,
            "tasksChanged",
            {"short_name": opportunity.short_name, "open_tasks": context["open_task_count"]},
        )
    return response


@require_POST
def opportunity_task_action(request, short_name, task_pk, action):
    """Complete, reopen or delete one task."""
    opportunity, config = _opportunity(request, short_name)
    task = get_object_or_404(Task, pk=task_pk, opportunity_id=opportunity.pk)
    task.opportunity = opportunity
    run = {"complete": services.task_complete, "reopen": services.task_reopen, "delete": services.task_delete}.get(
        action
    )
    if run is None:
        raise Http404
    run(task=task, user=request.user)
    return _tasks_response(request, opportunity, config, changed=True)


@require_GET
def opportunity_history(request, short_name):
    """The timeline (redrawn after changes; ?history=all shows every entry)."""
    opportunity, config = _opportunity(request, short_name)
    if not _is_fragment(request):
        return redirect(f"{opportunity.get_absolute_url()}?history=all#history")
    context = {
        **detail.base_context(request, opportunity, config),
        **detail.history_context(opportunity, config, show_all=request.GET.get("history") == "all"),
    }
    return render(request, "opportunities/opportunity_detail.html#history", context)


# Trash (crm/trash.py) ------------------------------------------------------------------------

TRASH_PER_PAGE = 50


@require_http_methods(["GET", "POST"])
def opportunity_delete(request, short_name):
    """Ask, then move the opportunity to the trash (managers); it can be restored for 30 days."""
    permissions.require(permissions.can_delete_opportunity(request.user))
    opportunity = get_object_or_404(Opportunity.objects.select_related("organization"), short_name=short_name)
    if request.method == "POST":
        services.opportunity_trash(opportunity=opportunity, user=request.user)
        restore_url = reverse("opportunities:opportunity-restore", args=[opportunity.pk])
        messages.success(
            request,
            _("%(opportunity)s moved to the trash.") % {"opportunity": opportunity},
            extra_tags=trash.undo_tag(restore_url),
        )
        return _back_to_list(request)
    context = {
        "opportunity": opportunity,
        "summary": selectors.opportunity_trash_summary(opportunity=opportunity),
        "purge_date": trash.purge_after(timezone.now()),
        "next": request.GET.get("next", ""),
    }
    return render(request, "opportunities/opportunity_confirm_delete.html", context)


@require_GET
def trash_list(request):
    """What managers deleted in the last 30 days, to restore."""
    permissions.require(permissions.can_delete_opportunity(request.user))
    paginator = Paginator(selectors.trashed_opportunity_list(), TRASH_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    for opportunity in page:
        opportunity.purge_date = trash.purge_after(opportunity.deleted_at)
        opportunity.restore_url = reverse("opportunities:opportunity-restore", args=[opportunity.pk])
    organizations = list(selectors.trashed_organization_list())
    for organization in organizations:
        organization.purge_date = trash.purge_after(organization.deleted_at)
        organization.restore_url = reverse("organizations:organization-restore", args=[organization.pk])
    context = {
        "page": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "organizations": organizations,
        "retention_days": trash.RETENTION_DAYS,
        "can_delete_organization": permissions.can_delete_organization(request.user),
    }
    return render(request, "opportunities/trash.html", context)


@require_POST
def opportunity_restore(request, pk):
    permissions.require(permissions.can_delete_opportunity(request.user))
    opportunity = get_object_or_404(Opportunity.all_objects.filter(deleted_at__isnull=False), pk=pk)
    try:
        opportunity = services.opportunity_restore(opportunity_id=opportunity.pk, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("opportunities:trash")
    messages.success(request, _("%(opportunity)s is back.") % {"opportunity": opportunity})
    return redirect(safe_next(request, opportunity.get_absolute_url()))
