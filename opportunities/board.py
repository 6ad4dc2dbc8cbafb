"""The pipeline board: columns by phase or status, their figures and their first cards."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm import permissions
from opportunities.models import BoardFigure, Opportunity, OpportunityContact, PhaseKind, Tag
from opportunities.selectors import attach_configuration, opportunity_is_stale

CARDS_PER_PAGE = 30
ORDERS = {
    # key: (label, order_by for the column's cards)
    "close": (_("Expected close date"), (F("expected_close_date").asc(nulls_last=True), F("id").asc())),
    "activity": (_("Last activity"), (F("last_activity_at").desc(nulls_last=True), F("id").desc())),
    "value": (_("Value"), (F("value").desc(), F("id").desc())),
}
GROUPINGS = {"phase": "phase_id", "status": "status_id"}


@dataclass
class Column:
    key: int
    name: str
    obj: object
    kind: str = PhaseKind.OPEN
    count: int = 0
    total: Decimal = Decimal("0")
    weighted: Decimal = Decimal("0")
    cards: list = field(default_factory=list)
    expanded: bool = True

    @property
    def collapsed_by_default(self) -> bool:
        return self.kind != PhaseKind.OPEN

    @property
    def has_more(self) -> bool:
        return len(self.cards) < self.count


@dataclass
class Board:
    group: str
    order: str
    columns: list[Column]

    @property
    def count(self) -> int:
        return sum(column.count for column in self.columns)

    @property
    def total(self) -> Decimal:
        return sum((column.total for column in self.columns), Decimal("0"))

    @property
    def weighted(self) -> Decimal:
        return sum((column.weighted for column in self.columns), Decimal("0"))

    @property
    def open_weighted(self) -> Decimal:
        """The forecast: weighted value of what is still open."""
        return sum((c.weighted for c in self.columns if c.kind == PhaseKind.OPEN), Decimal("0"))


def card_queryset(queryset):
    """Everything a card shows, in the row itself: no per-card queries."""
    primary_contact = OpportunityContact.objects.filter(opportunity=OuterRef("pk"), is_primary=True).annotate(
        full=Concat("member__first_name", Value(" "), "member__last_name")
    )
    tag_names = Tag.objects.filter(opportunities=OuterRef("pk")).order_by("name").values("name")
    return queryset.select_related(None).annotate(
        organization_name=F("organization__name"),
        primary_contact_name=Subquery(primary_contact.values("full")[:1]),
        tag_names=ArraySubquery(tag_names),
    )


def card_fields(config) -> list:
    """The custom fields an admin chose to show on cards."""
    return [custom_field for custom_field in config.custom_fields if custom_field.show_on_cards]


def prepare_cards(cards, *, config, user, group: str) -> list:
    """Set what the card template reads besides the row: configuration objects, column, stale, movable."""
    attach_configuration(cards, config)
    field_name = GROUPINGS.get(group, "phase_id")
    now = timezone.now()
    movable = {}  # by owner: the permission rule reads only the owner of an opportunity
    for card in cards:
        card.column_key = getattr(card, field_name)
        card.is_stale = opportunity_is_stale(card, is_open=card.phase.kind == PhaseKind.OPEN, now=now)
        if card.owner_id not in movable:
            movable[card.owner_id] = permissions.can_change_opportunity(user, card)
        card.movable = movable[card.owner_id]
    return cards


def column_figures(queryset, *, field_name: str, keys=None, summary: bool = False) -> dict:
    """Count, value and weighted value per column over the whole filtered set (one query).

    With ``keys``, only those columns (after a move: where the card left and arrived).
    With ``summary`` (the board shows every live opportunity: no filter), the
    figures come from BoardFigure, which triggers keep, instead of aggregating
    all opportunities; ``queryset`` is not used then.
    """
    if summary:
        source = BoardFigure.objects.filter(count__gt=0)
        sums = {"n": Sum("count"), "amount": Sum("total")}
    else:
        # COUNT(*) rather than COUNT(id): an index-only scan of the
        # (phase|status) INCLUDE (value, probability) index.
        source = queryset.order_by()
        sums = {"n": Count("*"), "amount": Sum("value")}
    if keys is not None:
        source = source.filter(**{f"{field_name}__in": keys})
    # Summed per column and probability, and weighted here: exact sums without
    # a multiplication and division for each of the filtered rows.
    rows = source.values_list(field_name, "probability").annotate(**sums)
    return _fold(rows)


def column_cards(queryset, *, field_name: str, keys, order: str, offset: int = 0, limit: int = CARDS_PER_PAGE):
    """The cards of several columns, in the card order: two queries, however many columns.

    First the ids: each column picks its own with a LIMITed scan (the
    (phase|status, expected close date, id) indexes serve the default order),
    the parts joined by UNION ALL. Then what a card shows, for those ids only.
    Two steps rather than ``pk__in=<the union>``: PostgreSQL may plan that as a
    semi-join that scans every opportunity and runs the union for each.
    """
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    order_by = ORDERS.get(order, ORDERS["close"])[1]
    parts = [
        queryset.filter(**{field_name: key}).order_by(*order_by).values_list("pk", flat=True)[offset : offset + limit]
        for key in keys
    ]
    # order_by(): no Meta.ordering over the union (it would have to be a selected column).
    ids = list(parts[0].union(*parts[1:], all=True).order_by() if len(parts) > 1 else parts[0])
    if not ids:
        return []
    return list(card_queryset(Opportunity.objects.filter(pk__in=ids)).order_by(*order_by))


def board_figures(queryset, *, config, group: str, summary: bool = False) -> Board:
    """The board's columns with their figures only (for the totals in the header)."""
    return board_get(queryset, config=config, group=group, order="close", with_cards=False, summary=summary)


