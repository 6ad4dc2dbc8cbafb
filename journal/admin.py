from django.contrib import admin
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from crm.admin import EventHistoryMixin
from journal import services
from journal.models import BlockedAddress, EmailAttachment, EmailMessage, JournalEntry, Mailbox, MailForwardAddress


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


# E-mail ----------------------------------------------------------------------------------------


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    """IMAP mailboxes the worker polls; the password stays in the environment and is never shown."""

    list_display = ["name", "username", "host", "folder", "processed", "is_active", "last_polled_at", "last_error"]
    list_filter = ["is_active"]
    readonly_fields = ["last_polled_at", "last_error"]
    fieldsets = [
        (None, {"fields": ["name", "is_active"]}),
        (_("Server"), {"fields": ["host", "port", "use_tls", "username", "password_env", "folder"]}),
        (_("Processed mail"), {"fields": ["processed", "processed_folder"]}),
        (_("Last poll"), {"fields": ["last_polled_at", "last_error"]}),
    ]


class EmailAttachmentInline(admin.TabularInline):
    model = EmailAttachment
    extra = 0
    can_delete = False
    fields = readonly_fields = ["filename", "content_type", "size"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EmailMessage)
class EmailMessageAdmin(admin.ModelAdmin):
    """Every mail that came in, with where it went and, when it was dropped, why."""

    list_display = ["sent_at", "subject", "from_address", "status", "drop_reason", "source", "entry"]
    list_filter = ["status", "direction", "source", "mailbox"]
    search_fields = ["subject", "from_address", "message_id"]
    list_select_related = ["entry__opportunity"]
    show_full_result_count = False
    inlines = [EmailAttachmentInline]
    readonly_fields = [
        "message_id",
        "in_reply_to",
        "references",
        "thread_root",
        "entry",
        "status",
        "drop_reason",
        "direction",
        "source",
        "mailbox",
        "from_address",
        "from_name",
        "to",
        "cc",
        "subject",
        "sent_at",
        "received_at",
        "full_text",
        "raw",
        "organization",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BlockedAddress)
class BlockedAddressAdmin(admin.ModelAdmin):
    list_display = ["pattern", "user"]
    list_filter = [("user", admin.EmptyFieldListFilter)]
    search_fields = ["pattern"]
    autocomplete_fields = ["user"]


@admin.register(MailForwardAddress)
class MailForwardAddressAdmin(admin.ModelAdmin):
    list_display = ["user", "token", "log_my_mail"]
    search_fields = ["user__username", "user__display_name", "token"]
    readonly_fields = ["token"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        if not obj.token:
            obj.token = services.new_forward_token()
        super().save_model(request, obj, form, change)
