"""Per-language date formats (FORMAT_MODULE_PATH), and the few composite formats built from them."""

from django.utils.formats import date_format


def weekday_and_day(value) -> str:
    """A day within the coming weeks with its weekday: "Mon 16 Nov", "Mo 16. Nov"."""
    return f"{date_format(value, 'D')} {date_format(value, 'MONTH_DAY_FORMAT')}"