def columns_after_move(queryset, *, config, group: str, keys, summary: bool = False) -> list[Column]:
    """Fresh figures for the columns a move touched (one query over those columns only)."""
    keys = list(dict.fromkeys(keys))
    figures = column_figures(queryset, field_name=GROUPINGS[group], keys=keys, summary=summary)
    columns = []
    for key in keys:
        column = _column(config, group, key)
        if column is not None:
            _set_figures(column, figures.get(key))
            columns.append(column)
    return columns


def _column(config, group: str, key) -> Column | None:
    obj = config.phase(key) if group == "phase" else config.status(key)
    if obj is None:
        return None
    return Column(key=key, name=obj.name, obj=obj, kind=getattr(obj, "kind", PhaseKind.OPEN))


def _set_figures(column: Column, figure: dict | None) -> None:
    if figure:
        column.count, column.total, column.weighted = figure["count"], figure["total"], figure["weighted"]


def _fold(rows) -> dict:
    """(key, probability, count, total) rows into count, total and weighted value per key."""
    figures = {}
    for key, probability, count, total in rows:
        figure = figures.get(key)
        if figure is None:
            figure = figures[key] = {"count": 0, "total": Decimal(0), "weighted": Decimal(0)}
        figure["count"] += count
        figure["total"] += total
        figure["weighted"] += total * probability
    for figure in figures.values():
        figure["weighted"] /= 100
    return figures


def board_get(
    queryset,
    *,
    config,
    group: str,
    order: str,
    expanded=(),
    with_cards=True,
    summary: bool = False,
    user=None,
) -> Board:
    """Columns in the admin-defined order with figures; cards for the open (or expanded) columns.

    Three queries: the columns' figures, and the cards of every loaded column (column_cards).
    """
    group = group if group in GROUPINGS else "phase"
    field_name = GROUPINGS[group]
    objects = config.phases if group == "phase" else config.statuses
    columns = [_column(config, group, obj.pk) for obj in objects if obj.is_active]
    figures = column_figures(queryset, field_name=field_name, summary=summary)
    known = {column.key for column in columns}
    # Opportunities in an inactive phase or status still count: show their column.
    columns += [column for key in figures if key not in known and (column := _column(config, group, key))]
    for column in columns:
        _set_figures(column, figures.get(column.key))
        column.expanded = not column.collapsed_by_default or column.key in expanded
    if with_cards:
        load = [column.key for column in columns if column.count and column.expanded]
        cards = column_cards(queryset, field_name=field_name, keys=load, order=order)
        prepare_cards(cards, config=config, user=user, group=group)
        by_key = {column.key: column for column in columns}
        for card in cards:
            by_key[card.column_key].cards.append(card)
    return Board(group=group, order=order if order in ORDERS else "close", columns=columns)
