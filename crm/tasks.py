"""The kernel's periodic jobs (found by procrastinate's autodiscovery of <app>/tasks.py)."""

from procrastinate.contrib.django import app

from crm import jobs


# Every minute, by whichever worker gets there first (procrastinate's periodic lock);
# a job whose worker was killed runs again instead of staying "doing" for ever.
@app.periodic(cron="* * * * *", periodic_id="retry-stalled-jobs")
@jobs.job(queueing_lock="retry-stalled-jobs")
def retry_stalled_jobs(timestamp: int) -> int:
    return jobs.retry_stalled_jobs()
