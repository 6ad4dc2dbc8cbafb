import re
from decimal import Decimal

from django import forms
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext_lazy as _

from crm.widgets import Select
from opportunities.custom_fields import clean_value
from opportunities.models import CustomField, FieldType, PhaseKind, SavedView
from opportunities.table import available_columns
from organizations.forms import OrganizationForm
from organizations.models import Organization


class QuickEditForm(forms.Form):
    """One field of one row: phase, status or owner, with the version the user saw."""

    field = forms.ChoiceField(choices=[("phase", "phase"), ("status", "status"), ("owner", "owner")])
    value = forms.IntegerField()
    version = forms.IntegerField(min_value=1)

    def __init__(self, *args, config, **kwargs):
        self.config = config
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        field, value = cleaned.get("field"), cleaned.get("value")
        if field is None or value is None:
            return cleaned
        lookup = {"phase": self.config.phase, "status": self.config.status, "owner": self.config.user}[field]
        obj = lookup(value)
        if obj is None or not obj.is_active:
            raise forms.ValidationError(_("Choose one of the offered values."))
        cleaned["object"] = obj
        return cleaned

    def changes(self) -> dict:
        return {self.cleaned_data["field"]: self.cleaned_data["object"]}


class BulkActionForm(forms.Form):
    """An action for the selected rows: "phase:3", "status:2", "owner:5", "tag" with a tag name, or "trash"."""

    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[], error_messages={"required": _("Select rows first.")})
    choice = forms.CharField(max_length=30, error_messages={"required": _("Choose an action.")})
    tag_name = forms.CharField(max_length=50, required=False)

    def __init__(self, *args, config, **kwargs):
        self.config = config
        super().__init__(*args, **kwargs)
        # Any integer id is acceptable here; the service only touches rows that exist.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("choice")
        if not choice:
            return cleaned
        if choice == "tag":
            name = " ".join((cleaned.get("tag_name") or "").split())
            if not name:
                self.add_error("tag_name", _("Type the tag to add."))
            cleaned["action"], cleaned["object"] = "tag", name
            return cleaned
        if choice == "trash":
            cleaned["action"], cleaned["object"] = "trash", None
            return cleaned
        action, _sep, value = choice.partition(":")
        lookups = {"phase": self.config.phase, "status": self.config.status, "owner": self.config.user}
        obj = lookups[action](int(value)) if action in lookups and value.isdigit() else None
        if obj is None or not obj.is_active:
            raise forms.ValidationError(_("Choose one of the offered actions."))
        cleaned["action"], cleaned["object"] = action, obj
        return cleaned

    def changes(self) -> dict:
        action, obj = self.cleaned_data["action"], self.cleaned_data["object"]
        if action == "tag":
            return {"add_tag": obj}
        return {"data": {action: obj}}


class ColumnsForm(forms.Form):
    columns = forms.MultipleChoiceField(choices=[])

    def __init__(self, *args, config, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["columns"].choices = [(key, column.label) for key, column in available_columns(config).items()]

    def clean_columns(self):
        # Keep the order in which the user listed them.
        chosen = set(self.cleaned_data["columns"])
        return [key for key in dict.fromkeys(self.data.getlist("columns")) if key in chosen]


class SavedViewForm(forms.ModelForm):
    class Meta:
        model = SavedView
        fields = ["name", "query"]


class MoveForm(forms.Form):
    """A board move: the target column (a phase or status id), the version the user saw."""

    group = forms.ChoiceField(choices=[("phase", "phase"), ("status", "status")])
    to = forms.IntegerField(error_messages={"required": _("Choose where to move it.")})
    version = forms.IntegerField(min_value=1)
    lost_reason = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, config, **kwargs):
        self.config = config
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        group, to = cleaned.get("group"), cleaned.get("to")
        if group is None or to is None:
            return cleaned
        target = self.config.phase(to) if group == "phase" else self.config.status(to)
        if target is None:
            raise forms.ValidationError(_("That column does not exist (any more). Reload the board."))
        if not target.is_active:
            raise forms.ValidationError(
                _("“%(name)s” is no longer in use; choose another column.") % {"name": target.name}
            )
        cleaned["target"] = target
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            data["group"]: data["target"],
            "version": data["version"],
            "lost_reason": data.get("lost_reason") or "",
            "confirmed": bool(data.get("confirm")),
        }


# Detail page -------------------------------------------------------------


