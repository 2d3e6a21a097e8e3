"""Run both stages of the flow on a question, unconditionally, and keep everything as a QuestionRecord."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from time import perf_counter

from assistant.evaluation.counting import CountingGenerator
from assistant.evaluation.question_record import QuestionRecord
from assistant.evaluation.questions import EvalQuestion
from assistant.flow import grounded_stage, parametric_stage
from assistant.protocols import Generator, Passage, Retriever
from assistant.s2a import understand
from assistant.thresholds import Thresholds

Progress = Callable[[int, int], None]


def recording_thresholds(used: Sequence[Thresholds]) -> Thresholds:
    """One setting that records enough for every threshold set in `used`.

    The most samples and passages any of them needs; no retrieval-score or support cut-off, so that
    the grounded answer, its support and its samples' agreement exist for every question and the
    cut-offs can be replayed.
    """
    first = used[0]
    return first.model_copy(
        update={
            "n_samples": max(t.n_samples for t in used),
            "retrieval_top_k": max(t.retrieval_top_k for t in used),
            "max_new_tokens": max(t.max_new_tokens for t in used),
            "min_retrieval_score": -1.0,
            "support_threshold": 0.0,
            "agreement_threshold": 0.0,
            "min_confidence_grounded": 0.0,
        }
    )


def record_question(
    question: EvalQuestion,
    *,
    generator: Generator,
    retriever: Retriever | None,
    thresholds: Thresholds,
    label: str = "",
) -> QuestionRecord:
    """Both stages for one question with `thresholds` from `recording_thresholds`."""
    counting = CountingGenerator(generator)
    started = perf_counter()
    asked = understand(question.question, mode=thresholds.s2a, generator=counting).question
    s2a_ms, s2a_tokens = (perf_counter() - started) * 1000.0, counting.last_greedy_tokens
    counting.reset()
    closed = parametric_stage(asked, generator=counting, thresholds=thresholds, skip_decided_samples=False)
    greedy_tokens, sample_tokens = counting.last_greedy_tokens, counting.last_sample_tokens
    counting.reset()
    scored = _ScoreSpy(retriever) if retriever is not None else None
    grounded = grounded_stage(
        asked, generator=counting, retriever=scored, thresholds=thresholds, skip_decided_samples=False
    )
    return QuestionRecord(
        id=question.id,
        dataset=question.dataset,
        model=generator.model_id,
        question=question.question,
        answers=question.answers,
        parametric_answer=closed.answer,
        samples=closed.samples,
        refused=closed.refused,
        agreement=closed.agreement,
        sampling_ms=closed.elapsed_ms,
        greedy_tokens=greedy_tokens,
        sample_tokens=sample_tokens,
        best_score=scored.best_score if scored else None,
        grounded_answer=grounded.answer if grounded.support is not None else "",
        grounded_support=grounded.support,
        grounded_tokens=counting.last_greedy_tokens,
        grounded_samples=grounded.samples,
        grounded_agreement=grounded.agreement,
        grounded_sample_tokens=counting.last_sample_tokens,
        retrieval_ms=grounded.retrieval_ms,
        grounded_ms=grounded.grounded_ms,
        passage_ids=scored.chunk_ids if scored else (),
        label=label,
        understood=asked,
        planted=question.planted if question.dataset.endswith("-planted") else "",
        closed_signals=dict(closed.signals),
        grounded_signals=dict(grounded.signals),
        s2a_tokens=s2a_tokens,
        s2a_ms=s2a_ms,
    )


def record_questions(
    questions: Sequence[EvalQuestion],
    *,
    generator: Generator,
    retriever: Retriever | None,
    thresholds: Thresholds,
    progress: Progress | None = None,
) -> Iterable[QuestionRecord]:
    """Records one by one, so a long run can be written as it goes."""
    for done, question in enumerate(questions, start=1):
        yield record_question(question, generator=generator, retriever=retriever, thresholds=thresholds)
        if progress is not None:
            progress(done, len(questions))


class _ScoreSpy:
    """A Retriever that remembers the best score and the chunk ids of what it returned."""

    def __init__(self, inner: Retriever) -> None:
        self._inner = inner
        self.best_score: float | None = None
        self.chunk_ids: tuple[str, ...] = ()

    def retrieve(self, query: str, *, k: int) -> Sequence[Passage]:
        hits = self._inner.retrieve(query, k=k)
        self.best_score = max((hit.score for hit in hits), default=None)
        self.chunk_ids = tuple(hit.chunk_id for hit in hits)
        return hits
