"""Admin for the sales process (phases, statuses, … custom fields) and for opportunities and tasks."""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import model_ngettext, unquote
from django.core.exceptions import ValidationError
from django.db.models import OuterRef
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from crm.admin import DELETE_CONFIRMATION_MAX_DISPLAY, EventHistoryMixin, subquery_count
from opportunities import services
from opportunities.custom_fields import clean_custom_values
from opportunities.models import (
    Category,
    CustomField,
    Opportunity,
    OpportunityContact,
    Phase,
    PhaseKind,
    SavedView,
    Source,
    Status,
    Tag,
    Task,
)

BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


class ConfigAdmin(admin.ModelAdmin):
    """An ordered, deactivatable configuration table that opportunities refer to.

    Admins reorder rows in the list (editable position) or with the move
    actions. A row that opportunities use is never deleted: the delete view and
    the bulk delete say who uses it and suggest deactivating instead. Checking
    up front, with the count the list already annotates, beats Django's
    protected-objects page, which would load and list every opportunity.
    """

    # Opportunity lookup that selects the opportunities using a row, and the
    # row's attribute it compares with.
    usage_lookup = ""
    usage_key = "pk"
    in_use_advice = _("Deactivate it instead, or move its opportunities to another %(verbose_name)s first.")

    list_display = ["name", "opportunity_count", "position", "is_active"]
    list_display_links = ["name"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    ordering = ["position", "id"]
    actions = ["delete_selected", "move_up", "move_down", "activate", "deactivate"]

    def get_queryset(self, request):
        usage = Opportunity.objects.filter(**{self.usage_lookup: OuterRef(self.usage_key)})
        return super().get_queryset(request).annotate(opportunity_count=subquery_count(usage))

    @admin.display(description=_("opportunities"), ordering="opportunity_count")
    def opportunity_count(self, obj):
        return obj.opportunity_count

    def in_use_message(self, obj) -> str:
        used = ngettext(
            "“%(name)s” is used by %(count)d opportunity.",
            "“%(name)s” is used by %(count)d opportunities.",
            obj.opportunity_count,
        ) % {"name": obj, "count": obj.opportunity_count}
        return f"{used} {self.in_use_advice % {'verbose_name': self.opts.verbose_name}}"

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and obj.opportunity_count and self.has_delete_permission(request, obj):
            self.message_user(request, self.in_use_message(obj), messages.ERROR)
            change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
            return HttpResponseRedirect(change_url)
        return super().delete_view(request, object_id, extra_context)

    @admin.action(permissions=["delete"], description=_("Delete selected %(verbose_name_plural)s"))
    def delete_selected(self, request, queryset):
        in_use = [obj for obj in queryset if obj.opportunity_count]
        if not in_use:
            return django_delete_selected(self, request, queryset)
        for obj in in_use:
            self.message_user(request, self.in_use_message(obj), messages.ERROR)
        self.message_user(request, gettext("Nothing was deleted."), messages.WARNING)
        return None

    @admin.action(permissions=["change"], description=_("Move selected %(verbose_name_plural)s up"))
    def move_up(self, request, queryset):
        self._move(queryset, step=-1)

    @admin.action(permissions=["change"], description=_("Move selected %(verbose_name_plural)s down"))
    def move_down(self, request, queryset):
        self._move(queryset, step=1)

    def _move(self, queryset, *, step: int) -> None:
        # Configuration tables hold a few dozen rows: load them all, move each
        # selected row past its unselected neighbour (a selected block moves as
        # a block), then renumber 10, 20, 30, … so there is room to insert.
        rows = list(self.model._default_manager.order_by("position", "id"))
        selected = set(queryset.values_list("pk", flat=True))
        indexes = range(len(rows)) if step < 0 else range(len(rows) - 1, -1, -1)
        for index in indexes:
            other = index + step
            if rows[index].pk in selected and 0 <= other < len(rows) and rows[other].pk not in selected:
                rows[index], rows[other] = rows[other], rows[index]
        changed = []
        for number, row in enumerate(rows, start=1):
            if row.position != number * 10:
                row.position = number * 10
                changed.append(row)
        self.model._default_manager.bulk_update(changed, ["position"])

    @admin.action(
        permissions=["change"],
        description=_("Activate %(verbose_name)s"),
        description_plural=_("Activate selected %(verbose_name_plural)s"),
        location=BOTH_LOCATIONS,
    )
    def activate(self, request, queryset):
        count = queryset.filter(is_active=False).update(is_active=True)
        self.message_user(
            request,
            gettext("Activated %(count)d %(items)s.") % {"count": count, "items": model_ngettext(self.opts, count)},
            messages.SUCCESS,
        )

    @admin.action(
        permissions=["change"],
        description=_("Deactivate %(verbose_name)s"),
        description_plural=_("Deactivate selected %(verbose_name_plural)s"),
        location=BOTH_LOCATIONS,
    )
    def deactivate(self, request, queryset):
        count = queryset.filter(is_active=True).update(is_active=False)
        self.message_user(
            request,
            ngettext(
                "Deactivated %(count)d %(items)s. Opportunities keep it, but it can no longer be chosen.",
                "Deactivated %(count)d %(items)s. Opportunities keep them, but they can no longer be chosen.",
                count,
            )
            % {"count": count, "items": model_ngettext(self.opts, count)},
            messages.SUCCESS,
        )


class PhaseAdminForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["name", "color", "kind", "default_probability", "position", "is_active"]
        widgets = {"color": forms.TextInput(attrs={"type": "color"})}
        help_texts = {
            "kind": _("Won and lost phases close an opportunity; the board shows open phases as columns."),
            "default_probability": _("New opportunities and opportunities moved into this phase get this probability."),
        }


@admin.register(Phase)
class PhaseAdmin(ConfigAdmin):
    form = PhaseAdminForm
    usage_lookup = "phase"
    list_display = ["name", "swatch", "kind", "default_probability", "opportunity_count", "position", "is_active"]
    list_filter = ["kind", "is_active"]

    @admin.display(description=_("colour"), ordering="color")
    def swatch(self, obj):
        # An SVG fill rather than an inline style, which the Content Security Policy forbids.
        return format_html(
            '<svg width="16" height="16" role="img" aria-label="{}"><rect width="16" height="16" rx="3" fill="{}"/>'
            "</svg>",
            obj.color,
            obj.color,
        )


@admin.register(Status)
class StatusAdmin(ConfigAdmin):
    usage_lookup = "status"


@admin.register(Category)
class CategoryAdmin(ConfigAdmin):
    usage_lookup = "category"


@admin.register(Source)
class SourceAdmin(ConfigAdmin):
    usage_lookup = "source"


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "opportunity_count"]
    search_fields = ["name"]
    ordering = ["name"]
    delete_confirmation_max_display = DELETE_CONFIRMATION_MAX_DISPLAY

    def get_queryset(self, request):
        usage = Opportunity.tags.through.objects.filter(tag=OuterRef("pk"))
        return super().get_queryset(request).annotate(opportunity_count=subquery_count(usage))

    @admin.display(description=_("opportunities"), ordering="opportunity_count")
    def opportunity_count(self, obj):
        return obj.opportunity_count