class MoneyField(forms.DecimalField):
    """An amount as a plain decimal ("1234.56") or as the user's language writes it ("1.234,56", "1,234.56").

    Anything else ("1,2,3", "1.2.3,4", "12,5" in English) is refused with an example in the
    user's format rather than guessed at, and so are fractions of a cent ("0.005"): a
    changed amount the user did not type is worse than a message next to the field.
    """

    default_error_messages = {
        "invalid": _("Enter an amount like %(example)s."),
        "max_decimal_places": _("An amount has at most two decimal places (cents)."),
    }

    def to_python(self, value):
        if not isinstance(value, str):
            return super().to_python(value)
        text = value.strip().replace(" ", "").replace("\u00a0", "").replace("\u202f", "").replace("€", "")
        if text in self.empty_values:
            return None
        decimal, thousands = get_format("DECIMAL_SEPARATOR"), get_format("THOUSAND_SEPARATOR")
        sign = r"[-+]?"
        grouped = rf"^{sign}\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+(?:{re.escape(decimal)}\d+)?$"
        local = rf"^{sign}\d+(?:{re.escape(decimal)}\d+)?$"
        if re.fullmatch(grouped, text) or (decimal != "." and re.fullmatch(local, text)):
            text = text.replace(thousands, "").replace(decimal, ".")
        elif not re.fullmatch(rf"^{sign}\d+(?:\.\d+)?$", text):
            example = number_format(Decimal("1234.56"), 2, use_l10n=True, force_grouping=True)
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"example": f"{example} / 1234.56"}
            )
        return super().to_python(text)


class _RawMultiple(forms.Field):
    """Several checked values, validated by the custom field's rules (not Django's choice check)."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value):
        if not value:
            return []
        return [str(item) for item in value] if isinstance(value, list | tuple) else [str(value)]


def custom_field_formfield(definition: CustomField) -> forms.Field:
    """A form field whose widget fits the custom field's type; the values are checked by custom_fields.clean_value."""
    common = {"label": definition.label, "required": definition.required, "help_text": definition.help_text}
    blank = [("", "—")]
    match definition.field_type:
        case FieldType.LONG_TEXT:
            return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
        case FieldType.INTEGER:
            return forms.CharField(widget=forms.NumberInput(attrs={"step": "1", "inputmode": "numeric"}), **common)
        case FieldType.DECIMAL:
            return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
        case FieldType.DATE:
            return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        case FieldType.URL:
            return forms.CharField(widget=forms.URLInput(attrs={"placeholder": "https://"}), **common)
        case FieldType.BOOLEAN:
            choices = blank + [("true", _("Yes")), ("false", _("No"))]
            return forms.CharField(widget=forms.Select(choices=choices), **common)
        case FieldType.CHOICE:
            choices = blank + [(choice, choice) for choice in definition.choices]
            return forms.CharField(widget=forms.Select(choices=choices), **common)
        case FieldType.MULTI_CHOICE:
            return _RawMultiple(
                widget=forms.CheckboxSelectMultiple(choices=[(choice, choice) for choice in definition.choices]),
                **common,
            )
    return forms.CharField(**common)


def custom_field_initial(definition: CustomField, value):
    """A stored custom value as the form shows it."""
    if definition.field_type == FieldType.BOOLEAN:
        return "" if value is None else ("true" if value else "false")
    if value is None:
        return [] if definition.field_type == FieldType.MULTI_CHOICE else ""
    return value


def _choices(options, current=None, *, blank=False):
    """Active options, plus the current one when it was deactivated meanwhile (so it stays visible)."""
    choices = [("", "—")] if blank else []
    choices += [(option.pk, option.name) for option in options if option.is_active]
    if current is not None and not current.is_active:
        choices.append((current.pk, current.name))
    return choices


# The fields of an opportunity editable in place; custom fields are "cf_<key>".
INLINE_FIELDS = {
    "name": _("Name"),
    "description": _("Description"),
    "probability": _("Close probability"),
    "value": _("Value"),
    "expected_close_date": _("Expected close"),
    "category": _("Category"),
    "source": _("Source"),
    "status": _("Status"),
    "phase": _("Phase"),
    "owner": _("Owner"),
}


def phase_choices(config, opportunity) -> list:
    """Phases the header's select offers: open ones, and won (lost) ones only while already won (lost).

    Crossing into won or lost takes "Mark as won/lost" with its confirmation or reason.
    """
    kind = opportunity.phase.kind
    return [
        (phase.pk, phase.name)
        for phase in config.phases
        if (phase.is_active and phase.kind in (PhaseKind.OPEN, kind)) or phase.pk == opportunity.phase_id
    ]


