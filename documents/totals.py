"""Money arithmetic of documents: Decimal only, commercial rounding (half up) to the cent.

Each line's net amount is rounded to the cent, the net total is the sum of
the rounded lines (so the printed lines add up to the printed total), VAT is
the rounded percentage of the net total, and gross = net + VAT.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# Field limits allow quantity (12 digits) × price (14) × discount factor (5):
# 31 significant digits, more than Decimal's default 28. Compute exactly.
_EXACT = Context(prec=60)


def round_money(value: Decimal) -> Decimal:
    """Round to the cent, halves away from zero (kaufmännisches Runden)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_net(*, quantity: Decimal, unit_price: Decimal, discount: Decimal) -> Decimal:
    """Quantity × unit price less the discount percentage, rounded to the cent."""
    with localcontext(_EXACT):
        exact = quantity * unit_price * (HUNDRED - discount) / HUNDRED
        return round_money(exact)


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    gross: Decimal
    vat_rate: Decimal


def document_totals(*, lines: Iterable, vat_rate: Decimal) -> Totals:
    """Net, VAT and gross of lines that have quantity, unit_price and discount."""
    with localcontext(_EXACT):
        net = sum(
            (line_net(quantity=line.quantity, unit_price=line.unit_price, discount=line.discount) for line in lines),
            Decimal("0.00"),
        )
        return _totals(net, vat_rate)


def totals_from_line_cents(*, cents: Decimal, vat_rate: Decimal) -> Totals:
    """The totals from the sum of the lines' nets in whole cents (summed in SQL: selectors.document_list).

    quantity × unit price × (100 − discount) is a line's exact net in cents: rounding it
    to a whole number, halves away from zero as PostgreSQL's round(numeric) does, is
    line_net's rounding to the cent.
    """
    with localcontext(_EXACT):
        return _totals(round_money(cents / HUNDRED), vat_rate)


def _totals(net: Decimal, vat_rate: Decimal) -> Totals:
    vat = round_money(net * vat_rate / HUNDRED)
    return Totals(net=net, vat=vat, gross=net + vat, vat_rate=vat_rate)
