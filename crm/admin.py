"""The admin site's titles, helpers shared by the apps' admins, and the user admin."""

from dataclasses import dataclass

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Func, IntegerField, QuerySet, Subquery
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from pghistory.models import Events
from procrastinate.contrib.django.admin import ProcrastinateJobAdmin
from procrastinate.contrib.django.models import ProcrastinateJob

from crm.models import JobFailure, User

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


@dataclass
class HistoryChange:
    label: str
    old: object
    new: object


@dataclass
class HistoryRow:
    at: object
    user: User | None
    url: str
    record: str
    event: str
    changes: list[HistoryChange]


class EventHistoryMixin:
    """The change page's "History" shows the audit trail (pghistory's rows).

    Django's own history only knows what was done in this admin; the trail has
    every write, whatever made it (pages, services, bulk updates, the admin),
    with the user and URL of the request. It shows the object's own rows and
    those of the records that point at it (an opportunity's tasks, a document's
    lines …), narrowed to ``history_event_models`` when set. Four queries a
    page beyond session and user, whatever the length of the history: the
    object, the count, the page of rows (each with its difference to the row
    before) and the users named.
    """

    history_event_models: list[str] = []
    history_per_page = 100

    def history_view(self, request, object_id, extra_context=None):
        queryset = self.get_queryset(request)
        if isinstance(self.list_select_related, list | tuple):
            # The title names the object as the list does (a journal entry by its author).
            queryset = queryset.select_related(*self.list_select_related)
        try:
            obj = queryset.get(pk=unquote(object_id))
        except (self.model.DoesNotExist, ValidationError, ValueError):
            obj = None
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        events = Events.objects.references(obj).order_by("-pgh_created_at", "-pgh_id")
        if self.history_event_models:
            events = events.across(*self.history_event_models)
        page = Paginator(events, self.history_per_page).get_page(request.GET.get("p"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %s") % obj,
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "rows": _history_rows(list(page)),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/event_history.html", context)


def _history_rows(events: list) -> list[HistoryRow]:
    """The page's audit rows with field labels, and users named instead of numbered (one query)."""
    prepared = []
    user_ids = set()
    for event in events:
        model = apps.get_model(event.pgh_obj_model)
        context = event.pgh_context or {}
        user_ids.add(context.get("user"))
        if event.pgh_diff:
            values = {key: tuple(pair) for key, pair in event.pgh_diff.items()}
        else:
            # A creation or deletion: the snapshot itself.
            values = {key: (None, value) for key, value in event.pgh_data.items() if value not in (None, "", {}, [])}
        changes = []
        for key, (old, new) in values.items():
            field = _field(model, key)
            if field is not None and field.is_relation and field.related_model is User:
                user_ids.update({old, new})
            changes.append((field, key, old, new))
        prepared.append((event, model, context, changes))
    users = {user.pk: user for user in User.objects.filter(pk__in=user_ids - {None})}

    def shown(field, value):
        if field is not None and field.is_relation and field.related_model is User and value in users:
            return users[value]
        return "—" if value in (None, "") else value

    return [
        HistoryRow(
            at=event.pgh_created_at,
            user=users.get(context.get("user")),
            url=context.get("url", ""),
            record=f"{model._meta.verbose_name} {event.pgh_obj_id}",
            event=event.pgh_label,
            changes=[
                HistoryChange(
                    str(capfirst(field.verbose_name)) if field is not None else key,
                    shown(field, old) if event.pgh_diff else None,
                    shown(field, new),
                )
                for field, key, old, new in changes
            ],
        )
        for event, model, context, changes in prepared
    ]


def _field(model, attname: str):
    """The tracked model's field for a snapshot key (foreign keys appear as ``owner_id``)."""
    try:
        return model._meta.get_field(attname)
    except FieldDoesNotExist:
        return None


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


# Importing procrastinate's admin registers its job admin, which is replaced here.
admin.site.unregister(ProcrastinateJob)


@admin.register(ProcrastinateJob)
class JobAdmin(ProcrastinateJobAdmin):
    """procrastinate's job admin (state, attempts, retry action) with the last error of each job."""

    list_display = [*ProcrastinateJobAdmin.list_display, "last_error"]

    def get_fields(self, request, obj=None):
        return [*super().get_fields(request, obj), "errors"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "errors"]

    @admin.display(description=_("last error"))
    def last_error(self, job):
        failure = JobFailure.objects.filter(job_id=job.pk).only("error").first()
        return failure.error if failure else ""

    @admin.display(description=_("errors"))
    def errors(self, job):
        failures = JobFailure.objects.filter(job_id=job.pk)
        return render_to_string("admin/job_errors.html", {"failures": failures})


@admin.register(JobFailure)
class JobFailureAdmin(admin.ModelAdmin):
    list_display = ["failed_at", "task_name", "job_id", "attempt", "error"]
    list_filter = ["task_name"]
    search_fields = ["task_name", "error"]
    readonly_fields = ["job_id", "task_name", "attempt", "error", "traceback", "failed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
