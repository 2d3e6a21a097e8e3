"""The calibration sweep on a fixture of records whose best thresholds were worked out by hand.

fixtures/calibration_records.jsonl, 14 questions (see the ids): 6 known (agreement 1.0), 2 confidently
wrong (0.8) that passages fix (support 0.9), 2 scattered and wrong (0.4, wrong grounded answer with
support 0.3), 2 unanswerable (0.6, support 0.2), 2 half-sure but right (0.6, support 0.8).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evaluation.question_record import QuestionRecord, read_records
from assistant.evaluation.replay import Mode
from assistant.evaluation.sweep import choose, frontier, operating_point, sweep
from assistant.thresholds import PROFILES
from tests.support.eval_builders import make_record

FIXTURE = Path(__file__).parent / "fixtures" / "calibration_records.jsonl"
BALANCED = PROFILES["balanced"]


@pytest.fixture(scope="module")
def records() -> list[QuestionRecord]:
    return read_records(FIXTURE)


def test_precision_target_is_met_with_the_most_answers(records: list[QuestionRecord]) -> None:
    # Above 0.8 agreement only the known 6 answer closed-book; support in (0.3, 0.8] adds the 4 that
    # passages get right: 10 of 14 answered, all correct. Ties go to the point nearest balanced.
    choice = choose(sweep(records, base=BALANCED), target="precision", value=0.9, base=BALANCED)
    assert choice.met
    assert (choice.point.agreement_threshold, choice.point.support_threshold) == (0.85, 0.5)
    assert choice.point.answer_rate == pytest.approx(10 / 14)
    assert choice.point.precision == pytest.approx(1.0)


def test_answer_rate_target_is_met_with_the_best_precision(records: list[QuestionRecord]) -> None:
    # 12 answers are needed (0.8 * 14 = 11.2): letting the scattered ones' grounded answers through
    # (support 0.3) costs 2 wrong answers, 10 of 12 right; lowering agreement instead costs more.
    choice = choose(sweep(records, base=BALANCED), target="answer_rate", value=0.8, base=BALANCED)
    assert choice.met
    assert (choice.point.agreement_threshold, choice.point.support_threshold) == (0.85, 0.3)
    assert choice.point.answer_rate == pytest.approx(12 / 14)
    assert choice.point.precision == pytest.approx(10 / 12)


def test_chosen_thresholds_replayed_through_the_flow_reach_the_target(records: list[QuestionRecord]) -> None:
    choice = choose(sweep(records, base=BALANCED), target="precision", value=0.9, base=BALANCED)
    chosen = BALANCED.model_copy(
        update={
            "agreement_threshold": choice.point.agreement_threshold,
            "support_threshold": choice.point.support_threshold,
        }
    )
    replayed = operating_point(records, Mode("calibrated", "fallback", chosen))
    assert replayed.precision is not None and replayed.precision >= 0.9
    assert replayed.answer_rate == pytest.approx(choice.point.answer_rate)
    balanced = operating_point(records, Mode("balanced", "fallback", BALANCED))
    assert balanced.precision is not None and balanced.precision < 0.9  # calibration changed something


def test_unreachable_target_is_reported_not_met(records: list[QuestionRecord]) -> None:
    choice = choose(sweep(records, base=BALANCED), target="answer_rate", value=1.0, base=BALANCED)
    assert choice.met  # answering everything is always possible
    strict = choose(
        sweep(records[:2] + records[6:8], base=BALANCED), target="precision", value=1.0, base=BALANCED
    )
    assert strict.met  # the known ones alone are all right
    wrong_only = [r for r in records if r.id.startswith("unanswerable")]
    none = choose(sweep(wrong_only, base=BALANCED), target="precision", value=0.5, base=BALANCED)
    assert not none.met


def test_sweep_is_deterministic_and_frontier_is_monotone(records: list[QuestionRecord]) -> None:
    first, second = sweep(records, base=BALANCED), sweep(list(records), base=BALANCED)
    assert first == second
    curve = frontier(first)
    rates = [p.answer_rate for p in curve]
    precisions = [p.precision for p in curve]
    assert rates == sorted(rates)
    assert precisions == sorted(precisions, reverse=True)  # more answers, never better precision


def test_the_agreement_threshold_also_gates_grounded_answers() -> None:
    # Both refused closed-book; both grounded answers fully supported, but the wrong one's samples
    # scatter: only an agreement threshold above 0.2 answers just the right one.
    right = make_record(id="right", refused=True, agreement=0.0, grounded_agreement=1.0)
    wrong = make_record(
        id="wrong", refused=True, agreement=0.0, grounded_answer="Bob Stone [1].", grounded_agreement=0.2
    )
    choice = choose(sweep([right, wrong], base=BALANCED), target="precision", value=1.0, base=BALANCED)
    assert choice.met
    assert choice.point.agreement_threshold > 0.2
    assert (choice.point.answer_rate, choice.point.precision) == (0.5, 1.0)
