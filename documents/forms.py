from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from documents.formatting import CURRENCY_CHOICES, input_decimal
from documents.models import LINE_DESCRIPTION_MAX_CHARS, Document, DocumentLine, Letterhead
from documents.validators import TextLimit, validate_logo


class AmountField(forms.DecimalField):
    """A decimal typed either way: 2,5 or 2.5; 1.234,56 or 1,234.56 (the last separator is the decimal one)."""

    widget = forms.TextInput

    def __init__(self, *, minimum=Decimal(0), maximum=None, messages=None, **kwargs):
        self.minimum, self.maximum, self.messages = minimum, maximum, messages or {}
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            text = value.strip().replace(" ", "").replace("\u00a0", "").replace("%", "").replace("€", "")
            if "," in text and "." in text:
                decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
                grouping = "." if decimal_mark == "," else ","
                text = text.replace(grouping, "").replace(decimal_mark, ".")
            else:
                text = text.replace(",", ".")
            value = text
        invalid = ValidationError(self.messages.get("invalid", _("Enter a number, e.g. 2,5.")), code="invalid")
        try:
            result = super().to_python(value)
        except ValidationError:
            raise invalid from None
        if result is not None and not result.is_finite():
            raise invalid
        return result

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        try:
            value.as_tuple()
        except (AttributeError, InvalidOperation):
            raise ValidationError(_("Enter a number."), code="invalid") from None
        if self.minimum is not None and value < self.minimum:
            raise ValidationError(self.messages.get("min", _("Must not be negative.")), code="min_value")
        if self.maximum is not None and value > self.maximum:
            raise ValidationError(self.messages.get("max", _("Too large.")), code="max_value")

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return input_decimal(value)
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # Decimal commas must be typeable, so not type=number (and no step/min the browser would enforce).
        for name in ("step", "min", "max"):
            attrs.pop(name, None)
        attrs["inputmode"] = "decimal"
        attrs["autocomplete"] = "off"
        return attrs


class DocumentForm(forms.ModelForm):
    vat_rate = AmountField(
        label=_("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        maximum=Decimal(100),
        messages={
            "min": _("The VAT rate cannot be negative."),
            "max": _("The VAT rate is at most 100 %."),
        },
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES)

    class Meta:
        model = Document
        fields = ["title", "doc_type", "language", "currency", "vat_rate", "valid_until", "recipient", "intro", "terms"]
        widgets = {
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "intro": forms.Textarea(attrs={"rows": 3}),
            "terms": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "intro": _("Printed above the line items, e.g. the salutation and a sentence about the project."),
            "terms": _("Printed after the totals: payment terms, conditions, next steps."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.instance.opportunity.organization
        self.fields["recipient"].queryset = organization.members.all()
        self.fields["recipient"].empty_label = _("— the organization only —")
        self.fields["recipient"].help_text = _("A member of %(name)s; the PDF is addressed to them.") % {
            "name": organization.name
        }
        if self.instance.currency not in dict(CURRENCY_CHOICES):
            self.fields["currency"].choices = [*CURRENCY_CHOICES, (self.instance.currency, self.instance.currency)]


class LineForm(forms.ModelForm):
    quantity = AmountField(
        label=_("Quantity"),
        max_digits=12,
        decimal_places=3,
        messages={"min": _("The quantity cannot be negative.")},
    )
    unit_price = AmountField(
        label=_("Unit price"),
        max_digits=14,
        decimal_places=2,
        messages={"min": _("The unit price cannot be negative.")},
    )
    discount = AmountField(
        label=_("Discount (%)"),
        max_digits=5,
        decimal_places=2,
        maximum=Decimal(100),
        messages={"min": _("The discount cannot be negative."), "max": _("The discount is at most 100 %.")},
    )

    class Meta:
        model = DocumentLine
        fields = ["description", "quantity", "unit", "unit_price", "discount"]
        widgets = {"description": forms.Textarea(attrs={"rows": 1})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's limit, checked here too because _post_clean leaves the model alone.
        self.fields["description"].validators.append(TextLimit(LINE_DESCRIPTION_MAX_CHARS))
        self.fields["description"].widget.attrs["placeholder"] = _("What is offered")
        self.fields["unit"].widget.attrs["placeholder"] = _("h, days, pcs")

    def _post_clean(self):
        # The line belongs to its document; positions and the rest are the service's business.
        pass


class DecideForm(forms.Form):
    accepted = forms.TypedChoiceField(choices=[("1", _("Accepted")), ("0", _("Rejected"))], coerce=lambda v: v == "1")
    mark_won = forms.BooleanField(required=False)


class LetterheadForm(forms.ModelForm):
    class Meta:
        model = Letterhead
        fields = [
            "company_name",
            "address",
            "logo",
            "email",
            "phone",
            "website",
            "vat_id",
            "register",
            "managing_directors",
            "bank_details",
            "footer_text",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "bank_details": forms.Textarea(attrs={"rows": 3}),
            "footer_text": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "content_type"):
            # A fresh upload: check it here so the message sits next to the field.
            validate_logo(logo)
        return logo
