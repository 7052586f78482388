"""Batch signing jobs of the staff pages: the POST opens the key and starts the batch in a
thread, then redirects (post/redirect/get) to the job's page, which the browser reloads each
second (a ``Refresh`` header: no script) until every document has its outcome.

The password or PIN never reaches a job: the key is opened by the request (a wrong password is
answered on the form), and the job only holds the open key until its batch ends. Jobs live in
this process's memory (a few hundred at most, the oldest finished ones dropped); with several
app processes the job page must be served by the process that signs (sticky sessions), else it
says the job is unknown and the inbox shows what was signed."""

from __future__ import annotations

import contextlib
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..workflows.results import SignOutcome

log = logging.getLogger("esign.staff.jobs")
MAX_JOBS = 300


@dataclass
class SigningJob:
    id: str
    user_id: int
    result_ids: tuple[int, ...]
    started: float = field(default_factory=time.monotonic)
    outcomes: list[SignOutcome] = field(default_factory=list)
    done: bool = False
    failure: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def total(self) -> int:
        return len(self.result_ids)

    def snapshot(self) -> tuple[list[SignOutcome], bool, str]:
        with self.lock:
            return list(self.outcomes), self.done, self.failure


_jobs: dict[str, SigningJob] = {}
_jobs_lock = threading.Lock()


def start(
    user_id: int,
    result_ids: list[int],
    run: Callable[[Callable[[SignOutcome], None]], object],
    key: contextlib.ExitStack,
) -> SigningJob:
    """Run ``run(on_outcome)`` in a thread; ``key`` (the open key) is closed when it ends."""
    job = SigningJob(id=secrets.token_urlsafe(16), user_id=user_id, result_ids=tuple(result_ids))

    def on_outcome(outcome: SignOutcome) -> None:
        with job.lock:
            job.outcomes.append(outcome)

    def work() -> None:
        try:
            with key:
                run(on_outcome)
        except Exception:  # the batch signer reports per document; this is the net under it
            log.exception("signing job %s failed", job.id)
            with job.lock:
                job.failure = "Lỗi hệ thống khi ký, đã ghi nhận. Hãy xem lại danh sách chờ ký."
        finally:
            with job.lock:
                job.done = True

    with _jobs_lock:
        if len(_jobs) >= MAX_JOBS:
            for old in sorted(_jobs.values(), key=lambda j: j.started):
                if old.done:
                    del _jobs[old.id]
                if len(_jobs) < MAX_JOBS:
                    break
        _jobs[job.id] = job
    threading.Thread(target=work, name=f"sign-{job.id[:6]}", daemon=True).start()
    return job


def find(job_id: str, user_id: int) -> SigningJob | None:
    """The job, only for the official who started it."""
    with _jobs_lock:
        job = _jobs.get(job_id)
    return job if job is not None and job.user_id == user_id else None
