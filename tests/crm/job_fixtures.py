"""Jobs for tests/crm/test_jobs.py, loaded by the worker through CRM_JOB_MODULES."""

import time
from pathlib import Path

from procrastinate import RetryStrategy

from crm import jobs


@jobs.job(retry=RetryStrategy(max_attempts=1))  # one retry: two attempts
def always_fails(marker: str) -> None:
    raise RuntimeError(f"boom {marker}")


@jobs.job()
def wait_for_file(go: str, out: str) -> None:
    """Waits until the test creates ``go`` (at most a minute), then writes ``out``."""
    deadline = time.monotonic() + 60
    while not Path(go).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(go)
        time.sleep(0.1)
    Path(out).write_text("done")
