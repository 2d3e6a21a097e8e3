"""Background index builds: one at a time, tracked by job id, switched in only when they succeed."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from api.components import BuildSummary, IndexService
from assistant.protocols import Retriever
from index.errors import IndexingError

JobState = Literal["running", "succeeded", "failed"]
_LOG = logging.getLogger(__name__)
KEPT_JOBS = 100


class BuildAlreadyRunning(Exception):
    """A rebuild was asked for while another one runs."""

    def __init__(self, job_id: str) -> None:
        super().__init__(f"index build {job_id} is still running; wait for it to finish")
        self.job_id = job_id


@dataclass(frozen=True)
class Job:
    id: str
    state: JobState
    incremental: bool
    started_at: float
    finished_at: float | None = None
    stage: str = "starting"
    done: int = 0
    total: int = 0
    skipped: tuple[dict[str, str], ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["skipped"] = list(self.skipped)
        data["progress"] = {"stage": self.stage, "done": self.done, "total": self.total}
        return data


class BuildJobs:
    """Runs builds of `source` in a background thread; a successful build's retriever goes to `on_success`."""

    def __init__(
        self, *, index: Callable[[], IndexService], source: Path, on_success: Callable[[Retriever], None]
    ) -> None:
        self._index_service = index
        self._source = source
        self._on_success = on_success
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._running: str | None = None

    def start(self, *, incremental: bool) -> Job:
        """Start a build and return its job; raises BuildAlreadyRunning while another runs.

        `index` is asked for the index service first, so a server still loading refuses at once.
        """
        index = self._index_service()
        with self._lock:
            if self._running is not None:
                raise BuildAlreadyRunning(self._running)
            job = Job(id=uuid.uuid4().hex, state="running", incremental=incremental, started_at=time.time())
            self._forget_old_jobs()
            self._jobs[job.id] = job
            self._running = job.id
        thread = threading.Thread(target=self._run, args=(job.id, index), name=f"build-{job.id}", daemon=True)
        thread.start()
        return job

    def _forget_old_jobs(self) -> None:
        """Keep the latest KEPT_JOBS finished jobs (dicts keep insertion order, oldest first)."""
        for job_id in list(self._jobs)[: max(0, len(self._jobs) - KEPT_JOBS + 1)]:
            if job_id != self._running:
                del self._jobs[job_id]

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _run(self, job_id: str, index: IndexService) -> None:
        try:
            self._build(job_id, index)
        finally:
            # An unexpected error must not leave the build slot taken for ever.
            self._finish(job_id, state="failed", error="the build stopped unexpectedly", only_if_running=True)

    def _build(self, job_id: str, index: IndexService) -> None:
        incremental = self._jobs[job_id].incremental
        try:
            summary = index.build(
                source=self._source,
                incremental=incremental,
                progress=lambda s, d, t: self._progress(job_id, s, d, t),
            )
            retriever = index.open()
        except (IndexingError, OSError) as error:
            _LOG.warning("index build %s failed: %s", job_id, error)
            self._finish(job_id, state="failed", error=f"{type(error).__name__}: {error}")
            return
        self._on_success(retriever)
        self._finish(job_id, state="succeeded", summary=summary)

    def _progress(self, job_id: str, stage: str, done: int, total: int) -> None:
        with self._lock:
            job = self._jobs[job_id]
            self._jobs[job_id] = dataclasses.replace(job, stage=stage, done=done, total=total)

    def _finish(
        self,
        job_id: str,
        *,
        state: JobState,
        summary: BuildSummary | None = None,
        error: str | None = None,
        only_if_running: bool = False,
    ) -> None:
        with self._lock:
            job = self._jobs[job_id]
            if only_if_running and job.state != "running":
                return
            changes: dict[str, Any] = {"state": state, "finished_at": time.time(), "error": error}
            if summary is not None:
                changes["skipped"] = tuple(dict(s) for s in summary.skipped)
                changes["details"] = dict(summary.details)
            self._jobs[job_id] = dataclasses.replace(job, **changes)
            self._running = None
