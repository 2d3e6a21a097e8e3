"""The threshold sweep behind `assistant calibrate`: replay recorded questions over a grid, pick a point.

Over all questions: the answer rate is answered / questions, precision is correct / answered (an
answer to an unanswerable question is wrong). On a set with only answerable questions these are the
report's answer rate and precision. No randomness: the same records always give the same choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from assistant.evaluation.normalise import contains_answer
from assistant.evaluation.question_record import QuestionRecord
from assistant.evaluation.replay import (
    Mode,
    closed_confidence,
    grounded_confidence,
    grounded_sample_agreement,
    grounded_usable,
    replay,
    sample_agreement,
)
from assistant.thresholds import Thresholds

GRID_STEPS = 50  # levels every 0.02 (plus every value that occurs, on one-stage curves)
Target = Literal["precision", "answer_rate"]


@dataclass(frozen=True)
class CurvePoint:
    min_confidence_parametric: float
    min_confidence_grounded: float
    answer_rate: float
    precision: float | None  # None when nothing is answered


@dataclass(frozen=True)
class Choice:
    point: CurvePoint
    met: bool  # False: no point reaches the target; `point` is the closest one


@dataclass(frozen=True)
class _Facts:
    """What the sweep needs of one record under a mode, computed once."""

    closed_confidence: float | None  # None when the closed-book answer can never be given
    closed_correct: bool
    grounded_confidence: float | None  # None when the grounded answer can never be given
    grounded_correct: bool


def sweep(records: Sequence[QuestionRecord], *, mode: Mode) -> list[CurvePoint]:
    """Every (parametric, grounded) confidence level on the grid; everything else from `mode`."""
    facts = [_facts(record, mode) for record in records]
    levels = _grid(())
    return [_point(facts, c, g) for c in levels for g in levels]


def choose(points: Sequence[CurvePoint], *, target: Target, value: float, base: Thresholds) -> Choice:
    """The point meeting the target with the best other rate; ties go to the point nearest `base`."""
    if target == "precision":
        met = [p for p in points if p.precision is not None and p.precision >= value]
        best = max(met, key=lambda p: (p.answer_rate, p.precision or 0.0, -_distance(p, base)), default=None)
        fallback = max(points, key=lambda p: (p.precision or 0.0, p.answer_rate, -_distance(p, base)))
    else:
        met = [p for p in points if p.answer_rate >= value]
        best = max(met, key=lambda p: (p.precision or 0.0, p.answer_rate, -_distance(p, base)), default=None)
        fallback = max(points, key=lambda p: (p.answer_rate, p.precision or 0.0, -_distance(p, base)))
    return Choice(best, True) if best is not None else Choice(fallback, False)


def frontier(points: Sequence[CurvePoint]) -> list[CurvePoint]:
    """The best precision reached at each answer rate or above, by answer rate (the upper envelope)."""
    answered = [p for p in points if p.precision is not None]
    ordered = sorted(answered, key=lambda p: (-p.answer_rate, -(p.precision or 0.0)))
    kept: list[CurvePoint] = []
    for point in ordered:
        if not kept or (point.precision or 0.0) > (kept[-1].precision or 0.0):
            kept.append(point)
    return sorted(kept, key=lambda p: p.answer_rate)


def _facts(record: QuestionRecord, mode: Mode) -> _Facts:
    base = mode.thresholds
    closed_ok = not record.refused and sample_agreement(record, base) >= base.agreement_threshold
    grounded_ok = (
        grounded_usable(record, base)
        and (record.grounded_support or 0.0) >= base.support_threshold
        and grounded_sample_agreement(record, base) >= base.agreement_threshold
    )
    return _Facts(
        closed_confidence=closed_confidence(record, mode) if closed_ok else None,
        closed_correct=record.answerable and contains_answer(record.parametric_answer, record.answers),
        grounded_confidence=grounded_confidence(record, mode) if grounded_ok else None,
        grounded_correct=record.answerable and contains_answer(record.grounded_answer, record.answers),
    )


def _point(facts: Sequence[_Facts], closed_level: float, grounded_level: float) -> CurvePoint:
    answered = correct = 0
    for fact in facts:
        if fact.closed_confidence is not None and fact.closed_confidence >= closed_level:
            answered, correct = answered + 1, correct + fact.closed_correct
        elif fact.grounded_confidence is not None and fact.grounded_confidence >= grounded_level:
            answered, correct = answered + 1, correct + fact.grounded_correct
    return CurvePoint(
        min_confidence_parametric=closed_level,
        min_confidence_grounded=grounded_level,
        answer_rate=answered / len(facts) if facts else 0.0,
        precision=correct / answered if answered else None,
    )


def _grid(observed: Iterable[float | None]) -> list[float]:
    """Levels every 1/GRID_STEPS, plus 1.01 (answer nothing); observed values sharpen the grid."""
    steps = {round(i / GRID_STEPS, 4) for i in range(GRID_STEPS + 1)} | {1.01}
    return sorted(steps | {round(v, 4) for v in observed if v is not None and 0.0 <= v <= 1.0})


def _distance(point: CurvePoint, base: Thresholds) -> float:
    return abs(point.min_confidence_parametric - base.min_confidence_parametric) + abs(
        point.min_confidence_grounded - base.min_confidence_grounded
    )


def mode_curve(records: Sequence[QuestionRecord], mode: Mode) -> list[CurvePoint]:
    """The trade-off a mode's own level gives: the parametric one for closed-book, the grounded one
    for rag, both (the upper envelope of the grid) for fallback."""
    facts = [_facts(record, mode) for record in records]
    if mode.kind == "closed":
        closed_only = [replace(fact, grounded_confidence=None) for fact in facts]
        return [_point(closed_only, c, 1.01) for c in _grid(f.closed_confidence for f in facts)]
    if mode.kind == "rag":
        grounded_only = [replace(fact, closed_confidence=None) for fact in facts]
        return [_point(grounded_only, 1.01, g) for g in _grid(f.grounded_confidence for f in facts)]
    return frontier(sweep(records, mode=mode))


def operating_point(records: Sequence[QuestionRecord], mode: Mode) -> CurvePoint:
    """Where the mode, as configured, sits on the risk-coverage plane (all-question definitions)."""
    outcomes = [(record, replay(record, mode)) for record in records]
    answered = [(r, o) for r, o in outcomes if o.answered]
    correct = sum(r.answerable and contains_answer(o.answer, r.answers) for r, o in answered)
    return CurvePoint(
        min_confidence_parametric=mode.thresholds.min_confidence_parametric,
        min_confidence_grounded=mode.thresholds.min_confidence_grounded,
        answer_rate=len(answered) / len(outcomes) if outcomes else 0.0,
        precision=correct / len(answered) if answered else None,
    )
