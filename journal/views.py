"""The journal (a section of the opportunity detail page, and its own page) and /reminders/.

Every mutation answers htmx with the changed fragment plus out-of-band updates
(mood trend, bucket counts, the navigation badge) and the event
"journalChanged", so other regions of a page can refresh; without JavaScript
the forms post and redirect.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from crm import permissions
from crm.formats import weekday_and_day
from crm.models import User
from crm.navigation import safe_next
from journal import selectors, services
from journal.context_processors import prime_reminder_badge
from journal.forms import JournalEntryForm, SnoozeForm, snooze_presets
from journal.models import JournalEntry
from opportunities.models import Opportunity, PhaseKind
from opportunities.selectors import opportunity_is_stale

# An invalid form is re-rendered with this status; base.html tells htmx to swap it.
INVALID = 422
SECTION = "journal/journal_section.html"
REMINDERS = "journal/reminder_list.html"


def _opportunity(short_name: str) -> Opportunity:
    return get_object_or_404(Opportunity.objects.select_related("organization", "phase"), short_name=short_name)


def _entry(pk: int) -> JournalEntry:
    try:
        return selectors.journal_entry_get(pk=pk)
    except JournalEntry.DoesNotExist:
        raise Http404 from None


def _journal_url(opportunity) -> str:
    return reverse("journal:journal-entry-list", args=[opportunity.short_name])


def _changed(response, opportunity) -> HttpResponse:
    return trigger_client_event(response, "journalChanged", {"short_name": opportunity.short_name})


def section_context(request, opportunity, **kwargs) -> dict:
    """journal.selectors.journal_section for this request (the journal's own page and its forms)."""
    next_url = request.get_full_path() if request.method == "GET" else request.POST.get("next", "")
    return selectors.journal_section(opportunity=opportunity, user=request.user, next_url=next_url, **kwargs)


def _rights(request) -> dict:
    return {"user": request.user, **selectors.journal_rights(request.user)}


def _summary_context(request, opportunity_id: int, *, just_posted: bool = False) -> dict:
    """The trend and the stale hint after a change: one query for the moods, one for the opportunity
    (none after a post: an opportunity with an entry from just now is not stale)."""
    trend = selectors.journal_trend(opportunity_id=opportunity_id)
    context = {"trend": trend, "stale_days": settings.CRM_STALE_AFTER_DAYS, "oob": True}
    if just_posted:
        return {**context, "is_stale": False}
    opportunity = Opportunity.objects.select_related("phase").get(pk=opportunity_id)
    is_open = opportunity.phase.kind == PhaseKind.OPEN
    return {
        **context,
        "opportunity": opportunity,
        "is_stale": opportunity_is_stale(opportunity, is_open=is_open),
    }


# Journal -----------------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def journal_entry_list(request, short_name):
    """The journal of one opportunity; with ``before`` (htmx), the next older entries."""
    permissions.require(permissions.can_view(request.user))
    opportunity = _opportunity(short_name)
    before = request.GET.get("before", "")
    if before and not before.isdigit():
        return HttpResponseBadRequest(_("Which entry?"))
    entries = selectors.journal_entry_list(opportunity_id=opportunity.pk, before=int(before) if before else None)
    if request.htmx and before:
        context = {
            "opportunity": opportunity,
            "entries": entries[: selectors.PAGE_SIZE],
            "has_more": len(entries) > selectors.PAGE_SIZE,
            "today": timezone.localdate(),
            **_rights(request),
        }
        return render(request, f"{SECTION}#journal-page", context)
    context = section_context(request, opportunity, entries=entries)
    context["older_page"] = bool(before)
    return render(request, "journal/journalentry_list.html", context)


@require_http_methods(["GET", "POST"])
def journal_entry_create(request, short_name):
    """Post a journal entry: htmx puts it on top and clears the form; errors keep the input."""
    permissions.require(permissions.can_post_journal(request.user))
    opportunity = _opportunity(short_name)
    users = selectors.assignable_users()
    if request.method == "GET":
        return redirect(_journal_url(opportunity) + "#journal-form")
    form = JournalEntryForm(request.POST, users=users, author=request.user)
    if form.is_valid():
        try:
            entry = services.journal_entry_post(
                opportunity=opportunity,
                author=request.user,
                post_token=form.cleaned_data["post_token"],
                **form.service_kwargs(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                messages.success(request, _("Journal entry posted."))
                return redirect(safe_next(request, _journal_url(opportunity)) + f"#entry-{entry.pk}")
            context = {
                **_summary_context(request, opportunity.pk, just_posted=True),
                "opportunity": opportunity,
                "entry": entry,
                "is_new": True,
                "form": JournalEntryForm(users=users, author=request.user),
                "today": timezone.localdate(),
                "next_url": request.POST.get("next", ""),
                "badge_oob": entry.reminder_assignee_id == request.user.pk,
                **_rights(request),
            }
            return _changed(render(request, f"{SECTION}#journal-posted", context), opportunity)
    if request.htmx:
        context = {
            "opportunity": opportunity,
            "form": form,
            "next_url": request.POST.get("next", ""),
            **_rights(request),
        }
        return render(request, f"{SECTION}#journal-form", context, status=INVALID)
    context = section_context(request, opportunity, users=users, form=form)
    return render(request, "journal/journalentry_list.html", context, status=INVALID)


@require_GET
def journal_entry_detail(request, pk):
    """One entry (htmx: "Cancel" on its edit form); otherwise its place in the journal."""
    permissions.require(permissions.can_view(request.user))
    entry = _entry(pk)
    if not request.htmx:
        return redirect(_journal_url(entry.opportunity) + f"#entry-{entry.pk}")
    context = {"entry": entry, "today": timezone.localdate(), **_rights(request)}
    return render(request, f"{SECTION}#journal-entry", context)


@require_http_methods(["GET", "POST"])
def journal_entry_update(request, pk):
    entry = _entry(pk)
    permissions.require(permissions.can_change_journal_entry(request.user, entry))
    users = selectors.assignable_users()
    if entry.reminder_assignee and entry.reminder_assignee not in users:
        users.append(entry.reminder_assignee)  # no longer active, but still the one reminded
    kwargs = {"users": users, "author": request.user, "original_date": entry.reminder_date}
    if request.method == "POST":
        form = JournalEntryForm(request.POST, **kwargs)
    else:
        form = JournalEntryForm(
            initial={
                "mood": entry.mood,
                "text": entry.text,
                "reminder_date": entry.reminder_date,
                "reminder_assignee": entry.reminder_assignee_id or request.user.pk,
            },
            **kwargs,
        )
    if form.is_bound and form.is_valid():
        try:
            entry = services.journal_entry_update(entry=entry, user=request.user, **form.service_kwargs())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                messages.success(request, _("Journal entry saved."))
                return redirect(safe_next(request, _journal_url(entry.opportunity)) + f"#entry-{entry.pk}")
            context = {
                **_summary_context(request, entry.opportunity_id),
                "entry": entry,
                "is_new": True,
                "today": timezone.localdate(),
                "badge_oob": True,
                **_rights(request),
            }
            return _changed(render(request, f"{SECTION}#journal-entry-saved", context), entry.opportunity)
    context = {"entry": entry, "form": form, "next_url": safe_next(request, ""), **_rights(request)}
    template = f"{SECTION}#journal-edit-form" if request.htmx else "journal/journalentry_form.html"
    return render(request, template, context, status=INVALID if form.errors else 200)


@require_http_methods(["GET", "POST"])
def journal_entry_delete(request, pk):
    entry = _entry(pk)
    permissions.require(
        permissions.can_change_journal_entry(request.user, entry)
        and request.user.has_perm("journal.delete_journalentry")
    )
    opportunity = entry.opportunity
    if request.method == "GET":
        return render(request, "journal/journalentry_confirm_delete.html", {"entry": entry})
    services.journal_entry_delete(entry=entry, user=request.user)
    if not request.htmx:
        messages.success(request, _("Journal entry deleted."))
        return redirect(safe_next(request, _journal_url(opportunity)))
    context = {**_summary_context(request, opportunity.pk), "badge_oob": True}
    return _changed(render(request, f"{SECTION}#journal-entry-deleted", context), opportunity)


# Reminders ---------------------------------------------------------------------------------


class Scope:
    """Whose reminders a page shows: mine (default), one person's, or the team's (managers)."""

    def __init__(self, request, value: str):
        self.value = value
        self.user = None
        if value in ("", str(request.user.pk)):
            self.value, self.assignee_id, self.is_own = "", request.user.pk, True
            return
        # Anyone else's reminders are for managers only.
        permissions.require(permissions.can_see_team_reminders(request.user))
        self.is_own = False
        if value == "all":
            self.assignee_id = None
        elif value.isdigit():
            self.user = get_object_or_404(User, pk=int(value))
            self.assignee_id = self.user.pk
        else:
            raise Http404

    @property
    def is_team(self) -> bool:
        return self.assignee_id is None

    @property
    def query(self) -> str:
        return f"user={self.value}" if self.value else ""


def _snooze_choices(today) -> dict:
    """The snooze menu's dates as every row shows them ("Thu 19 Nov"): formatted once per response, not per row."""
    return {"snooze_hints": {key: weekday_and_day(date, today) for key, date in snooze_presets(today).items()}}


def _badge_count(request, scope: Scope, counts: dict) -> int | None:
    """The badge from counts we already have (own reminders), else None (the badge counts itself)."""
    if scope.is_own:
        return counts["overdue"] + counts["today"]
    return None


@require_GET
@vary_on_headers("HX-Request")
def reminder_list(request):
    """My follow-ups, grouped overdue / today / this week / later; managers can look at others'."""
    permissions.require(permissions.can_view(request.user))
    scope = Scope(request, request.GET.get("user", ""))
    today = timezone.localdate()
    buckets = selectors.reminder_buckets(assignee_id=scope.assignee_id, today=today)
    counts = {bucket.key: bucket.count for bucket in buckets}
    if scope.is_own:
        # The navigation badge is overdue + today: known here, so it costs no query.
        prime_reminder_badge(request, counts["overdue"] + counts["today"])
    can_switch = permissions.can_see_team_reminders(request.user)
    context = {
        "buckets": buckets,
        "counts": counts,
        "total": sum(counts.values()),
        "week_end": selectors.week_end(today),
        "scope": scope,
        "users": selectors.assignable_users() if can_switch else [],
        "can_switch": can_switch,
        "today": today,
        **_snooze_choices(today),
    }
    template = REMINDERS
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        template += "#reminder-board"
    return render(request, template, context)


@require_GET
def reminder_bucket_more(request):
    """The next rows of one bucket ("Show more")."""
    permissions.require(permissions.can_view(request.user))
    scope = Scope(request, request.GET.get("user", ""))
    bucket = request.GET.get("bucket", "")
    try:
        offset = max(0, int(request.GET.get("offset", "0")))
    except ValueError:
        offset = -1
    if bucket not in selectors.BUCKET_KEYS or offset < 0:
        return HttpResponseBadRequest(_("Which bucket and from where?"))
    today = timezone.localdate()
    rows = selectors.reminder_bucket_rows(assignee_id=scope.assignee_id, today=today, bucket=bucket, offset=offset)
    context = {
        "rows": rows[: selectors.BUCKET_PAGE_SIZE],
        "next_offset": offset + selectors.BUCKET_PAGE_SIZE if len(rows) > selectors.BUCKET_PAGE_SIZE else None,
        "bucket_key": bucket,
        "bucket_label": {spec.key: spec.label for spec in selectors.BUCKETS}[bucket],
        "scope": scope,
        "today": today,
        **_snooze_choices(today),
    }
    if not request.htmx:
        # Without JavaScript "Show more" opens the bucket's next rows as a page.
        return render(request, "journal/reminder_bucket.html", context)
    return render(request, f"{REMINDERS}#reminder-more-rows", context)


def _reminder_response(request, entry: JournalEntry, *, message: str, undo: dict | None, status: int = 200):
    """After done / reopen / snooze: the entry (journal), or on the reminders page the row.

    A row that was done or snoozed stays in place, resolved, with an undo (no jumping
    rows under the pointer); an undone one is back with its actions.
    """
    today = timezone.localdate()
    if request.POST.get("return") == "row":
        scope = Scope(request, request.POST.get("user", ""))
        counts = selectors.reminder_counts(assignee_id=scope.assignee_id, today=today)
        badge = _badge_count(request, scope, counts)
        if badge is not None:
            prime_reminder_badge(request, badge)
        context = {
            "entry": entry,
            "row": selectors.ReminderRow.from_entry(entry),
            "message": message,
            "message_level": "success" if status == 200 else "error",
            "undo": undo,
            "scope": scope,
            "counts": counts,
            "total": sum(counts.values()),
            "buckets": [
                selectors.Bucket(key=spec.key, label=spec.label, empty=spec.empty, count=counts[spec.key])
                for spec in selectors.BUCKETS
            ],
            "week_end": selectors.week_end(today),
            "today": today,
            **_snooze_choices(today),
        }
        template = f"{REMINDERS}#reminder-row-resolved" if undo else f"{REMINDERS}#reminder-row-updated"
        response = render(request, template, context, status=status)
    else:
        context = {
            "entry": entry,
            "entry_message": message,
            "today": today,
            "badge_oob": status == 200,
            **_rights(request),
        }
        response = render(request, f"{SECTION}#journal-reminder-updated", context, status=status)
    return _changed(response, entry.opportunity) if status == 200 else response


def _back(request, entry):
    if request.POST.get("return") == "row":
        user = request.POST.get("user", "")
        return redirect(reverse("journal:reminder-list") + (f"?user={user}" if user else ""))
    return redirect(_journal_url(entry.opportunity) + f"#entry-{entry.pk}")


@require_POST
def reminder_done(request, pk):
    """The "done" toggle: done=1 marks the reminder done, done=0 opens it again."""
    entry = _entry(pk)
    permissions.require(permissions.can_handle_reminder(request.user, entry))
    done = request.POST.get("done", "1") != "0"
    try:
        if done:
            services.reminder_complete(entry=entry, user=request.user)
        else:
            services.reminder_reopen(entry=entry, user=request.user)
    except ValidationError as error:
        if not request.htmx:
            messages.error(request, " ".join(error.messages))
            return _back(request, entry)
        return _reminder_response(request, entry, message=" ".join(error.messages), undo=None, status=400)
    message = _("Done.") if done else _("Open again.")
    if not request.htmx:
        messages.success(request, _("Follow-up marked done.") if done else _("Follow-up open again."))
        return _back(request, entry)
    undo = {"url": reverse("journal:reminder-done", args=[entry.pk]), "done": "0"} if done else None
    return _reminder_response(request, entry, message=message, undo=undo)


@require_POST
def reminder_snooze(request, pk):
    """Snooze to tomorrow, next week (Monday) or a picked date; undo puts the old date back."""
    entry = _entry(pk)
    permissions.require(permissions.can_handle_reminder(request.user, entry))
    form = SnoozeForm(request.POST)
    previous = entry.reminder_date
    error = ""
    if form.is_valid():
        try:
            services.reminder_snooze(
                entry=entry, user=request.user, until=form.cleaned_data["until"], allow_past=form.cleaned_data["undo"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(" ".join(errors) for errors in form.errors.values())
    if error:
        if not request.htmx:
            messages.error(request, error)
            return _back(request, entry)
        entry.refresh_from_db(fields=["reminder_date", "reminder_done_at"])
        return _reminder_response(request, entry, message=error, undo=None, status=400)
    when = weekday_and_day(entry.reminder_date)
    if form.cleaned_data["undo"]:
        message = _("Back on %(date)s.") % {"date": when}
        undo = None
    else:
        message = _("Snoozed to %(date)s.") % {"date": when}
        undo = {"url": reverse("journal:reminder-snooze", args=[entry.pk]), "until": previous.isoformat()}
    if not request.htmx:
        messages.success(request, message)
        return _back(request, entry)
    return _reminder_response(request, entry, message=message, undo=undo)
