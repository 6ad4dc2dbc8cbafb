"""Template helpers for documents: the detail page's section and amounts in a document's locale."""

from django import template

from crm import permissions
from documents import formatting, selectors

register = template.Library()


@register.simple_tag
def document_section(opportunity, user) -> dict:
    """The documents of an opportunity with totals (two queries) and what the user may do."""
    return {
        "documents": selectors.document_list(opportunity=opportunity),
        "can_add": permissions.can_add_document(user, opportunity),
    }


@register.filter
def money(value, document) -> str:
    """1.234,56 € for a German document, €1,234.56 for an English one."""
    if value is None or value == "":
        return ""
    return formatting.format_money(value, currency=document.currency, language=document.language)


@register.filter
def quantity(value, document) -> str:
    return formatting.format_quantity(value, language=document.language)


@register.filter
def percent(value, document) -> str:
    return formatting.format_percent(value, language=document.language)
