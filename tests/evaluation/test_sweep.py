"""The calibration sweep on a fixture of records whose best levels were worked out by hand.

fixtures/calibration_records.jsonl, 14 questions (see the ids): 6 known (agreement 1.0), 2 confidently
wrong (0.8) that passages fix (support 0.9), 2 scattered and wrong (0.4, wrong grounded answer with
support 0.3), 2 unanswerable (0.6, support 0.2), 2 half-sure but right (0.6, support 0.8).
Under SWEEP_CONFIDENCE the closed-book confidences are 0.95 (known), 0.73 (0.8), 0.27 (0.6) and 0.05
(0.4); the grounded ones 0.97 (support 0.9), 0.92 (0.8), 0.08 (0.3) and 0.03 (0.2).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.confidence import Calibrator, StageModel
from assistant.evaluation.question_record import QuestionRecord, read_records
from assistant.evaluation.replay import Mode
from assistant.evaluation.sweep import choose, frontier, operating_point, sweep
from assistant.thresholds import PROFILES, Thresholds
from tests.support.eval_builders import make_record

FIXTURE = Path(__file__).parent / "fixtures" / "calibration_records.jsonl"
BALANCED = PROFILES["balanced"]
SWEEP_CONFIDENCE = Calibrator(
    parametric=StageModel(("agreement",), (0.7,), (0.1,), (1.0,), 0.0),
    grounded=StageModel(("support_added",), (0.55,), (0.1,), (1.0,), 0.0),
)


def _mode(thresholds: Thresholds = BALANCED) -> Mode:
    return Mode("fallback", "fallback", thresholds, SWEEP_CONFIDENCE)


@pytest.fixture(scope="module")
def records() -> list[QuestionRecord]:
    return read_records(FIXTURE)


def test_precision_target_is_met_with_the_most_answers(records: list[QuestionRecord]) -> None:
    # Only the known 6 answer closed-book; a grounded level that lets support 0.8 through adds the 4
    # that passages get right: 10 of 14 answered, all correct.
    choice = choose(sweep(records, mode=_mode()), target="precision", value=0.9, base=BALANCED)
    assert choice.met
    assert 0.73 < choice.point.min_confidence_parametric <= 0.95
    assert 0.08 < choice.point.min_confidence_grounded <= 0.92
    assert choice.point.answer_rate == pytest.approx(10 / 14)
    assert choice.point.precision == pytest.approx(1.0)


def test_answer_rate_target_is_met_with_the_best_precision(records: list[QuestionRecord]) -> None:
    # 12 answers are needed (0.8 * 14 = 11.2): letting the scattered ones' grounded answers through
    # costs 2 wrong answers, 10 of 12 right; lowering the closed-book level instead costs more.
    choice = choose(sweep(records, mode=_mode()), target="answer_rate", value=0.8, base=BALANCED)
    assert choice.met
    assert 0.03 < choice.point.min_confidence_grounded <= 0.08
    assert choice.point.answer_rate == pytest.approx(12 / 14)
    assert choice.point.precision == pytest.approx(10 / 12)


def test_chosen_levels_replayed_through_the_flow_reach_the_target(records: list[QuestionRecord]) -> None:
    choice = choose(sweep(records, mode=_mode()), target="precision", value=0.9, base=BALANCED)
    chosen = BALANCED.model_copy(
        update={
            "min_confidence_parametric": choice.point.min_confidence_parametric,
            "min_confidence_grounded": choice.point.min_confidence_grounded,
        }
    )
    replayed = operating_point(records, _mode(chosen))
    assert replayed.precision is not None and replayed.precision >= 0.9
    assert replayed.answer_rate == pytest.approx(choice.point.answer_rate)
    loose = BALANCED.model_copy(update={"min_confidence_parametric": 0.2, "min_confidence_grounded": 0.0})
    unchosen = operating_point(records, _mode(loose))
    assert unchosen.precision is not None and unchosen.precision < 0.9  # calibration changed something


def test_unreachable_target_is_reported_not_met(records: list[QuestionRecord]) -> None:
    choice = choose(sweep(records, mode=_mode()), target="answer_rate", value=1.0, base=BALANCED)
    assert choice.met  # answering everything is always possible
    strict = choose(
        sweep(records[:2] + records[6:8], mode=_mode()), target="precision", value=1.0, base=BALANCED
    )
    assert strict.met  # the known ones alone are all right
    wrong_only = [r for r in records if r.id.startswith("unanswerable")]
    none = choose(sweep(wrong_only, mode=_mode()), target="precision", value=0.5, base=BALANCED)
    assert not none.met


def test_sweep_is_deterministic_and_frontier_is_monotone(records: list[QuestionRecord]) -> None:
    first, second = sweep(records, mode=_mode()), sweep(list(records), mode=_mode())
    assert first == second
    curve = frontier(first)
    rates = [p.answer_rate for p in curve]
    precisions = [p.precision for p in curve]
    assert rates == sorted(rates)
    assert precisions == sorted(precisions, reverse=True)  # more answers, never better precision


def test_the_agreement_of_grounded_samples_moves_the_grounded_confidence() -> None:
    # Both refused closed-book; both grounded answers fully supported, but the wrong one's samples
    # scatter: a model reading agreement gives the right one the higher confidence.
    by_agreement = Calibrator(
        parametric=SWEEP_CONFIDENCE.parametric,
        grounded=StageModel(("agreement",), (0.5,), (0.1,), (1.0,), 0.0),
    )
    right = make_record(id="right", refused=True, agreement=0.0, grounded_agreement=1.0)
    wrong = make_record(
        id="wrong", refused=True, agreement=0.0, grounded_answer="Bob Stone [1].", grounded_agreement=0.2
    )
    mode = Mode("fallback", "fallback", BALANCED, by_agreement)
    choice = choose(sweep([right, wrong], mode=mode), target="precision", value=1.0, base=BALANCED)
    assert choice.met
    assert (choice.point.answer_rate, choice.point.precision) == (0.5, 1.0)
