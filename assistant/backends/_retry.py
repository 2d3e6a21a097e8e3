"""Call again after a transient failure, waiting longer each time (exponential backoff)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def with_retries(
    call: Callable[[], T],
    *,
    retries: int,
    backoff_s: float,
    retry_on: tuple[type[Exception], ...],
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """`call()`, repeated up to `retries` more times while it raises one of `retry_on`.

    Waits backoff_s, 2*backoff_s, 4*backoff_s... between attempts; the last failure propagates.
    """
    for attempt in range(retries):
        try:
            return call()
        except retry_on:
            sleep(backoff_s * 2**attempt)
    return call()
