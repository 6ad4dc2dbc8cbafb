"""Per-language date formats (FORMAT_MODULE_PATH), and the few composite formats built from them."""

from django.utils import timezone
from django.utils.formats import date_format


def day_format(value, today) -> str:
    """The format name for a day on a card or in a list: day and month within this year
    ("29 Aug"), with the year otherwise ("29 Aug 2025", "29.08.2025")."""
    return "MONTH_DAY_FORMAT" if value.year == today.year else "SHORT_DATE_FORMAT"


def weekday_and_day(value, today=None) -> str:
    """A day with its weekday: "Mon 16 Nov", "Mo 16. Nov"; with the year outside this year
    ("Tue 5 Jan 2027", "Di 05.01.2027")."""
    today = today or timezone.localdate()
    return f"{date_format(value, 'D')} {date_format(value, day_format(value, today))}"
