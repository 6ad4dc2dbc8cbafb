from django import forms
from django.utils.translation import gettext_lazy as _

from opportunities.models import SavedView
from opportunities.table import available_columns


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
    """An action for the selected rows: "phase:3", "status:2", "owner:5" or "tag" with a tag name."""

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
