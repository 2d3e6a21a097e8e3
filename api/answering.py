"""One question through the fallback flow: `answer` for the CLI, `answer_request` for every HTTP route."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from starlette.concurrency import run_in_threadpool

from api.deps import AppContext
from api.observing import CountingGenerator, RecordingRetriever, Usage
from api.wiring import samples_together_under_load
from assistant.answer import Answer
from assistant.confidence import Calibrator
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
    confidence: Calibrator | None = None,
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
        calibrator=confidence,
    )


def samples_together_by_load(
    thresholds: Thresholds, *, answering: int, under_load: Literal["on", "off"] = "off"
) -> Thresholds:
    """`grounded_samples_together` "auto" made "on" for the only question being answered, else
    `under_load`.

    Alone, sample rows decoded beside the answer and dropped when it decides cost little and save a
    second decode; beside other questions the dropped rows take the place of other requests' rows,
    which costs the 0.5B throughput; the 1.5B's answers rarely decide alone, so it gains
    (`samples_together_under_load`, docs/results/greedy-first.md).
    """
    if thresholds.grounded_samples_together != "auto":
        return thresholds
    together = "on" if answering <= 1 else under_load
    return thresholds.model_copy(update={"grounded_samples_together": together})


@dataclass(frozen=True)
class Answered:
    """The server's answer, with what the api layer watched while the flow made it."""

    answer: Answer
    usage: Usage  # tokens of every generate call, samples included
    positions: Mapping[str, str]  # chunk_id -> where it lies in its document, of the passages retrieved


async def answer_request(
    context: AppContext,
    question: str,
    *,
    thresholds: Thresholds,
    history: Sequence[ChatMessage] = (),
    on_stage: StageListener | None = None,
) -> Answered:
    """The server's answer: components and index read once, the flow run off the event loop, counted.

    The generator and retriever are wrapped for this one request, to sum the tokens of every generate
    call and to keep the retrieved passages' positions. `on_stage` is called from the worker thread.
    Raises NotReady before any work while the models load; with no index the retriever is None and the
    flow answers closed-book or abstains (the routes add a `notice`).
    """
    generator = CountingGenerator(context.state.components().generator)
    thresholds = samples_together_by_load(
        thresholds,
        answering=context.answers.admitted,
        under_load=samples_together_under_load(context.settings),
    )
    index = context.state.retriever()
    retriever = RecordingRetriever(index) if index is not None else None
    result = await run_in_threadpool(
        answer,
        question,
        generator=generator,
        retriever=retriever,
        thresholds=thresholds,
        history=history,
        on_stage=on_stage,
        confidence=context.confidence,
    )
    context.metrics.observe(result)
    positions = retriever.positions() if retriever is not None else {}
    return Answered(answer=result, usage=generator.usage, positions=positions)
