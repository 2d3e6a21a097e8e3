"""One question through the fallback flow: `answer` for the CLI, `answer_request` for every HTTP route."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.concurrency import run_in_threadpool

from api.deps import AppContext
from assistant.answer import Answer
from assistant.flow import StageListener, answer_question
from assistant.protocols import ChatMessage, Generator, Retriever
from assistant.thresholds import Thresholds


class QuestionRejected(Exception):
    """A question that is empty or longer than the configured limit."""

    def __init__(self, message: str, *, field: str = "question") -> None:
        super().__init__(message)
        self.field = field


def check_question(text: str, *, max_chars: int) -> str:
    """The question without surrounding blanks; QuestionRejected when empty or too long."""
    if len(text) > max_chars:
        raise QuestionRejected(f"question: {len(text)} characters, more than the limit of {max_chars}")
    question = text.strip()
    if not question:
        raise QuestionRejected("question: must not be empty")
    return question


def with_notice(record: dict[str, Any], notice: str | None) -> dict[str, Any]:
    """`record` with a `notice` (e.g. that no documents are indexed) when there is one."""
    return record if notice is None else {**record, "notice": notice}


def answer(
    question: str,
    *,
    generator: Generator,
    retriever: Retriever | None,
    thresholds: Thresholds,
    history: Sequence[ChatMessage] = (),
    on_stage: StageListener | None = None,
) -> Answer:
    """Answer `question` (already checked) with the earlier turns of the conversation as context.

    With no retriever (no index built yet) the question takes the closed-book route or abstains.
    """
    return answer_question(
        question,
        generator=generator,
        retriever=retriever,
        thresholds=thresholds,
        history=tuple(history),
        on_stage=on_stage,
    )


async def answer_request(
    context: AppContext,
    question: str,
    *,
    thresholds: Thresholds,
    history: Sequence[ChatMessage] = (),
    on_stage: StageListener | None = None,
) -> Answer:
    """The server's answer: components and index read once, the flow run off the event loop, counted.

    Raises NotReady before any work while the models load; with no index the retriever is None and the
    flow answers closed-book or abstains (the routes add a `notice`).
    """
    generator = context.state.components().generator
    retriever = context.state.retriever()
    result = await run_in_threadpool(
        answer,
        question,
        generator=generator,
        retriever=retriever,
        thresholds=thresholds,
        history=history,
        on_stage=on_stage,
    )
    context.metrics.observe(result)
    return result
