"""What each stage of the flow produced, and how the two make up the answer record."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.answer import Answer, Citation, Route, Timings
from assistant.protocols import ModelTime, Passage
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
    # Of the stage's generate calls (one or two), as the backend measured it.
    model_time: ModelTime = field(default_factory=ModelTime)

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
    model_time: ModelTime = field(default_factory=ModelTime)
    withheld: str = ""  # on abstain: the answer generated from the passages and not given


@dataclass(frozen=True)
class Measured:
    """What was measured on a grounded answer that was then withheld."""

    answer: str
    agreement: float
    samples: tuple[str, ...]
    signals: dict[str, float]
    confidence: float
    model_time: ModelTime = field(default_factory=ModelTime)


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
    s2a_ms: float = 0.0,
    closed_kept: bool = False,
) -> Answer:
    """The answer record; `closed_kept`: the closed-book answer is given although the grounded stage
    ran (it was checked against the documents and stood), whose answer is then withheld."""
    given = None if closed_kept else grounded
    return Answer(
        answer=given.answer if given else closed.answer,
        route=given.route if given else "parametric",
        confidence=_shown_confidence(closed, given),
        parametric_confidence=closed.confidence,
        grounded_confidence=grounded.confidence if grounded else None,
        signals={"parametric": closed.signals, "grounded": grounded.signals if grounded else {}},
        question_understood=understood.question,
        set_aside=understood.set_aside,
        agreement=closed.agreement,
        grounded_support=grounded.support if grounded else None,
        grounded_agreement=grounded.agreement if grounded else None,
        samples=closed.samples,
        citations=given.citations if given else (),
        timings_ms=_timings(closed, grounded, total_ms=total_ms, s2a_ms=s2a_ms),
        model=model,
        parametric_answer=closed.answer,
        withheld_answer=_withheld(grounded, closed_kept=closed_kept),
    )


def _withheld(grounded: GroundedResult | None, *, closed_kept: bool) -> str:
    if grounded is None:
        return ""
    if closed_kept and grounded.route == "retrieval":
        return grounded.answer
    return grounded.withheld


def _timings(
    closed: ParametricResult, grounded: GroundedResult | None, *, total_ms: float, s2a_ms: float
) -> Timings:
    sampling = _split(closed.elapsed_ms, closed.model_time)
    grounded_ms = grounded.grounded_ms if grounded else 0.0
    from_passages = _split(grounded_ms, grounded.model_time if grounded else ModelTime())
    return Timings(
        sampling=closed.elapsed_ms,
        retrieval=grounded.retrieval_ms if grounded else 0.0,
        grounded=grounded_ms,
        total=total_ms,
        s2a=s2a_ms,
        sampling_prefill=sampling[0],
        sampling_decode=sampling[1],
        sampling_wait=sampling[2],
        grounded_prefill=from_passages[0],
        grounded_decode=from_passages[1],
        grounded_wait=from_passages[2],
    )


def _split(stage_ms: float, model_time: ModelTime) -> tuple[float, float, float]:
    """(prefill, decode, wait) of a stage; a server's clock may run a little past the flow's."""
    prefill = min(model_time.prefill_ms, stage_ms)
    decode = min(model_time.decode_ms, stage_ms - prefill)
    return prefill, decode, stage_ms - prefill - decode


def _shown_confidence(closed: ParametricResult, grounded: GroundedResult | None) -> float:
    """The confidence of the answer given, or of the best answer withheld when the flow abstained."""
    if grounded is None:
        return closed.confidence
    if grounded.route == "retrieval" and grounded.confidence is not None:
        return grounded.confidence
    return max(closed.confidence, grounded.confidence or 0.0)
