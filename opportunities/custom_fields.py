"""Admin-defined custom fields: definition checks and value validation by type.

Values are stored in ``Opportunity.custom_values`` (JSONB) under the field's key,
in a JSON-native form: text/URL/choice as strings, integer as int, decimal as a
string (exact, no float), date as ISO string, boolean as bool, multi-choice as a
list of strings. ``clean_custom_values`` turns form input into that form.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from opportunities.models import CustomField, FieldType

CHOICE_TYPES = {FieldType.CHOICE, FieldType.MULTI_CHOICE}
MAX_TEXT = 500
MAX_LONG_TEXT = 10_000


def clean_definition(field: CustomField) -> None:
    """Check that a custom-field definition is consistent (choices for choice types)."""
    choices = field.choices
    if field.field_type in CHOICE_TYPES:
        if not isinstance(choices, list) or not choices or not all(isinstance(c, str) and c.strip() for c in choices):
            raise ValidationError({"choices": _("Choice fields need a list of non-empty texts.")})
        if len({c.strip().lower() for c in choices}) != len(choices):
            raise ValidationError({"choices": _("Each choice may appear only once.")})
        field.choices = [c.strip() for c in choices]
    elif choices:
        raise ValidationError({"choices": _("Only choice fields have choices.")})


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def clean_value(field: CustomField, value):
    """Return ``value`` in its stored form, or raise ValidationError with a clear message."""
    if field.field_type == FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        if value in (None, ""):
            if field.required:
                raise ValidationError(_("This field is required."))
            return None
        text = str(value).strip().lower()
        if text in {"true", "1", "yes", "on"}:
            return True
        if text in {"false", "0", "no", "off"}:
            return False
        raise ValidationError(_("Choose yes or no."))

    if _is_empty(value):
        if field.required:
            raise ValidationError(_("This field is required."))
        return None

    match field.field_type:
        case FieldType.TEXT | FieldType.LONG_TEXT:
            text = str(value).strip()
            limit = MAX_TEXT if field.field_type == FieldType.TEXT else MAX_LONG_TEXT
            if len(text) > limit:
                raise ValidationError(_("At most %(limit)d characters.") % {"limit": limit})
            return text
        case FieldType.INTEGER:
            if isinstance(value, bool):
                raise ValidationError(_("Enter a whole number."))
            try:
                number = int(str(value).strip())
            except ValueError:
                raise ValidationError(_("Enter a whole number.")) from None
            if abs(number) > 2**53:
                raise ValidationError(_("This number is too large."))
            return number
        case FieldType.DECIMAL:
            try:
                number = Decimal(str(value).strip().replace(",", "."))
            except InvalidOperation:
                raise ValidationError(_("Enter a number.")) from None
            if not number.is_finite() or abs(number) >= Decimal("1e15"):
                raise ValidationError(_("Enter a number."))
            return str(number)
        case FieldType.DATE:
            if isinstance(value, datetime.date):
                return value.isoformat()
            try:
                return datetime.date.fromisoformat(str(value).strip()).isoformat()
            except ValueError:
                raise ValidationError(_("Enter a valid date (YYYY-MM-DD).")) from None
        case FieldType.URL:
            text = str(value).strip()
            try:
                URLValidator(schemes=["http", "https"])(text)
            except ValidationError:
                raise ValidationError(_("Enter a valid web address starting with http:// or https://.")) from None
            return text
        case FieldType.CHOICE:
            text = str(value).strip()
            if text not in field.choices:
                raise ValidationError(_("“%(value)s” is not one of the choices.") % {"value": text})
            return text
        case FieldType.MULTI_CHOICE:
            values = value if isinstance(value, list | tuple) else [value]
            cleaned = []
            for item in values:
                text = str(item).strip()
                if text not in field.choices:
                    raise ValidationError(_("“%(value)s” is not one of the choices.") % {"value": text})
                if text not in cleaned:
                    cleaned.append(text)
            return cleaned
    raise ValidationError(_("Unknown field type."))


def clean_custom_values(values: dict, *, fields=None, partial: bool = False) -> dict:
    """Validate a dict of custom values against the active definitions.

    Unknown keys are refused. With ``partial``, only the given keys are checked
    (inline edit of one field); otherwise every required field must be present.
    Raises one ValidationError mapping each key to its message.
    """
    if fields is None:
        fields = list(CustomField.objects.active())
    by_key = {field.key: field for field in fields}
    errors = {}
    cleaned = {}
    for key in values:
        if key not in by_key:
            errors[key] = _("Unknown field.")
    for field in fields:
        if partial and field.key not in values:
            continue
        try:
            result = clean_value(field, values.get(field.key))
        except ValidationError as exc:
            errors[field.key] = exc.messages[0]
            continue
        if result is not None:
            cleaned[field.key] = result
    if errors:
        raise ValidationError(errors)
    return cleaned


def display(field: CustomField, value) -> tuple[str, str]:
    """A stored value as (text, link) for showing it: link is "" unless it is a web address to open."""
    if _is_empty(value):
        return "", ""
    match field.field_type:
        case FieldType.BOOLEAN:
            return (_("Yes") if value else _("No")), ""
        case FieldType.MULTI_CHOICE:
            return ", ".join(str(item) for item in value), ""
        case FieldType.URL:
            # Only web addresses become links: a value stored while the field was plain
            # text (an admin may change the type later) could be "javascript:…".
            text = str(value)
            return text, text if text.lower().startswith(("http://", "https://")) else ""
    return str(value), ""
