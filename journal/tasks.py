"""The journal's background jobs: the daily digest of due follow-ups."""

from django.conf import settings
from procrastinate.contrib.django import app

from crm import jobs
from journal import mailboxes, services
from journal.models import Mailbox


@jobs.job(queueing_lock="reminder-digest")
def send_reminder_digest(timestamp: int | None = None) -> str:
    """E-mail every person their overdue and due follow-ups (a second run on a day sends nothing twice)."""
    result = services.reminder_digest_send(base_url=settings.CRM_BASE_URL, dry_run=False)
    return f"sent {result.sent}, already sent today {result.skipped}"


if settings.CRM_DIGEST_CRON:
    # Any number of workers may run; procrastinate defers each periodic run once.
    app.periodic(cron=settings.CRM_DIGEST_CRON, periodic_id="reminder-digest")(send_reminder_digest)


@app.periodic(cron="* * * * *", periodic_id="poll-mailboxes")
@jobs.job(queueing_lock="poll-mailboxes", retry=False)
def poll_mailboxes(timestamp: int | None = None) -> str:
    """Fetch new mail from every active mailbox (a failing mailbox keeps its error; the others go on)."""
    results = [mailboxes.mailbox_poll(mailbox=mailbox) for mailbox in Mailbox.objects.filter(is_active=True)]
    return "; ".join(results) or "no mailboxes"
