"""The background-job queue with a real worker process (manage.py procrastinate worker)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from bench.two_servers import database_url
from crm import jobs
from crm.models import JobFailure
from tests import factories
from tests.crm import job_fixtures

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker_env():
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url(connection.settings_dict),
            "CRM_JOB_MODULES": "tests.crm.job_fixtures",
            "CRM_JOB_HEARTBEAT_SECONDS": "1",
            "CRM_DIGEST_CRON": "",
            "DEBUG": "1",
        }
    )
    yield env
    ProcrastinateJob.objects.all()._raw_delete(ProcrastinateJob.objects.db)  # a read-only model elsewhere


def _worker(env, *extra) -> subprocess.Popen:
    command = [sys.executable, "manage.py", "procrastinate", "worker", "--concurrency", "1", *extra]
    return subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)  # noqa: S603


def _wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _job(job_id) -> ProcrastinateJob:
    return ProcrastinateJob.objects.get(pk=job_id)


def test_a_failing_job_is_retried_then_kept_failed_with_its_errors(worker_env, client):
    job_id = job_fixtures.always_fails.defer(marker="first")

    worker = _worker(worker_env, "--one-shot")
    assert worker.wait(timeout=60) == 0

    job = _job(job_id)
    assert (job.status, job.attempts) == ("failed", 2)
    failures = list(JobFailure.objects.filter(job_id=job_id).order_by("attempt"))
    assert [(f.attempt, f.error) for f in failures] == [
        (1, "RuntimeError: boom first"),
        (2, "RuntimeError: boom first"),
    ]
    assert "raise RuntimeError" in failures[0].traceback

    # An admin sees the job's state, attempts and errors, and can retry it.
    client.force_login(factories.make_user(username="boss", role="", is_superuser=True))
    page = client.get(reverse("admin:procrastinate_procrastinatejob_change", args=[job_id])).content.decode()
    assert "RuntimeError: boom first" in page
    listing = client.get(reverse("admin:procrastinate_procrastinatejob_changelist")).content.decode()
    assert "RuntimeError: boom first" in listing
    client.post(
        reverse("admin:procrastinate_procrastinatejob_changelist"),
        {"action": "retry", "_selected_action": [job_id]},
    )
    assert _job(job_id).status == "todo"


def test_a_job_whose_worker_is_killed_runs_again(worker_env, tmp_path):
    go, out = tmp_path / "go", tmp_path / "out"
    job_id = job_fixtures.wait_for_file.defer(go=str(go), out=str(out))

    worker = _worker(worker_env)
    try:
        _wait_for(lambda: _job(job_id).status == "doing")
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    assert _job(job_id).status == "doing"  # nobody is working on it any more

    time.sleep(2)  # the dead worker's last heartbeat grows old
    assert jobs.retry_stalled_jobs(seconds_since_heartbeat=1) == 1
    assert _job(job_id).status == "todo"

    go.write_text("")
    again = _worker(worker_env, "--one-shot")
    assert again.wait(timeout=60) == 0
    assert _job(job_id).status == "succeeded"
    assert Path(out).read_text() == "done"
