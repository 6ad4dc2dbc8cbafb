"""Background jobs: one durable queue in the same PostgreSQL, with procrastinate.

Why procrastinate rather than Django's ``django.tasks`` with django-tasks-db: it brings,
maintained, what we would otherwise write ourselves — retries with backoff, periodic jobs
(mail polling every minute, the daily digest) scheduled safely by any number of workers,
worker heartbeats to find jobs whose worker died, LISTEN/NOTIFY so a job starts at once,
and a Django admin for jobs with a retry action. The queue lives in our database: a job is
deferred in the same transaction as the data it belongs to.

A job is declared with ``@crm.jobs.job()`` in ``<app>/tasks.py`` (found by autodiscovery).
It is retried with exponential backoff; each failed attempt's error is kept in
``crm.JobFailure`` and shown on the job in admin. A worker (``manage.py procrastinate worker``)
also runs the periodic jobs; README, "Background jobs", says how to run them.
"""

import functools
import traceback

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import close_old_connections
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

# 5 attempts (procrastinate counts the retries): again after 2 s, 4 s, 8 s and 16 s; a job still
# failing then is kept as failed, with its errors.
DEFAULT_RETRY = RetryStrategy(max_attempts=4, exponential_wait=2)


def job(*, queue: str = "default", retry=None, **options):
    """Declare a background job (retried with backoff; each failed attempt's error kept for admins)."""

    def decorate(function):
        @functools.wraps(function)
        def run(context, *args, **kwargs):
            # Workers are long-lived: a connection PostgreSQL dropped must not fail the next job.
            close_old_connections()
            try:
                return function(*args, **kwargs)
            except Exception as error:
                _record_failure(context.job, error)
                raise
            finally:
                close_old_connections()

        name = f"{function.__module__}.{function.__name__}"
        return app.task(
            name=name,
            queue=queue,
            pass_context=True,
            retry=DEFAULT_RETRY if retry is None else retry,
            **options,
        )(run)

    return decorate


def _record_failure(job, error: BaseException) -> None:
    from crm.models import JobFailure

    JobFailure.objects.create(
        job_id=job.id,
        task_name=job.task_name,
        attempt=job.attempts + 1,
        error=f"{type(error).__name__}: {error}"[:2000],
        traceback="".join(traceback.format_exception(error))[-20000:],
    )


def retry_stalled_jobs(*, seconds_since_heartbeat: float | None = None) -> int:
    """Put jobs back in the queue whose worker stopped sending heartbeats (killed, machine lost)."""
    seconds = seconds_since_heartbeat or settings.CRM_JOB_STALLED_AFTER_SECONDS

    async def retry() -> int:
        stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=seconds))
        for stalled_job in stalled:
            await app.job_manager.retry_job(stalled_job)
        return len(stalled)

    return async_to_sync(retry)()
