"""Replay a recorded question under a mode and thresholds: what would have been answered, at what cost.

The decisions mirror `assistant.flow`: the parametric answer stands when it is no refusal and its
calibrated confidence (from the recorded signals) reaches the mode's level (below
`check_parametric_below` it gives way to a surer grounded answer); otherwise the grounded answer
stands when its confidence reaches the grounded level (and the expert floors, when set, hold);
otherwise the assistant abstains. Two approximations, both noted in docs/evaluation.md: a profile with
n samples uses the first n recorded ones (closed-book and grounded), and the grounded answer was
generated from all top-k passages.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal

from assistant.agreement import agreement
from assistant.confidence import Calibrator, default_calibrator
from assistant.evaluation.question_record import QuestionRecord
from assistant.refusal import is_refusal
from assistant.thresholds import Thresholds

ModeKind = Literal["closed", "rag", "fallback"]


@dataclass(frozen=True)
class Mode:
    name: str  # as shown in reports: "closed", "rag", "fallback", "fallback-strict", ...
    kind: ModeKind
    thresholds: Thresholds
    calibrator: Calibrator = field(default_factory=default_calibrator)


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
    """What the mode would have answered, its cost including S2A's rewrite (when the model made one)."""
    s2a = Outcome("", False, int(record.s2a_tokens > 0), record.s2a_tokens, record.s2a_ms)
    if mode.kind == "rag":
        return _grounded(record, mode, before=s2a)
    closed = _closed(record, mode.thresholds, before=s2a)
    if mode.kind == "closed":
        answer = "" if record.refused else record.parametric_answer
        return Outcome(answer, False, closed.llm_calls, closed.tokens, closed.latency_ms)
    if not confident(record, mode):
        return _grounded(record, mode, before=closed)
    confidence = closed_confidence(record, mode)
    if confidence >= mode.thresholds.check_parametric_below:
        return closed
    # Checked against the documents (as the flow does): the surer answer is given.
    grounded = _grounded(record, mode, before=closed)
    if grounded.answered and grounded_confidence(record, mode) > confidence:
        return grounded
    return dataclasses.replace(grounded, answer=closed.answer)


def confident(record: QuestionRecord, mode: Mode) -> bool:
    """The flow's test for keeping the closed-book answer."""
    thresholds = mode.thresholds
    return (
        not record.refused
        and closed_confidence(record, mode) >= thresholds.min_confidence_parametric
        and sample_agreement(record, thresholds) >= thresholds.agreement_threshold
    )


def closed_confidence(record: QuestionRecord, mode: Mode) -> float:
    """The calibrated confidence of the closed-book answer, with agreement over the mode's samples."""
    signals = {
        **record.closed_signals,
        "refused": float(record.refused),
        "agreement": sample_agreement(record, mode.thresholds),
    }
    return mode.calibrator.confidence("parametric", signals)


def grounded_confidence(record: QuestionRecord, mode: Mode) -> float:
    """The calibrated confidence of the grounded answer (0 when none can be given)."""
    if not grounded_usable(record, mode.thresholds):
        return 0.0
    fallback = {"support_added": record.grounded_support or 0.0, "best_score": record.best_score or 0.0}
    signals = {
        **fallback,
        **record.grounded_signals,
        "agreement": grounded_sample_agreement(record, mode.thresholds),
    }
    return mode.calibrator.confidence("grounded", signals)


def sample_agreement(record: QuestionRecord, thresholds: Thresholds) -> float:
    """Agreement with the first `n_samples` recorded samples (all of them: the recorded value)."""
    if record.refused:
        return 0.0
    if thresholds.n_samples >= len(record.samples):
        return record.agreement
    chosen = record.samples[: thresholds.n_samples]
    return agreement(record.parametric_answer, chosen, question=record.understood or record.question)


def grounded_passes(record: QuestionRecord, mode: Mode) -> bool:
    """Whether the grounded answer would be given: confident enough, and over the expert floors."""
    thresholds = mode.thresholds
    return (
        grounded_usable(record, thresholds)
        and record.grounded_support is not None
        and record.grounded_support >= thresholds.support_threshold
        and grounded_sample_agreement(record, thresholds) >= thresholds.agreement_threshold
        and grounded_confidence(record, mode) >= thresholds.min_confidence_grounded
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
    return agreement(record.grounded_answer, chosen, question=record.understood or record.question)


def retrieval_passes(record: QuestionRecord, thresholds: Thresholds) -> bool:
    return record.best_score is not None and record.best_score >= thresholds.min_retrieval_score


def _closed(record: QuestionRecord, thresholds: Thresholds, *, before: Outcome) -> Outcome:
    n = min(thresholds.n_samples, len(record.samples))
    tokens = before.tokens + record.greedy_tokens + sum(record.sample_tokens[:n])
    answer = "" if record.refused else record.parametric_answer
    return Outcome(answer, False, before.llm_calls + 1, tokens, before.latency_ms + record.sampling_ms)


def _grounded(record: QuestionRecord, mode: Mode, *, before: Outcome) -> Outcome:
    thresholds = mode.thresholds
    calls, tokens = before.llm_calls, before.tokens
    latency = before.latency_ms + record.retrieval_ms
    if retrieval_passes(record, thresholds):
        n = min(thresholds.n_samples, len(record.grounded_sample_tokens))
        tokens += record.grounded_tokens + sum(record.grounded_sample_tokens[:n])
        calls, latency = calls + 1, latency + record.grounded_ms
    answer = record.grounded_answer if grounded_passes(record, mode) else ""
    return Outcome(answer, True, calls, tokens, latency)


def with_first_samples(record: QuestionRecord, n: int) -> QuestionRecord:
    """The record as if only the first n samples of each stage had been drawn: the samples, their
    tokens and both stages' agreement (recorded and in the signals) cut to those n."""
    fewer = Thresholds(n_samples=n)
    closed = record.samples[:n]
    closed_agreement = sample_agreement(record, fewer)
    cut = dataclasses.replace(
        record,
        samples=closed,
        agreement=closed_agreement,
        sample_tokens=record.sample_tokens[:n],
        closed_signals=_with_agreement(record.closed_signals, closed_agreement, len(closed)),
    )
    if record.grounded_agreement is None:
        return cut
    grounded = record.grounded_samples[:n]
    grounded_agreement = grounded_sample_agreement(record, fewer)
    return dataclasses.replace(
        cut,
        grounded_samples=grounded,
        grounded_agreement=grounded_agreement,
        grounded_sample_tokens=record.grounded_sample_tokens[:n],
        grounded_signals=_with_agreement(record.grounded_signals, grounded_agreement, len(grounded)),
    )


def _with_agreement(signals: dict[str, float], value: float, samples: int) -> dict[str, float]:
    """Signals with agreement and sample count replaced; left alone where agreement was not measured."""
    if "agreement" not in signals:
        return signals
    return {**signals, "agreement": value, "samples": float(samples)}