class OpportunityFieldForm(forms.Form):
    """One field of one opportunity, edited in place, with the version the user saw."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, key: str, config, opportunity, **kwargs):
        kwargs.setdefault("auto_id", f"edit-{key}-%s")
        super().__init__(*args, **kwargs)
        self.key, self.config, self.opportunity = key, config, opportunity
        self.definition = None
        if key.startswith("cf_"):
            self.definition = next((f for f in config.custom_fields if f"cf_{f.key}" == key), None)
            if self.definition is None:
                raise KeyError(key)
            field = custom_field_formfield(self.definition)
            initial = custom_field_initial(self.definition, opportunity.custom_values.get(self.definition.key))
        else:
            field, initial = self._builtin(key)
        if not isinstance(field.widget, forms.CheckboxSelectMultiple):
            field.widget.attrs["autofocus"] = True
        self.fields["value"] = field
        self.initial.setdefault("value", initial)
        self.initial.setdefault("version", opportunity.version)

    def _builtin(self, key):
        opportunity, config = self.opportunity, self.config
        label = INLINE_FIELDS[key]
        match key:
            case "name":
                field = forms.CharField(label=label, max_length=200)
                return field, opportunity.name
            case "description":
                widget = forms.Textarea(attrs={"rows": 6})
                return forms.CharField(
                    label=label, required=False, max_length=20_000, widget=widget
                ), opportunity.description
            case "probability":
                widget = forms.NumberInput(attrs={"step": "5", "min": "0", "max": "100"})
                return forms.IntegerField(
                    label=label, min_value=0, max_value=100, widget=widget
                ), opportunity.probability
            case "value":
                widget = forms.TextInput(attrs={"inputmode": "decimal"})
                field = MoneyField(label=label, min_value=0, max_digits=14, decimal_places=2, widget=widget)
                return field, opportunity.value
            case "expected_close_date":
                widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
                return forms.DateField(label=label, required=False, widget=widget), opportunity.expected_close_date
            case "category" | "source":
                options = config.categories if key == "category" else config.sources
                current = getattr(opportunity, key)
                choices = _choices(options, current, blank=True)
                field = forms.TypedChoiceField(
                    label=label, choices=choices, coerce=int, required=False, empty_value=None
                )
                return field, getattr(opportunity, f"{key}_id")
            case "status":
                choices = _choices(config.statuses, opportunity.status)
                return forms.TypedChoiceField(label=label, choices=choices, coerce=int), opportunity.status_id
            case "phase":
                choices = phase_choices(config, opportunity)
                return forms.TypedChoiceField(label=label, choices=choices, coerce=int), opportunity.phase_id
            case "owner":
                choices = [(user.pk, user.name) for user in config.active_users]
                if not any(pk == opportunity.owner_id for pk, _name in choices):
                    choices.append((opportunity.owner_id, opportunity.owner.name))
                return forms.TypedChoiceField(label=label, choices=choices, coerce=int), opportunity.owner_id
        raise KeyError(key)

    def clean_value(self):
        value = self.cleaned_data.get("value")
        if self.definition is not None:
            try:
                return clean_value(self.definition, value)
            except forms.ValidationError as error:
                raise forms.ValidationError(error.messages[0]) from None
        if self.key == "name":
            value = " ".join(value.split())
            if not value:
                raise forms.ValidationError(_("Give the opportunity a name."))
        return value

    def changes(self) -> dict:
        """The service's ``data`` for this edit."""
        value = self.cleaned_data["value"]
        if self.definition is not None:
            return {"custom_values": {self.definition.key: value}}
        lookup = {
            "category": self.config.category,
            "source": self.config.source,
            "status": self.config.status,
            "phase": self.config.phase,
            "owner": self.config.user,
        }.get(self.key)
        if lookup is not None:
            return {self.key: lookup(value) if value is not None else None}
        return {self.key: value}


class WinForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class LoseForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    lost_reason = forms.CharField(
        label=_("Why was it lost?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("e.g. Went with a competitor; budget cut")}),
        error_messages={"required": _("Say why the opportunity was lost.")},
    )

    def clean_lost_reason(self):
        reason = self.cleaned_data["lost_reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the opportunity was lost."))
        return reason