class ChoiceLinesField(forms.CharField):
    """A list of texts edited as one text per line."""

    widget = forms.Textarea(attrs={"rows": 5})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def has_changed(self, initial, data):
        return (initial or []) != self.to_python(data)


FIELD_TYPE_HELP = _(
    "Text: one line (up to 500 characters). Long text: several paragraphs. Integer: a whole number. "
    "Decimal: an exact number such as 12.50. Date. Yes/no. URL: a web address. "
    "Choice: one of the choices below; Multiple choice: any of them."
)
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class CustomFieldAdminForm(forms.ModelForm):
    choices = ChoiceLinesField(
        label=_("Choices"),
        required=False,
        help_text=_("One choice per line; needed for choice and multiple choice fields, empty for all others."),
    )

    class Meta:
        model = CustomField
        fields = [
            "label",
            "key",
            "field_type",
            "choices",
            "required",
            "help_text",
            "show_in_table",
            "show_on_cards",
            "position",
            "is_active",
        ]
        help_texts = {
            "field_type": FIELD_TYPE_HELP,
            "key": _(
                "Stable identifier used in URLs, filters and exports: lower-case letters, digits and underscores, "
                "starting with a letter. Cannot be changed later."
            ),
        }

    def clean_key(self):
        # The admin's slug prepopulation writes hyphens; keys use underscores.
        key = self.cleaned_data["key"].strip().lower().replace("-", "_")
        if not KEY_PATTERN.match(key):
            raise ValidationError(
                _("Start with a letter and use only lower-case letters, digits and underscores."), code="invalid"
            )
        return key


@admin.register(CustomField)
class CustomFieldAdmin(ConfigAdmin):
    form = CustomFieldAdminForm
    usage_lookup = "custom_values__has_key"
    usage_key = "key"
    in_use_advice = _("Deactivate it instead: its values stay on the opportunities but the field is hidden.")
    list_display = [
        "label",
        "key",
        "field_type",
        "required",
        "show_in_table",
        "show_on_cards",
        "opportunity_count",
        "position",
        "is_active",
    ]
    list_display_links = ["label"]
    list_filter = ["field_type", "is_active"]
    search_fields = ["label", "key", "help_text"]

    def get_prepopulated_fields(self, request, obj=None):
        return {"key": ["label"]} if obj is None else {}

    def get_readonly_fields(self, request, obj=None):
        # Values are stored under the key; renaming it would orphan them.
        return ["key"] if obj is not None else []


