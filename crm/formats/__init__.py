"""Per-language date formats (FORMAT_MODULE_PATH), and the few composite formats built from them."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language


def day_format(value, today) -> str:
    """The format name for a day on a card or in a list: day and month within this year
    ("29 Aug"), with the year otherwise ("29 Aug 2025", "29.08.2025")."""
    return "MONTH_DAY_FORMAT" if value.year == today.year else "SHORT_DATE_FORMAT"


def weekday_and_day(value, today=None) -> str:
    """A day with its weekday: "Mon 16 Nov", "Mo 16. Nov"; with the year outside this year
    ("Tue 5 Jan 2027", "Di 05.01.2027")."""
    today = today or timezone.localdate()
    return f"{date_format(value, 'D')} {date_format(value, day_format(value, today))}"


def day(value, today=None) -> str:
    """A day on a card or in a list (day_format), "" for no day."""
    if not value:
        return ""
    return date_format(value, day_format(value, today or timezone.localdate()))


CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF"}
CENT = Decimal("0.01")


def money(value, currency: str = "EUR") -> str:
    """An amount with its currency symbol: "12.345,67 €" in German, "€12,345.67" in English.

    One rule everywhere (table, board, detail, documents, e-mails): rounded half up to
    the cent, cents shown only when there are any, the language's separators, a
    non-breaking space between a symbol and the number where the language puts one.
    """
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    digits = 0 if amount == amount.to_integral_value() else 2
    number = number_format(amount, decimal_pos=digits, use_l10n=True, force_grouping=True)
    symbol = CURRENCY_SYMBOLS.get(currency or "EUR", currency or "")
    if (get_language() or "en").startswith("de"):
        return f"{number}\N{NO-BREAK SPACE}{symbol}"
    if len(symbol) > 1:  # "CHF 1,200"
        return f"{symbol}\N{NO-BREAK SPACE}{number}"
    if number.startswith("-"):
        return f"-{symbol}{number[1:]}"
    return f"{symbol}{number}"
