from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from crm.admin import EventHistoryMixin
from documents.forms import LetterheadForm
from documents.models import Document, DocumentCounter, DocumentLine, Letterhead


class DocumentLineInline(admin.TabularInline):
    model = DocumentLine
    fields = ["position", "description", "quantity", "unit", "unit_price", "discount"]
    extra = 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "description":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 60})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # A sent document's PDF is final, so its lines are too.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj and obj.sent_at)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.sent_at)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.sent_at)


@admin.register(Document)
class DocumentAdmin(EventHistoryMixin, admin.ModelAdmin):
    list_display = ["number", "title", "opportunity", "doc_type", "status", "language", "created_by", "created_at"]
    list_select_related = ["opportunity", "created_by"]
    list_filter = ["status", "doc_type", "language", "year"]
    search_fields = [
        "number",
        "title",
        "opportunity__short_name",
        "opportunity__name",
        "opportunity__organization__name",
    ]
    autocomplete_fields = ["opportunity", "recipient", "created_by"]
    readonly_fields = [
        "number",
        "year",
        "sequence",
        "revision_of",
        "approved_by",
        "approved_at",
        "pdf",
        "sent_at",
        "decided_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["number", "opportunity", "title", "doc_type", "status", "language", "recipient"]}),
        (_("Terms"), {"fields": ["currency", "vat_rate", "valid_until", "intro", "terms"]}),
        (
            _("History"),
            {
                "fields": [
                    "year",
                    "sequence",
                    "revision_of",
                    "approved_by",
                    "approved_at",
                    "pdf",
                    "sent_at",
                    "decided_at",
                    "created_by",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]
    inlines = [DocumentLineInline]

    def has_add_permission(self, request):
        # Numbers (2026-0001) are handed out under a lock by the documents
        # service; documents are created from their opportunity, not here.
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.sent_at:
            # Every download of a sent document returns the stored PDF, so
            # the record must keep matching it; only the status moves on.
            editable = {"status"}
            return [name for name in self._all_field_names() if name not in editable]
        return self.readonly_fields

    def _all_field_names(self):
        return [name for _title, options in self.fieldsets for name in options["fields"]]


class DocumentCounterAdminForm(forms.ModelForm):
    class Meta:
        model = DocumentCounter
        fields = ["year", "last_number"]
        help_texts = {
            "last_number": _("The next document of this year gets this number + 1. It can grow, never shrink."),
        }

    def clean(self):
        cleaned_data = super().clean()
        year = cleaned_data.get("year", self.instance.year)
        last_number = cleaned_data.get("last_number")
        if year is not None and last_number is not None:
            used = Document.objects.filter(year=year).aggregate(highest=Max("sequence"))["highest"] or 0
            if last_number < used:
                self.add_error(
                    "last_number",
                    ValidationError(
                        _("Documents up to number %(used)d exist for %(year)d; numbers must not be reused."),
                        params={"used": used, "year": year},
                    ),
                )
        return cleaned_data


@admin.register(DocumentCounter)
class DocumentCounterAdmin(admin.ModelAdmin):
    form = DocumentCounterAdminForm
    list_display = ["year", "last_number"]
    ordering = ["-year"]

    def get_readonly_fields(self, request, obj=None):
        return ["year"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        # Without its counter a year would start again at 0001 and collide.
        return False


@admin.register(Letterhead)
class LetterheadAdmin(admin.ModelAdmin):
    """Workspace settings for documents: one letterhead, printed on every PDF."""

    form = LetterheadForm
    fieldsets = [
        (None, {"fields": ["company_name", "address", "logo"]}),
        (_("Contact"), {"fields": ["email", "phone", "website"]}),
        (_("Legal and bank"), {"fields": ["vat_id", "register", "managing_directors", "bank_details"]}),
        (_("Footer"), {"fields": ["footer_text"]}),
    ]

    # The one row is created by a migration (pk 1, checked by a constraint):
    # admins edit it, nobody adds or deletes one.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