class TagAddForm(forms.Form):
    name = forms.CharField(label=_("Add a tag"), max_length=50, error_messages={"required": _("Type a tag.")})

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Type a tag."))
        return name


class TaskForm(forms.Form):
    """A new task: title, assignee (active users), due date."""

    title = forms.CharField(
        label=_("Task"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Send the price indication")}),
        error_messages={"required": _("Say what needs doing.")},
    )
    # Every colleague is a choice: crm.widgets.Select renders them without an include each.
    assignee = forms.TypedChoiceField(label=_("Assignee"), coerce=int, required=False, empty_value=None, widget=Select)
    due_date = forms.DateField(label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, config, **kwargs):
        kwargs.setdefault("auto_id", "task-%s")
        super().__init__(*args, **kwargs)
        self.config = config
        self.fields["assignee"].choices = [("", _("Nobody"))] + [(u.pk, u.name) for u in config.active_users]

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError(_("Say what needs doing."))
        return title

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "assignee": self.config.user(data["assignee"]) if data.get("assignee") else None,
            "due_date": data.get("due_date"),
        }


ORGANIZATION_CONTACT_FIELDS = ["street", "postal_code", "city", "country", "email", "phone", "website"]


class OrganizationContactForm(forms.ModelForm):
    """The organization's address and ways to reach it, edited from an opportunity."""

    class Meta:
        model = Organization
        fields = ORGANIZATION_CONTACT_FIELDS
        widgets = {name: OrganizationForm.Meta.widgets[name] for name in ORGANIZATION_CONTACT_FIELDS}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "org-%s")
        super().__init__(*args, **kwargs)


class OpportunityCreateForm(forms.Form):
    """A new opportunity: its organization, name and the facts known at the start, plus the custom fields."""

    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.only("id", "name", "code"),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choose the organization."),
            "invalid_choice": _("That organization does not exist (any more). Search again."),
        },
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. CRM rollout for the sales team")}),
        error_messages={"required": _("Give the opportunity a name.")},
    )
    phase = forms.TypedChoiceField(label=_("Phase"), coerce=int)
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, required=False, empty_value=None)
    source = forms.TypedChoiceField(label=_("Source"), coerce=int, required=False, empty_value=None)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    value = MoneyField(
        label=_("Value"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0"}),
    )
    probability = forms.IntegerField(
        label=_("Close probability (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Leave blank to use the phase's default."),
    )
    expected_close_date = forms.DateField(
        label=_("Expected close"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, config, user, can_reassign: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.config = config
        self.fields["phase"].choices = [(p.pk, p.name) for p in config.active_phases if p.kind == PhaseKind.OPEN]
        self.fields["category"].choices = _choices(config.categories, blank=True)
        self.fields["source"].choices = _choices(config.sources, blank=True)
        self.fields["owner"].choices = [(u.pk, u.name) for u in config.active_users] or [(user.pk, user.name)]
        self.initial.setdefault("owner", user.pk)
        if not can_reassign:
            # Sales open opportunities for themselves; managers may assign them to anyone.
            self.fields["owner"].choices = [(user.pk, user.name)]
            self.fields["owner"].disabled = True
        self.custom_fields = list(config.custom_fields)
        for definition in self.custom_fields:
            self.fields[f"cf_{definition.key}"] = custom_field_formfield(definition)

    def clean(self):
        cleaned = super().clean()
        for definition in self.custom_fields:
            name = f"cf_{definition.key}"
            if name in self.errors:
                continue
            try:
                cleaned[name] = clean_value(definition, cleaned.get(name))
            except forms.ValidationError as error:
                self.add_error(name, error.messages[0])
        return cleaned

    @property
    def custom_bound_fields(self):
        return [self[f"cf_{definition.key}"] for definition in self.custom_fields]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        values = {
            "name": data["name"],
            "phase": self.config.phase(data["phase"]),
            "owner": self.config.user(data["owner"]),
            "category": self.config.category(data["category"]) if data.get("category") else None,
            "source": self.config.source(data["source"]) if data.get("source") else None,
            "value": data.get("value"),
            "probability": data.get("probability"),
            "expected_close_date": data.get("expected_close_date"),
            "description": data.get("description") or "",
            "custom_values": {
                definition.key: data[f"cf_{definition.key}"]
                for definition in self.custom_fields
                if data.get(f"cf_{definition.key}") is not None
            },
        }
        return {"organization": data["organization"], "data": values}