class ContactInlineForm(forms.ModelForm):
    def validate_constraints(self):
        # "One primary contact" is checked by the formset over all of the
        # opportunity's contacts, so that the mark can move from one row to
        # another in a single save (the database would see the old row still set).
        exclude = self._get_validation_exclusions() | {"is_primary"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as exc:
            self._update_errors(exc)


class ContactInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        organization_id = self.instance.organization_id
        primaries = 0
        for form in self.forms:
            if not form.is_valid() or not form.cleaned_data or self._should_delete_form(form):
                continue
            member = form.cleaned_data.get("member")
            if member is not None and organization_id and member.organization_id != organization_id:
                form.add_error("member", gettext("Choose a member of the opportunity’s organization."))
            primaries += bool(form.cleaned_data.get("is_primary"))
        if primaries > 1:
            raise ValidationError(gettext("Only one contact person can be the primary contact."))


class ContactInline(admin.TabularInline):
    model = OpportunityContact
    form = ContactInlineForm
    formset = ContactInlineFormSet
    fields = ["member", "is_primary"]
    autocomplete_fields = ["member"]
    extra = 0


class TaskInline(admin.TabularInline):
    model = Task
    fields = ["title", "assignee", "due_date", "done_at"]
    autocomplete_fields = ["assignee"]
    extra = 0


class OpportunityAdminForm(forms.ModelForm):
    class Meta:
        model = Opportunity
        fields = [
            "organization",
            "name",
            "description",
            "tags",
            "phase",
            "status",
            "category",
            "source",
            "owner",
            "probability",
            "expected_close_date",
            "value",
            "currency",
            "custom_values",
            "lost_reason",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding and "probability" in self.fields:
            probability = self.fields["probability"]
            probability.required = False
            probability.initial = None
            probability.help_text = _("Leave empty to take the phase’s default probability.")

    def clean_custom_values(self):
        values = self.cleaned_data.get("custom_values") or {}
        if not isinstance(values, dict):
            raise ValidationError(_('Enter an object such as {"region": "North"}.'))
        definitions = list(CustomField.objects.all())
        # Values of deactivated fields stay on the opportunities they were
        # entered on; only new values must fit the active definitions.
        kept_keys = set() if self.instance._state.adding else {f.key for f in definitions if not f.is_active}
        try:
            cleaned = clean_custom_values(
                {key: value for key, value in values.items() if key not in kept_keys},
                fields=[field for field in definitions if field.is_active],
            )
        except ValidationError as exc:
            raise ValidationError(
                [f"{key}: {'; '.join(messages_)}" for key, messages_ in exc.message_dict.items()]
            ) from None
        return {**cleaned, **{key: value for key, value in values.items() if key in kept_keys}}

    def clean(self):
        cleaned_data = super().clean()
        if self.instance._state.adding:
            return cleaned_data
        phase = cleaned_data.get("phase")
        moves = phase is not None and "phase" in self.changed_data
        lost_reason = cleaned_data.get("lost_reason", "").strip()
        # The same rules as a move on the board (services.opportunity_update),
        # checked here so that they show on the form instead of failing the save.
        if moves and not phase.is_active:
            self.add_error("phase", _("The phase “%(name)s” is no longer in use.") % {"name": phase.name})
        ends_lost = phase.kind == PhaseKind.LOST if moves else self.instance.lost_at is not None
        if ends_lost and not lost_reason:
            self.add_error("lost_reason", _("Say why the opportunity was lost."))
        return cleaned_data


@admin.register(Opportunity)
class OpportunityAdmin(EventHistoryMixin, admin.ModelAdmin):
    form = OpportunityAdminForm
    list_display = [
        "short_name",
        "name",
        "organization",
        "phase",
        "status",
        "owner",
        "value",
        "expected_close_date",
    ]
    list_display_links = ["short_name", "name"]
    list_select_related = ["organization", "phase", "status", "owner"]
    list_filter = ["phase", "status", "category", "owner", "source"]
    search_fields = ["short_name", "name", "organization__name"]
    autocomplete_fields = ["organization", "owner", "tags"]
    readonly_fields = [
        "short_name",
        "number",
        "version",
        "won_at",
        "lost_at",
        "created_by",
        "created_at",
        "updated_at",
        "phase_changed_at",
    ]
    fieldsets = [
        (None, {"fields": ["organization", "short_name", "name", "description", "tags"]}),
        (
            _("Sales process"),
            {"fields": ["phase", "status", "category", "source", "owner", "probability", "expected_close_date"]},
        ),
        (_("Value"), {"fields": ["value", "currency"]}),
        (_("Custom fields"), {"fields": ["custom_values"]}),
        (_("Outcome"), {"fields": ["won_at", "lost_at", "lost_reason"]}),
        (
            _("History"),
            {
                "fields": ["number", "version", "created_by", "created_at", "updated_at", "phase_changed_at"],
                "classes": ["collapse"],
            },
        ),
    ]
    add_fieldsets = [
        (None, {"fields": ["organization", "name", "description", "tags"]}),
        (
            _("Sales process"),
            {"fields": ["phase", "status", "category", "source", "owner", "probability", "expected_close_date"]},
        ),
        (_("Value"), {"fields": ["value", "currency"]}),
        (_("Custom fields"), {"fields": ["custom_values"]}),
    ]
    inlines = [ContactInline, TaskInline]
    delete_confirmation_max_display = DELETE_CONFIRMATION_MAX_DISPLAY
    # A filtered list counts its matches only, not the whole table as well.
    show_full_result_count = False

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        # The short name (organization code + number) is fixed at creation.
        return [*self.readonly_fields, "organization"] if obj is not None else self.readonly_fields

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if change:
            self._save_change(request, obj, form)
            return
        # The service hands out the short name under a row lock on the organization.
        created = services.opportunity_create(
            organization=form.cleaned_data["organization"], data=form.cleaned_data, user=request.user
        )
        self._take_over(obj, created)

    def _save_change(self, request, obj, form):
        # Through the service, so that an admin edit is a write like any other:
        # it bumps the version (optimistic locking on the board and in inline
        # edits notices it), records who changed it, and a phase change stamps
        # won/lost and sets the status as a move on the board would.
        changed = form.changed_data
        data = {name: form.cleaned_data[name] for name in changed if name in services.UPDATABLE_FIELDS}
        if "phase" in data:
            data["lost_reason"] = form.cleaned_data["lost_reason"]
        updated = services.opportunity_update(opportunity_id=obj.pk, version=None, data=data, user=request.user)
        # The service merges custom values key by key and sets the lost reason
        # only with a move; the admin edits both as a whole.
        rest = {
            name: form.cleaned_data[name]
            for name in ["custom_values", "lost_reason"]
            if name in changed and name not in data
        }
        if rest:
            Opportunity.objects.filter(pk=obj.pk).update(**rest)
            for name, value in rest.items():
                setattr(updated, name, value)
        self._take_over(obj, updated)

    @staticmethod
    def _take_over(obj, saved):
        """Make the admin's ``obj`` the row a service saved (the admin goes on with it: m2m, inlines, log)."""
        for field in Opportunity._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for removed in formset.deleted_objects:
            removed.delete()
        # Unset a primary contact before setting another (one primary per opportunity).
        for instance in sorted(instances, key=lambda item: getattr(item, "is_primary", False)):
            if isinstance(instance, Task) and instance._state.adding:
                instance.created_by = request.user
            instance.save()
        formset.save_m2m()


class SharedViewFilter(admin.SimpleListFilter):
    title = _("shared")
    parameter_name = "shared"

    def lookups(self, request, model_admin):
        return [("yes", _("Shared with everyone")), ("no", _("Personal"))]

    def queryset(self, request, queryset):
        if self.value() in {"yes", "no"}:
            return queryset.filter(owner__isnull=self.value() == "yes")
        return queryset


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "query", "position"]
    list_editable = ["position"]
    list_select_related = ["owner"]
    list_filter = [SharedViewFilter]
    search_fields = ["name", "query", "owner__username", "owner__display_name"]
    autocomplete_fields = ["owner"]
    fields = ["name", "owner", "query", "position"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["help_text"] = _("Leave empty to share the view with everyone.")
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class TaskStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("done", _("Done"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(done_at__isnull=True)
        if self.value() == "done":
            return queryset.filter(done_at__isnull=False)
        return queryset


@admin.register(Task)
class TaskAdmin(EventHistoryMixin, admin.ModelAdmin):
    list_display = ["title", "opportunity", "assignee", "due_date", "done_at"]
    list_select_related = ["opportunity", "assignee"]
    list_filter = [TaskStateFilter, "due_date", "assignee"]
    search_fields = ["title", "opportunity__short_name", "opportunity__name"]
    autocomplete_fields = ["opportunity", "assignee"]
    readonly_fields = ["created_by", "created_at"]
    fields = ["opportunity", "title", "assignee", "due_date", "done_at", "created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
