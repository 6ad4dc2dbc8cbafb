"""Numbers of a document's page in the reader's language; amounts go through components' |money.

The PDF writes them in the document's own language instead (documents.pdf, documents.formatting).
"""

from django import template
from django.utils import translation

from documents import formatting

register = template.Library()


@register.filter
def quantity(value) -> str:
    """2,5 or 1 (no trailing zeros), as the reader's language writes it."""
    if value is None or value == "":
        return ""
    return formatting.format_quantity(value, language=translation.get_language() or "en")


@register.filter
def percent(value) -> str:
    """19 % or 7,5 %."""
    if value is None or value == "":
        return ""
    return formatting.format_percent(value, language=translation.get_language() or "en")
