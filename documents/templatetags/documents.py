"""Template helpers for documents: the detail page's section and amounts in a document's locale."""

import html
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from crm import permissions
from crm.legacy_markup import icon_line
from documents import formatting, selectors
from documents.models import DocumentStatus, DocumentType

register = template.Library()


@register.simple_tag
def document_section(opportunity, user) -> dict:
    """The documents of an opportunity with totals (one query) and what the user may do."""
    return {
        "documents": selectors.document_list(opportunity=opportunity),
        "can_add": permissions.can_add_document(user, opportunity),
    }


_WORDS: dict[str, dict] = {}


def _words() -> dict:
    """The section's fixed words in the active language, escaped: translated once per process and language."""
    language = translation.get_language()
    words = _WORDS.get(language)
    if words is None:
        esc = html.escape
        words = _WORDS[language] = {
            "types": {value: esc(str(label)) for value, label in DocumentType.choices},
            "statuses": {value: esc(str(label)) for value, label in DocumentStatus.choices},
            # A format (its values are escaped when filled in), as {% blocktranslate %} uses it.
            "created": esc(_("Created by %(name)s on %(date)s")),
            "net": esc(_("Net")),
            "vat": esc(_("VAT")),
            "gross": esc(_("Gross")),
            "download": esc(_("Download PDF")),
            "download_icon": icon_line("download", "icon-sm").strip(),
        }
    return words


def _url(name: str) -> str:
    # Reversed once per render with a placeholder; the number is quoted as reverse() would.
    return html.escape(reverse(name, args=["__NUMBER__"]))


@register.simple_tag
def document_items(documents):
    """The section's documents as list items. Rendered in Python: the template version (an include, a
    blocktranslate, two URL tags and three amounts, each formatted under its document's language)
    cost ~0.8 ms per document."""
    words = _words()
    esc = html.escape
    detail_url, pdf_url = _url("documents:document-detail"), _url("documents:document-pdf")
    days: dict = {}
    items = []
    for document in documents:
        number = quote(document.number, safe="!$&'()*+,;=/~:@")
        totals = document.totals
        net, vat, gross = formatting.format_amounts(
            [totals.net, totals.vat, totals.gross], currency=document.currency, language=document.language
        )
        day = timezone.localtime(document.created_at).date()
        created_on = days.get(day)
        if created_on is None:
            created_on = days[day] = esc(date_format(day, "DATE_FORMAT"))
        created = words["created"] % {"name": esc(document.created_by.name), "date": created_on}
        status = document.status
        items.append(
            f'<li class="doc-item"><div class="doc-main"><a class="cell-title doc-title" '
            f'href="{detail_url.replace("__NUMBER__", esc(number))}">{esc(document.title)}</a>'
            f'<div class="doc-meta"><span class="badge badge-code">{esc(document.number)}</span>'
            f"<span>{words['types'].get(document.doc_type) or esc(document.doc_type)}</span>"
            f'<span class="badge doc-status doc-status-{esc(status)}">'
            f"{words['statuses'].get(status) or esc(status)}</span></div>"
            f'<div class="doc-meta muted text-small">{created}</div></div>'
            f'<dl class="doc-amounts"><div><dt>{words["net"]}</dt><dd>{esc(net)}</dd></div>'
            f"<div><dt>{words['vat']}</dt><dd>{esc(vat)}</dd></div>"
            f'<div class="is-gross"><dt>{words["gross"]}</dt><dd>{esc(gross)}</dd></div></dl>'
            f'<a class="btn btn-secondary btn-sm doc-download" href="{pdf_url.replace("__NUMBER__", esc(number))}" '
            f"download>{words['download_icon']}{words['download']}</a></li>"
        )
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped


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
