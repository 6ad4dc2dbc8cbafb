from django.contrib import admin
from django.db.models import OuterRef
from django.utils.translation import gettext_lazy as _

from crm.admin import DELETE_CONFIRMATION_MAX_DISPLAY, EventHistoryMixin, subquery_count
from organizations.models import Member, Organization
from organizations.selectors import opportunity_count


class MemberInline(admin.TabularInline):
    model = Member
    fields = ["academic_title", "first_name", "last_name", "job_title", "email", "phone"]
    extra = 0
    show_change_link = True


@admin.register(Organization)
class OrganizationAdmin(EventHistoryMixin, admin.ModelAdmin):
    # The organization and its members; its opportunities have their own history.
    history_event_models = ["organizations.OrganizationEvent", "organizations.MemberEvent"]
    list_display = ["name", "code", "city", "country", "member_count", "opportunity_count", "opportunity_counter"]
    search_fields = ["name", "code", "city", "email"]
    list_filter = ["country", "city"]
    readonly_fields = ["opportunity_counter", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "code"]}),
        (_("Address"), {"fields": ["street", "postal_code", "city", "country"]}),
        (_("Contact"), {"fields": ["email", "phone", "website"]}),
        (None, {"fields": ["notes"]}),
        (_("Numbering and history"), {"fields": ["opportunity_counter", "created_at", "updated_at"]}),
    ]
    inlines = [MemberInline]
    delete_confirmation_max_display = DELETE_CONFIRMATION_MAX_DISPLAY

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_count=subquery_count(Member.objects.filter(organization=OuterRef("pk"))),
                opportunity_count=opportunity_count(),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        # The code prefixes every short name handed out so far (BION-1); once
        # there are opportunities, changing it would make old and new disagree.
        if obj is not None and obj.opportunity_counter:
            return [*self.readonly_fields, "code"]
        return self.readonly_fields

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, obj):
        return obj.member_count

    @admin.display(description=_("opportunities"), ordering="opportunity_count")
    def opportunity_count(self, obj):
        return obj.opportunity_count


@admin.register(Member)
class MemberAdmin(EventHistoryMixin, admin.ModelAdmin):
    list_display = ["full_name", "organization", "job_title", "email", "influence_level", "attitude", "personality"]
    list_select_related = ["organization"]
    search_fields = ["first_name", "last_name", "email", "organization__name"]
    list_filter = ["influence_level", "attitude", "personality"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["organization", "academic_title", "first_name", "last_name", "department", "job_title"]}),
        (_("Contact"), {"fields": ["email", "phone", "street", "postal_code", "city", "country"]}),
        (_("Assessment"), {"fields": ["influence_level", "attitude", "personality", "notes"]}),
        (_("History"), {"fields": ["created_by", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        # A trashed organization's members leave admin with it, as they leave every page; the
        # organization's restore (the trash page) brings them back.
        return super().get_queryset(request).filter(organization__deleted_at__isnull=True)

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj):
        return obj.full_name

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
