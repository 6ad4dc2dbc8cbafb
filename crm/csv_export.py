"""Cells for CSV exports (opportunities, and the organization and member exports to come).

A spreadsheet runs a cell that starts with = + - @ as a formula, also after leading
spaces or control characters it skips, and a cell starting with TAB or CR can be read as
one (OWASP, "CSV Injection"). Such a cell gets a leading apostrophe: shown as text, not run.
"""

import unicodedata
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@")


def csv_cell(value) -> str:
    """A value as a CSV cell's text, neutralised against formula injection; None is empty."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        # A number is a number: -5 is not a formula.
        return str(value)
    text = str(value)
    if text.startswith(("\t", "\r")) or _first_visible(text).startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _first_visible(text: str) -> str:
    """The text from its first character that is neither a control character nor white space."""
    for index, char in enumerate(text):
        if not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf")):
            return text[index:]
    return ""
