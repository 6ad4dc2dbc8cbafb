from django.contrib import admin
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from crm.admin import EventHistoryMixin
from journal.models import JournalEntry


class ReminderStateFilter(admin.SimpleListFilter):
    title = _("reminder")
    parameter_name = "reminder"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("done", _("Done")), ("none", _("None"))]

    def queryset(self, request, queryset):
        match self.value():
            case "open":
                return queryset.filter(reminder_date__isnull=False, reminder_done_at__isnull=True)
            case "done":
                return queryset.filter(reminder_done_at__isnull=False)
            case "none":
                return queryset.filter(reminder_date__isnull=True)
        return queryset


@admin.register(JournalEntry)
class JournalEntryAdmin(EventHistoryMixin, admin.ModelAdmin):
    list_display = ["created_at", "opportunity", "author", "mood", "excerpt", "reminder_date", "reminder_assignee"]
    list_select_related = ["opportunity", "author", "reminder_assignee"]
    list_filter = ["mood", ReminderStateFilter, "author"]
    search_fields = ["text", "opportunity__short_name", "opportunity__name", "author__username", "author__display_name"]
    autocomplete_fields = ["opportunity", "author", "reminder_assignee"]
    readonly_fields = ["created_at", "edited_at"]
    # A filtered list counts its matches only, not the whole table as well.
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["opportunity", "author", "mood", "text"]}),
        (_("Reminder"), {"fields": ["reminder_date", "reminder_assignee", "reminder_done_at"]}),
        (_("History"), {"fields": ["created_at", "edited_at"]}),
    ]

    @admin.display(description=_("text"))
    def excerpt(self, obj):
        return Truncator(obj.text).chars(80)

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        # The journal shows "edited" on entries whose text changed after posting.
        if change and "text" in form.changed_data:
            obj.edited_at = timezone.now()
        super().save_model(request, obj, form, change)
