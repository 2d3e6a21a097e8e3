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
    grounded_sample_agreement,
    grounded_usable,
    replay,
    sample_agreement,
)
from assistant.thresholds import Thresholds

GRID_STEPS = 20  # thresholds every 0.05, plus every agreement value that occurs
Target = Literal["precision", "answer_rate"]


@dataclass(frozen=True)
class CurvePoint:
    agreement_threshold: float
    support_threshold: float
    answer_rate: float
    precision: float | None  # None when nothing is answered


@dataclass(frozen=True)
class Choice:
    point: CurvePoint
    met: bool  # False: no point reaches the target; `point` is the closest one


@dataclass(frozen=True)
class _Facts:
    """What the sweep needs of one record, computed once."""

    refused: bool
    agreement: float
    closed_correct: bool
    support: float | None  # None when the grounded answer can never be given
    grounded_agreement: float
    grounded_correct: bool


def sweep(records: Sequence[QuestionRecord], *, base: Thresholds) -> list[CurvePoint]:
    """Every (agreement_threshold, support_threshold) on the grid, other thresholds from `base`."""
    facts = [_facts(record, base) for record in records]
    agreements = _grid(_agreements(facts))
    supports = _grid(())
    return [_point(facts, a, s) for a in agreements for s in supports]


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


def _facts(record: QuestionRecord, base: Thresholds) -> _Facts:
    usable = grounded_usable(record, base)
    return _Facts(
        refused=record.refused,
        agreement=sample_agreement(record, base),
        closed_correct=record.answerable and contains_answer(record.parametric_answer, record.answers),
        support=record.grounded_support if usable else None,
        grounded_agreement=grounded_sample_agreement(record, base),
        grounded_correct=record.answerable and contains_answer(record.grounded_answer, record.answers),
    )


def _point(facts: Sequence[_Facts], agreement_threshold: float, support_threshold: float) -> CurvePoint:
    answered = correct = 0
    for fact in facts:
        if not fact.refused and fact.agreement >= agreement_threshold:
            answered, correct = answered + 1, correct + fact.closed_correct
        elif _grounded_given(fact, agreement_threshold, support_threshold):
            answered, correct = answered + 1, correct + fact.grounded_correct
    return CurvePoint(
        agreement_threshold=agreement_threshold,
        support_threshold=support_threshold,
        answer_rate=answered / len(facts) if facts else 0.0,
        precision=correct / answered if answered else None,
    )


def _grounded_given(fact: _Facts, agreement_threshold: float, support_threshold: float) -> bool:
    """The grounded answer's gate: the agreement threshold applies to its own samples too."""
    return (
        fact.support is not None
        and fact.support >= support_threshold
        and fact.grounded_agreement >= agreement_threshold
    )


def _agreements(facts: Sequence[_Facts]) -> list[float]:
    return [f.agreement for f in facts] + [f.grounded_agreement for f in facts]


def _grid(observed: Iterable[float]) -> list[float]:
    steps = {round(i / GRID_STEPS, 4) for i in range(GRID_STEPS + 1)}
    return sorted(steps | {round(v, 4) for v in observed if 0.0 <= v <= 1.0})


def _distance(point: CurvePoint, base: Thresholds) -> float:
    return abs(point.agreement_threshold - base.agreement_threshold) + abs(
        point.support_threshold - base.support_threshold
    )


def mode_curve(records: Sequence[QuestionRecord], mode: Mode) -> list[CurvePoint]:
    """The trade-off a mode's own threshold gives: agreement for closed-book, support for rag, both
    (the upper envelope of the grid) for fallback."""
    facts = [_facts(record, mode.thresholds) for record in records]
    if mode.kind == "closed":
        closed_only = [replace(fact, support=None) for fact in facts]
        return [_point(closed_only, a, 1.0) for a in _grid(f.agreement for f in facts)]
    if mode.kind == "rag":
        grounded_only = [replace(fact, refused=True) for fact in facts]
        agreed = mode.thresholds.agreement_threshold
        return [_point(grounded_only, agreed, s) for s in _grid(f.support or 0.0 for f in facts)]
    return frontier(sweep(records, base=mode.thresholds))


def operating_point(records: Sequence[QuestionRecord], mode: Mode) -> CurvePoint:
    """Where the mode, as configured, sits on the risk-coverage plane (all-question definitions)."""
    outcomes = [(record, replay(record, mode)) for record in records]
    answered = [(r, o) for r, o in outcomes if o.answered]
    correct = sum(r.answerable and contains_answer(o.answer, r.answers) for r, o in answered)
    return CurvePoint(
        agreement_threshold=mode.thresholds.agreement_threshold,
        support_threshold=mode.thresholds.support_threshold,
        answer_rate=len(answered) / len(outcomes) if outcomes else 0.0,
        precision=correct / len(answered) if answered else None,
    )
