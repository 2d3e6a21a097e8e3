"""Replay a recorded question under a mode and thresholds: what would have been answered, at what cost.

The decisions mirror `assistant.flow`: the parametric answer stands when it is no refusal and its
samples agree enough; otherwise the grounded answer stands when the best passage scores high enough,
the answer's support is high enough and its own samples agree enough; otherwise the assistant
abstains. Two approximations, both noted in docs/evaluation.md: a profile with n samples uses the
first n recorded ones (closed-book and grounded), and the grounded answer was generated from all
top-k passages (a profile's score cut-off might have dropped some).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from assistant.agreement import agreement
from assistant.evaluation.question_record import QuestionRecord
from assistant.refusal import is_refusal
from assistant.thresholds import Thresholds

ModeKind = Literal["closed", "rag", "fallback"]


@dataclass(frozen=True)
class Mode:
    name: str  # as shown in reports: "closed", "rag", "fallback", "fallback-strict", ...
    kind: ModeKind
    thresholds: Thresholds


@dataclass(frozen=True)
class Outcome:
    answer: str  # "" when the assistant abstained
    retrieved: bool
    llm_calls: int
    tokens: int
    latency_ms: float

    @property
    def answered(self) -> bool:
        return bool(self.answer)


def replay(record: QuestionRecord, mode: Mode) -> Outcome:
    if mode.kind == "rag":
        return _grounded(record, mode.thresholds, before=None)
    closed = _closed(record, mode.thresholds)
    if mode.kind == "closed":
        answer = "" if record.refused else record.parametric_answer
        return Outcome(answer, False, 1, closed.tokens, closed.latency_ms)
    if confident(record, mode.thresholds):
        return closed
    return _grounded(record, mode.thresholds, before=closed)


def confident(record: QuestionRecord, thresholds: Thresholds) -> bool:
    """The flow's test for keeping the closed-book answer."""
    return not record.refused and sample_agreement(record, thresholds) >= thresholds.agreement_threshold


def sample_agreement(record: QuestionRecord, thresholds: Thresholds) -> float:
    """Agreement with the first `n_samples` recorded samples (all of them: the recorded value)."""
    if record.refused:
        return 0.0
    if thresholds.n_samples >= len(record.samples):
        return record.agreement
    chosen = record.samples[: thresholds.n_samples]
    return agreement(record.parametric_answer, chosen, question=record.question)


def grounded_passes(record: QuestionRecord, thresholds: Thresholds) -> bool:
    """Whether the grounded answer would be given: passages good enough, answer supported and
    repeated by its samples, no refusal."""
    return (
        grounded_usable(record, thresholds)
        and record.grounded_support is not None
        and record.grounded_support >= thresholds.support_threshold
        and grounded_sample_agreement(record, thresholds) >= thresholds.agreement_threshold
    )


def grounded_usable(record: QuestionRecord, thresholds: Thresholds) -> bool:
    """Whether a grounded answer exists for the thresholds' passage cut-off, whatever its scores."""
    return (
        retrieval_passes(record, thresholds)
        and record.grounded_support is not None
        and not is_refusal(record.grounded_answer)
    )


def grounded_sample_agreement(record: QuestionRecord, thresholds: Thresholds) -> float:
    """As `sample_agreement`, for the grounded answer; 1.0 for records that hold no grounded samples."""
    if record.grounded_agreement is None:
        return 1.0
    if thresholds.n_samples >= len(record.grounded_samples):
        return record.grounded_agreement
    chosen = record.grounded_samples[: thresholds.n_samples]
    return agreement(record.grounded_answer, chosen, question=record.question)


def retrieval_passes(record: QuestionRecord, thresholds: Thresholds) -> bool:
    return record.best_score is not None and record.best_score >= thresholds.min_retrieval_score


def _closed(record: QuestionRecord, thresholds: Thresholds) -> Outcome:
    n = min(thresholds.n_samples, len(record.samples))
    tokens = record.greedy_tokens + sum(record.sample_tokens[:n])
    answer = "" if record.refused else record.parametric_answer
    return Outcome(answer, False, 1, tokens, record.sampling_ms)


def _grounded(record: QuestionRecord, thresholds: Thresholds, *, before: Outcome | None) -> Outcome:
    calls = before.llm_calls if before else 0
    tokens = before.tokens if before else 0
    latency = (before.latency_ms if before else 0.0) + record.retrieval_ms
    if retrieval_passes(record, thresholds):
        n = min(thresholds.n_samples, len(record.grounded_sample_tokens))
        tokens += record.grounded_tokens + sum(record.grounded_sample_tokens[:n])
        calls, latency = calls + 1, latency + record.grounded_ms
    answer = record.grounded_answer if grounded_passes(record, thresholds) else ""
    return Outcome(answer, True, calls, tokens, latency)
