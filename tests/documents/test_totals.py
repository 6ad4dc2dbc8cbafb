from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from documents.formatting import format_money, format_quantity
from documents.totals import document_totals, line_net, round_money


@dataclass
class Line:
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal


quantities = st.decimals(min_value=0, max_value=Decimal("999999999.999"), places=3)
prices = st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2)
discounts = st.decimals(min_value=0, max_value=100, places=2)
vat_rates = st.decimals(min_value=0, max_value=100, places=2)
lines = st.lists(st.builds(Line, quantity=quantities, unit_price=prices, discount=discounts), max_size=40)


def half_up_cents(value: Fraction) -> Fraction:
    """Reference rounding on exact fractions: to the cent, halves up (values are never negative)."""
    cents = value * 100
    whole = cents.numerator // cents.denominator
    if cents - whole >= Fraction(1, 2):
        whole += 1
    return Fraction(whole, 100)


@given(quantity=quantities, unit_price=prices, discount=discounts)
def test_line_net_is_the_exact_amount_rounded_half_up_to_the_cent(quantity, unit_price, discount):
    exact = Fraction(quantity) * Fraction(unit_price) * (100 - Fraction(discount)) / 100
    result = line_net(quantity=quantity, unit_price=unit_price, discount=discount)
    assert Fraction(result) == half_up_cents(exact)
    assert result.as_tuple().exponent == -2


@given(lines=lines, vat_rate=vat_rates)
def test_totals_add_up_like_the_printed_lines(lines, vat_rate):
    totals = document_totals(lines=lines, vat_rate=vat_rate)
    line_amounts = [line_net(quantity=x.quantity, unit_price=x.unit_price, discount=x.discount) for x in lines]
    assert totals.net == sum(line_amounts, Decimal("0.00"))
    assert Fraction(totals.vat) == half_up_cents(Fraction(totals.net) * Fraction(vat_rate) / 100)
    assert totals.gross == totals.net + totals.vat
    assert totals.net >= 0 and totals.vat >= 0
    for amount in (totals.net, totals.vat, totals.gross):
        assert amount.as_tuple().exponent == -2


@given(lines=lines)
def test_full_discount_and_zero_vat(lines):
    free = [Line(quantity=x.quantity, unit_price=x.unit_price, discount=Decimal(100)) for x in lines]
    assert document_totals(lines=free, vat_rate=Decimal("19")).gross == 0
    totals = document_totals(lines=lines, vat_rate=Decimal(0))
    assert totals.gross == totals.net


def test_commercial_rounding_rounds_halves_up():
    assert round_money(Decimal("0.005")) == Decimal("0.01")
    assert round_money(Decimal("2.675")) == Decimal("2.68")  # a float would give 2.67
    assert round_money(Decimal("0.0049999")) == Decimal("0.00")
    assert line_net(quantity=Decimal("3"), unit_price=Decimal("0.335"), discount=Decimal(0)) == Decimal("1.01")
    assert line_net(quantity=Decimal("1"), unit_price=Decimal("10.00"), discount=Decimal("33.33")) == Decimal("6.67")


def test_example_offer_totals():
    offer = [
        Line(quantity=Decimal("12.5"), unit_price=Decimal("95.00"), discount=Decimal(0)),
        Line(quantity=Decimal("3"), unit_price=Decimal("1299.99"), discount=Decimal("10")),
        Line(quantity=Decimal("1"), unit_price=Decimal("0.99"), discount=Decimal("0")),
    ]
    totals = document_totals(lines=offer, vat_rate=Decimal("19.00"))
    # 1187.50 + 3509.97 (3899.97 less 10 % = 3509.973) + 0.99
    assert totals.net == Decimal("4698.46")
    assert totals.vat == Decimal("892.71")  # 892.7074
    assert totals.gross == Decimal("5591.17")


def test_money_in_the_documents_language():
    assert format_money(Decimal("1234.56"), currency="EUR", language="de") == "1.234,56\u00a0€"
    assert format_money(Decimal("1234.56"), currency="EUR", language="en") == "€1,234.56"
    assert format_money(Decimal("1234567"), currency="CHF", language="de") == "1.234.567,00\u00a0CHF"
    assert format_quantity(Decimal("2.500"), language="de") == "2,5"
    assert format_quantity(Decimal("1200.000"), language="en") == "1,200"
