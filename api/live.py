"""Run blocking work in the threadpool while the event loop streams the stages it reports."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
Work = Callable[[Callable[[str], None]], Awaitable[T]]


class StagedRun(Generic[T]):
    """Runs `await work(on_stage)` as a task; `stages()` yields each stage it reports, live, until it ends.

    `on_stage` may be called from a worker thread (the flow runs in the threadpool): each call hops to
    the event loop through `call_soon_threadsafe`, so every stage is sent while the next one runs.
    """

    def __init__(self, work: Work[T]) -> None:
        self._work = work
        self._task: asyncio.Future[T] | None = None

    async def stages(self) -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | None] = asyncio.Queue()

        def report(stage: str) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, stage)

        async def run() -> T:
            try:
                return await self._work(report)
            finally:
                # Behind every stage the worker reported: call_soon_threadsafe keeps their order.
                loop.call_soon_threadsafe(queue.put_nowait, None)

        self._task = asyncio.ensure_future(run())
        # A client that hangs up stops this generator, not the work; its error is then nobody's to log.
        self._task.add_done_callback(_consume_error)
        while (stage := await queue.get()) is not None:
            yield stage
        await asyncio.wait([self._task])

    def result(self) -> T:
        """The work's return value once `stages()` is exhausted; re-raises what the work raised."""
        if self._task is None or not self._task.done():
            raise RuntimeError("StagedRun.result() before its stages were read to the end")
        return self._task.result()


def _consume_error(task: asyncio.Future[T]) -> None:
    if not task.cancelled():
        task.exception()
