"""The admin site's titles, helpers shared by the apps' admins, and the user admin."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Func, IntegerField, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from crm.models import User

admin.site.site_header = _("CRM administration")
admin.site.site_title = _("CRM administration")
admin.site.index_title = _("Sales process, people and records")

# Deleting an organization or opportunity can cascade to thousands of rows;
# the confirmation page shows this many and "…and N more".
DELETE_CONFIRMATION_MAX_DISPLAY = 50


def subquery_count(queryset: QuerySet) -> Subquery:
    """Count ``queryset``'s rows (filtered with OuterRef) as an annotation.

    A correlated subquery instead of Count() over a join, so that two counts on
    one list do not multiply each other and the list needs no GROUP BY: one
    query for the whole page, whatever the number of rows.
    """
    counted = queryset.order_by().annotate(count=Func("pk", function="COUNT")).values("count")
    return Subquery(counted, output_field=IntegerField())


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("display_name", "first_name", "last_name", "email")}),
        (
            _("Role and permissions"),
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "description": _("The role is the group: Sales or Managers. Superusers may configure the CRM here."),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "display_name", "email", "usable_password", "password1", "password2"),
            },
        ),
        (_("Role"), {"fields": ("groups",)}),
    )
    list_display = ["username", "display_name", "email", "roles", "is_active", "is_superuser", "last_login"]
    list_filter = ["groups", "is_active", "is_superuser"]
    search_fields = ["username", "display_name", "first_name", "last_name", "email"]
    ordering = ["username"]
    delete_confirmation_max_display = DELETE_CONFIRMATION_MAX_DISPLAY

    def get_queryset(self, request):
        # The roles column reads the prefetched groups: one query for the page.
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, obj):
        return ", ".join(group.name for group in obj.groups.all())
