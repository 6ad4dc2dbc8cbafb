from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from opportunities.models import FieldType
from opportunities.table import GROUPS

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def group_key(opportunity, group):
    return getattr(opportunity, GROUPS[group][1]) if group in GROUPS else ""


@register.simple_tag
def custom_value(opportunity, custom_field):
    """Render a custom field's stored value by its type (escaped; URLs as safe links)."""
    value = opportunity.custom_values.get(custom_field.key)
    if value is None or value == "" or value == []:
        return ""
    match custom_field.field_type:
        case FieldType.BOOLEAN:
            return _("Yes") if value else _("No")
        case FieldType.MULTI_CHOICE:
            return ", ".join(value)
        case FieldType.URL:
            return format_html('<a href="{}" rel="noopener noreferrer nofollow" target="_blank">{}</a>', value, value)
    return str(value)
