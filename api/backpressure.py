"""A bounded number of answer requests at once: past it, 503 with Retry-After instead of a growing queue.

The in-process backends answer one question at a time, so every request past the first waits; without
a bound, a burst of clients makes every one of them wait past its own timeout, and memory grows.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

# What a refused client is told to wait: about two answers of the default model on 2 cores.
RETRY_AFTER_S = 5


class Overloaded(Exception):
    """More answer requests than the queue holds; the client should retry after `retry_after_s`."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"the server is busy: {limit} questions are already being answered or waiting; "
            f"retry in {RETRY_AFTER_S} s"
        )
        self.retry_after_s = RETRY_AFTER_S


class AnswerQueue:
    """Admits at most `limit` answer requests at a time (being answered plus waiting for the model)."""

    def __init__(self, *, limit: int) -> None:
        self._limit = limit
        self._admitted = 0
        self._lock = threading.Lock()

    @property
    def admitted(self) -> int:
        with self._lock:
            return self._admitted

    def enter(self) -> None:
        """Take a place, or raise Overloaded at once (never block: the client decides when to retry)."""
        with self._lock:
            if self._admitted >= self._limit:
                raise Overloaded(self._limit)
            self._admitted += 1

    def leave(self) -> None:
        with self._lock:
            self._admitted = max(0, self._admitted - 1)

    @contextmanager
    def place(self) -> Iterator[None]:
        self.enter()
        try:
            yield
        finally:
            self.leave()


class Place:
    """One admitted request whose place is given back once, however many paths try (streams)."""

    def __init__(self, queue: AnswerQueue) -> None:
        queue.enter()
        self._queue = queue
        self._released = False
        self._lock = threading.Lock()

    def release(self) -> None:
        with self._lock:
            if self._released:
                return
            self._released = True
        self._queue.leave()
