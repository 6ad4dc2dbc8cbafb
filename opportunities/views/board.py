from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from crm import permissions
from opportunities import board, selectors, services, table
from opportunities.conflicts import conflict_message
from opportunities.filters import OpportunityFilter
from opportunities.forms import MoveForm
from opportunities.models import Opportunity


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
    board_data = board.board_get(queryset, config=config, summary=_unfiltered(request.GET), user=request.user, **state)
    context = {
        "board": board_data,
        "board_group": board_data.group,
        "card_fields": board.card_fields(config),
        "filterset": filterset,
        "filter_errors": filter_errors,
        "orders": [(key, label) for key, (label, _order) in board.ORDERS.items()],
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
    board.prepare_cards(cards, config=config, user=request.user, group=group)
    more = len(cards) == board.CARDS_PER_PAGE
    next_query = request.GET.copy()
    next_query["offset"] = str(offset + len(cards))
    context = {
        "cards": cards,
        "more_url": reverse("opportunities:opportunity-board-cards") + "?" + next_query.urlencode() if more else "",
        "card_fields": board.card_fields(config),
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
            # What a card shows, and ``column_before``: the column it is in before the move.
            moving = board.card_queryset(Opportunity.objects.all()).annotate(column_before=F(field_name))
            card = services.opportunity_move(
                short_name=short_name, user=request.user, queryset=moving, **form.service_kwargs()
            )
        except Opportunity.DoesNotExist:
            raise Http404 from None
        except services.VersionConflict as conflict:
            status = 409
            message = conflict_message(conflict.opportunity, config=config, user=request.user)
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

    board.prepare_cards([card], config=config, user=request.user, group=group)
    context = {
        "card": card,
        "card_fields": board.card_fields(config),
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
