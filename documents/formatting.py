"""Numbers, money and dates in a document's own language (1.234,56 € in German), for its PDF.

A document is written in German or English whatever the user's interface
language, so these format with Django's locale formats under that language.
Money in the PDF always has its cents (1.200,00 €), as offers and invoices
print them so that a column of amounts lines up; the pages show amounts with
the one money rule of crm.formats.money in the reader's language.
"""

import datetime as dt
from decimal import Decimal

from django.utils import formats, translation

# Type names in the document's language (the PDF's heading, the default title).
TYPE_NAMES = {
    "de": {
        "price_indication": "Preisindikation",
        "offer": "Angebot",
        "cost_estimate": "Kostenschätzung",
        "project_document": "Projektdokument",
    },
    "en": {
        "price_indication": "Price indication",
        "offer": "Offer",
        "cost_estimate": "Cost estimate",
        "project_document": "Project document",
    },
}
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
CURRENCY_CHOICES = [("EUR", "EUR (€)"), ("CHF", "CHF"), ("USD", "USD ($)"), ("GBP", "GBP (£)")]


def format_number(value: Decimal, *, language: str, decimal_pos: int | None = 2) -> str:
    with translation.override(language):
        return formats.number_format(value, decimal_pos=decimal_pos, use_l10n=True, force_grouping=True)


def format_money(value: Decimal, *, currency: str, language: str) -> str:
    """1.234,56 € (German) or €1,234.56 (English); codes without a symbol: 1.234,56 CHF / CHF 1,234.56."""
    return _money(format_number(abs(value), language=language), value, currency=currency, language=language)


def _money(amount: str, value: Decimal, *, currency: str, language: str) -> str:
    sign = "−" if value < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(currency)
    if language == "de":
        return f"{sign}{amount}\u00a0{symbol or currency}"
    if symbol:
        return f"{sign}{symbol}{amount}"
    return f"{sign}{currency}\u00a0{amount}"


def format_quantity(value: Decimal, *, language: str) -> str:
    """2,5 or 1 (no trailing zeros)."""
    normalized = value.normalize()
    places = max(0, -normalized.as_tuple().exponent)
    return format_number(value, language=language, decimal_pos=places)


def format_percent(value: Decimal, *, language: str) -> str:
    return f"{format_quantity(value, language=language)}\u00a0%"


def format_date(value: dt.date | None, *, language: str) -> str:
    """27.11.2026 (German) or 27 November 2026 (English)."""
    if value is None:
        return ""
    with translation.override(language):
        return formats.date_format(value, "d.m.Y" if language == "de" else "j F Y")


def input_decimal(value: Decimal | None) -> str:
    """A Decimal for an input box: 2.5, 1, 1200 (no exponent, no trailing zeros)."""
    if value is None:
        return ""
    normalized = value.normalize()
    return f"{normalized:f}"
