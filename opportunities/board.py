"""The pipeline board: columns by phase or status, their figures and their first cards."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import BigIntegerField, Count, F, OuterRef, Subquery, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from opportunities.models import BoardFigure, Opportunity, OpportunityContact, PhaseKind, Tag
from opportunities.selectors import attach_configuration

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


def column_figures(queryset, *, field_name: str, keys=None, summary: bool = False) -> dict:
    """Count, value and weighted value per column over the whole filtered set (one query).

    With ``keys``, only those columns (after a move: where the card left and arrived).
    With ``summary`` (the board shows every live opportunity: no filter), the
    figures come from BoardFigure, which triggers keep, instead of aggregating
    all opportunities.
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
    # Summed per column and probability, and weighted here: the same exact sums
    # without a numeric multiplication and division for each of the 100,000 rows,
    # which took about as long as reading them.
    rows = source.values_list(field_name, "probability").annotate(**sums)
    return _fold(rows)


class _ColumnKey:
    """Stands for the column key in the one compiled query every column of column_cards runs."""


def column_cards(queryset, *, field_name: str, keys, order: str, offset: int = 0, limit: int = CARDS_PER_PAGE):
    """The cards of several columns in one query: a UNION ALL of one LIMITed, indexed scan per column.

    The columns pick only ids (index-only scans for the default order), numbered
    in the order they come; what a card shows is then read once per picked id.
    The column's query is compiled once and repeated with each key as its
    parameter. Compiling and planning the organization, contact and tag
    subqueries in every column's part (QuerySet.union) cost Django ~8 ms and
    PostgreSQL ~5 ms for five columns.
    """
    keys = list(dict.fromkeys(keys))
    if not keys:
        return []
    order_by = ORDERS.get(order, ORDERS["close"])[1]
    marker = _ColumnKey()
    column = RawSQL("%s", (marker,), output_field=BigIntegerField())
    part = queryset.filter(**{field_name: column}).order_by(*order_by).values("id")[offset : offset + limit]
    part_sql, part_params = part.query.sql_with_params()
    picked = RawSQL("picked.id", (), output_field=BigIntegerField())
    card_sql, card_params = card_queryset(Opportunity.objects.filter(pk=picked)).query.sql_with_params()
    parts = " UNION ALL ".join([f"({part_sql})"] * len(keys))
    sql = (
        f"SELECT card.* FROM (SELECT id, row_number() OVER () AS position FROM ({parts}) AS parts) AS picked "  # noqa: S608
        f"CROSS JOIN LATERAL ({card_sql}) AS card ORDER BY picked.position"
    )
    params = [key if param is marker else param for key in keys for param in part_params]
    return list(Opportunity.objects.raw(sql, [*params, *card_params]))


def board_figures(queryset, *, config, group: str, summary: bool = False) -> Board:
    """The board's columns with their figures only (for the totals in the header)."""
    return board_get(queryset, config=config, group=group, order="close", with_cards=False, summary=summary)


# The unfiltered board's figures of the columns a move touched, from the few
# dozen BoardFigure rows; in plain SQL because building the same aggregate
# through the ORM cost several times more than running it (~2 ms of a move).
_MOVED_FIGURES_SQL = {
    "phase_id": """
SELECT phase_id, probability, sum(count)::bigint, sum(total)
  FROM opportunities_boardfigure
 WHERE count > 0 AND phase_id = ANY(%s)
 GROUP BY 1, 2
""",
    "status_id": """
SELECT status_id, probability, sum(count)::bigint, sum(total)
  FROM opportunities_boardfigure
 WHERE count > 0 AND status_id = ANY(%s)
 GROUP BY 1, 2
""",
}


def columns_after_move(queryset, *, config, group: str, keys, summary: bool = False) -> list[Column]:
    """Fresh figures for the columns a move touched (one query over two columns only).

    With ``summary`` (the board is unfiltered) the figures come from BoardFigure
    and ``queryset`` is not used.
    """
    field_name = GROUPINGS[group]
    keys = list(dict.fromkeys(keys))
    if summary:
        with connection.cursor() as cursor:
            cursor.execute(_MOVED_FIGURES_SQL[field_name], [keys])
            figures = _fold(cursor.fetchall())
    else:
        figures = column_figures(queryset, field_name=field_name, keys=keys)
    columns = []
    for key in keys:
        obj = config.phase(key) if group == "phase" else config.status(key)
        if obj is None:
            continue
        column = Column(key=key, name=obj.name, obj=obj, kind=getattr(obj, "kind", PhaseKind.OPEN))
        row = figures.get(key)
        if row:
            column.count, column.total, column.weighted = row["count"], row["total"], row["weighted"]
        columns.append(column)
    return columns


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
    queryset, *, config, group: str, order: str, expanded=(), with_cards=True, summary: bool = False
) -> Board:
    """Columns in the admin-defined order with figures; cards for the open (or expanded) columns."""
    group = group if group in GROUPINGS else "phase"
    field_name = GROUPINGS[group]
    if group == "phase":
        columns = [Column(key=p.pk, name=p.name, obj=p, kind=p.kind) for p in config.phases if p.is_active]
    else:
        columns = [Column(key=s.pk, name=s.name, obj=s) for s in config.statuses if s.is_active]
    figures = column_figures(queryset, field_name=field_name, summary=summary)
    known = {column.key for column in columns}
    # Opportunities in an inactive phase or status still count: show their column.
    for key in figures:
        if key not in known:
            obj = config.phase(key) if group == "phase" else config.status(key)
            if obj is not None:
                columns.append(Column(key=key, name=obj.name, obj=obj, kind=getattr(obj, "kind", PhaseKind.OPEN)))
    for column in columns:
        row = figures.get(column.key)
        if row:
            column.count, column.total, column.weighted = row["count"], row["total"], row["weighted"]
    load = [c.key for c in columns if c.count and (not c.collapsed_by_default or c.key in expanded)]
    if not with_cards:
        load = []
    cards = column_cards(queryset, field_name=field_name, keys=load, order=order)
    attach_configuration(cards, config)
    by_key = {column.key: column for column in columns}
    for card in cards:
        by_key[getattr(card, field_name)].cards.append(card)
    for column in columns:
        column.expanded = not column.collapsed_by_default or column.key in expanded
    return Board(group=group, order=order if order in ORDERS else "close", columns=columns)
