import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from organizations.models import CODE_PATTERN, Member, Organization
from organizations.services import MEMBER_FIELDS, ORGANIZATION_FIELDS


class OrganizationForm(forms.ModelForm):
    """Shape of an organization; the service decides the code when it is left blank."""

    class Meta:
        model = Organization
        fields = ORGANIZATION_FIELDS
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "organization", "autofocus": True}),
            "code": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "input-code"}),
            "street": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "country": forms.TextInput(attrs={"autocomplete": "country-name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "website": forms.URLInput(attrs={"placeholder": "https://"}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        code.required = False
        if self.instance.pk and self.instance.opportunity_counter:
            # Short names like BION-1 are fixed references; the service ignores a new code too.
            code.disabled = True
            code.help_text = _("Fixed: the opportunities’ short names (%(code)s-1, …) are built from it.") % {
                "code": self.instance.code
            }
        elif not self.instance.pk:
            code.help_text = _("Leave blank to use a code suggested from the name.")

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip().upper()
        if self.fields["code"].disabled or not code:
            return code
        if not re.fullmatch(CODE_PATTERN, code):
            raise ValidationError(
                _("Use 2 to 10 letters A–Z or digits, without spaces or dashes (e.g. BION)."), code="invalid"
            )
        # Codes of organizations in the trash stay taken: a restore brings their short names back.
        taken_by = (
            Organization.all_objects.filter(code=code)
            .exclude(pk=self.instance.pk)
            .values_list("name", "deleted_at")
            .first()
        )
        if taken_by and taken_by[1] is not None:
            raise ValidationError(
                _("%(code)s is used by %(name)s, which is in the trash."),
                code="unique",
                params={"code": code, "name": taken_by[0]},
            )
        if taken_by:
            raise ValidationError(
                _("%(code)s is already used by %(name)s."), code="unique", params={"code": code, "name": taken_by[0]}
            )
        return code


class MemberForm(forms.ModelForm):
    """Shape of a contact person."""

    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        widgets = {
            "academic_title": forms.TextInput(attrs={"autocomplete": "honorific-prefix"}),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "street": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "country": forms.TextInput(attrs={"autocomplete": "country-name"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        # Several member forms can be open on one page: keep their ids apart.
        instance = kwargs.get("instance")
        kwargs.setdefault("auto_id", f"member-{instance.pk}-%s" if instance and instance.pk else "new-member-%s")
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autofocus"] = True
        self.fields["influence_level"].help_text = _("How much say they have in the buying decision.")
        self.fields["attitude"].help_text = _("How they feel about the project.")
        self.fields["personality"].help_text = _("DISC style: how they like to be approached.")
