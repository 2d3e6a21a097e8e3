"""Fitting the confidence model: known data gives known coefficients, the test split is never fitted."""

from __future__ import annotations

import math
import random

import pytest

from assistant.confidence import Calibrator, StageModel
from assistant.evaluation.errors import EvaluationError
from assistant.evaluation.fitting import (
    L2_PENALTIES,
    StageRows,
    cross_validated_penalty,
    expected_calibration_error,
    fit_calibrator,
    fit_stage,
    split_of,
)
from assistant.evaluation.signal_report import report_table, stage_reports
from tests.support.eval_builders import make_record

BASE = Calibrator(
    parametric=StageModel(("agreement",), (0.5,), (0.3,), (1.0,), 0.0),
    grounded=StageModel(("agreement",), (0.5,), (0.3,), (1.0,), 0.0),
    fitted_on="base",
)


def test_a_separable_signal_gets_a_large_positive_weight_and_an_unused_one_none() -> None:
    signals = [{"agreement": a / 10, "noise": 0.5} for a in range(11)] * 4
    labels = [s["agreement"] >= 0.5 for s in signals]
    model = fit_stage(StageRows(signals, labels), ("agreement", "noise", "absent"), stage="test")
    assert model.features == ("agreement", "noise")  # a feature no row has is dropped
    assert model.weights[0] > 2.0
    assert model.weights[1] == pytest.approx(0.0, abs=1e-9)  # constant: standardised to zero


def test_a_fit_on_known_data_recovers_its_coefficients() -> None:
    # Labels drawn exactly in proportion to sigmoid(2 * x): 100 rows at each x.
    signals, labels = [], []
    for x in (-1.0, 0.0, 1.0):
        right = round(100 / (1 + math.exp(-2 * x)))
        signals += [{"x": x}] * 100
        labels += [True] * right + [False] * (100 - right)
    model = fit_stage(StageRows(signals, labels), ("x",), stage="test")
    # In raw units (x has mean 0 and standard deviation sqrt(2/3)): weight / scale is about 2.
    assert model.weights[0] / model.scales[0] == pytest.approx(2.0, rel=0.05)
    assert model.bias == pytest.approx(0.0, abs=0.05)


def test_an_evidence_signal_fitted_against_its_meaning_is_dropped() -> None:
    # support_asked falls as answers get right here (a quirk of the data), agreement rises: the model
    # keeps agreement and drops support_asked rather than punish an answer for being supported.
    signals = [{"agreement": a / 10, "support_asked": 1 - a / 10, "x": (a % 3) / 2} for a in range(11)] * 4
    labels = [s["agreement"] >= 0.5 for s in signals]
    model = fit_stage(StageRows(signals, labels), ("agreement", "support_asked", "x"), stage="test")
    assert model.features == ("agreement", "x")
    assert model.weights[0] > 0


def test_cross_validation_shrinks_noise_and_leaves_a_clean_signal_alone() -> None:
    rng = random.Random(3)
    noisy_signals, noisy_labels = [], []
    for _ in range(40):  # few answers, one weak signal among eight of pure noise
        x = rng.random()
        noisy_signals.append({"x": x} | {f"n{j}": rng.random() for j in range(8)})
        noisy_labels.append(rng.random() < 0.2 + 0.6 * x)
    noisy = cross_validated_penalty(
        StageRows(noisy_signals, noisy_labels), ["x", *(f"n{j}" for j in range(8))]
    )
    clean_signals = [{"x": (i % 11) / 10} for i in range(440)]
    clean = cross_validated_penalty(StageRows(clean_signals, [s["x"] >= 0.5 for s in clean_signals]), ["x"])
    assert clean == min(L2_PENALTIES) < noisy


def test_one_sided_labels_cannot_be_fitted() -> None:
    with pytest.raises(EvaluationError, match="right and wrong"):
        fit_stage(StageRows([{"x": 1.0}, {"x": 2.0}], [True, True]), ("x",), stage="parametric")


def test_the_split_is_fixed_by_the_id_and_the_test_split_is_not_fitted() -> None:
    records = [make_record(id=f"q{n}", agreement=(n % 5) / 4, answers=("Ada Lind",)) for n in range(200)]
    records += [make_record(id=f"w{n}", agreement=(n % 5) / 4, answers=("Bob Stone",)) for n in range(200)]
    assert [split_of(r) for r in records] == [split_of(r) for r in records]
    share = sum(split_of(r) == "test" for r in records) / len(records)
    assert 0.2 < share < 0.4
    fitted = fit_calibrator(records, fitted_on="test", base=BASE)
    changed = [
        make_record(id=r.id, agreement=r.agreement, answers=("Nobody",)) if split_of(r) == "test" else r
        for r in records
    ]
    assert fit_calibrator(changed, fitted_on="test", base=BASE) == fitted  # test labels never enter the fit


def test_a_planted_variant_sits_in_the_split_of_its_clean_question() -> None:
    clean = [make_record(id=f"halueval-{n}", dataset="halueval-qa") for n in range(60)]
    planted = [
        make_record(id=f"halueval-{n}-planted-suggest", dataset="halueval-qa-planted") for n in range(60)
    ]
    assert [split_of(r) for r in planted] == [split_of(r) for r in clean]
    assert {split_of(r) for r in clean} == {"train", "test"}


def test_a_stage_that_cannot_be_fitted_keeps_its_base_model() -> None:
    wrong_only = [make_record(id=f"w{n}", agreement=(n % 5) / 4, answers=("Nobody",)) for n in range(60)]
    fitted = fit_calibrator(wrong_only, fitted_on="wrong only", base=BASE)
    assert fitted.parametric == BASE.parametric and fitted.grounded == BASE.grounded
    assert "kept from base" in fitted.fitted_on


def test_expected_calibration_error() -> None:
    assert expected_calibration_error([0.9] * 10, [True] * 9 + [False]) == pytest.approx(0.0)
    assert expected_calibration_error([1.0, 0.0], [False, True]) == pytest.approx(1.0)


def test_the_report_has_both_stages_and_splits() -> None:
    model = StageModel(("agreement",), (0.5,), (0.25,), (2.0,), 0.0)
    records = [make_record(id=f"q{n}", agreement=(n % 5) / 4) for n in range(40)]
    table = report_table(stage_reports(records, Calibrator(parametric=model, grounded=model)))
    assert "| parametric | test |" in table and "| grounded | all |" in table
