"""What each stage of the flow produced, and how the two make up the answer record."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answer import Answer, Citation, Route, Timings
from assistant.protocols import Passage
from assistant.s2a import Understood
from assistant.thresholds import Thresholds


@dataclass(frozen=True)
class ParametricResult:
    """The closed-book main answer, its samples, and how well they agree."""

    answer: str
    samples: tuple[str, ...]
    agreement: float
    refused: bool
    elapsed_ms: float
    signals: dict[str, float]
    confidence: float  # calibrated probability that `answer` is right

    def confident(self, thresholds: Thresholds) -> bool:
        return (
            not self.refused
            and self.confidence >= thresholds.min_confidence_parametric
            and self.agreement >= thresholds.agreement_threshold
        )


@dataclass(frozen=True)
class GroundedResult:
    """The grounded answer with its citations, or an abstention (route 'abstain')."""

    answer: str
    route: Route
    support: float | None  # None when no answer was generated from passages
    agreement: float | None  # of the grounded samples with the grounded answer; None as for support
    samples: tuple[str, ...]
    citations: tuple[Citation, ...]
    retrieval_ms: float
    grounded_ms: float
    signals: dict[str, float]  # empty when no answer was generated from passages
    confidence: float | None  # calibrated probability that the grounded answer is right


@dataclass(frozen=True)
class Measured:
    """What was measured on a grounded answer that was then withheld."""

    agreement: float
    samples: tuple[str, ...]
    signals: dict[str, float]
    confidence: float


def citation(number: int, passage: Passage) -> Citation:
    return Citation(
        id=number, source=passage.source, chunk_id=passage.chunk_id, score=passage.score, text=passage.text
    )


def to_answer(
    closed: ParametricResult,
    grounded: GroundedResult | None,
    *,
    model: str,
    total_ms: float,
    understood: Understood,
) -> Answer:
    return Answer(
        answer=grounded.answer if grounded else closed.answer,
        route=grounded.route if grounded else "parametric",
        confidence=_shown_confidence(closed, grounded),
        parametric_confidence=closed.confidence,
        grounded_confidence=grounded.confidence if grounded else None,
        signals={"parametric": closed.signals, "grounded": grounded.signals if grounded else {}},
        question_understood=understood.question,
        set_aside=understood.set_aside,
        agreement=closed.agreement,
        grounded_support=grounded.support if grounded else None,
        grounded_agreement=grounded.agreement if grounded else None,
        samples=closed.samples,
        citations=grounded.citations if grounded else (),
        timings_ms=Timings(
            sampling=closed.elapsed_ms,
            retrieval=grounded.retrieval_ms if grounded else 0.0,
            grounded=grounded.grounded_ms if grounded else 0.0,
            total=total_ms,
        ),
        model=model,
        parametric_answer=closed.answer,
    )


def _shown_confidence(closed: ParametricResult, grounded: GroundedResult | None) -> float:
    """The confidence of the answer given, or of the best answer withheld when the flow abstained."""
    if grounded is None:
        return closed.confidence
    if grounded.route == "retrieval" and grounded.confidence is not None:
        return grounded.confidence
    return max(closed.confidence, grounded.confidence or 0.0)
