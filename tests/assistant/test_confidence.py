"""The confidence model: a logistic score over signals, gates for non-answers, JSON round trips."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from assistant.confidence import (
    Calibrator,
    StageModel,
    answers_at_all,
    default_calibrator,
    load_calibrator,
    packaged_model_file,
    save_calibrator,
)
from assistant.errors import ThresholdError

MODEL = StageModel(
    features=("agreement", "logprob_mean"), means=(0.5, -1.0), scales=(0.5, 1.0), weights=(2.0, 1.0), bias=0.5
)


def test_the_score_is_the_standardised_linear_form() -> None:
    signals = {"agreement": 1.0, "logprob_mean": 0.0}
    assert MODEL.score(signals) == pytest.approx(0.5 + 2.0 * 1.0 + 1.0 * 1.0)
    assert MODEL.probability(signals) == pytest.approx(1 / (1 + math.exp(-3.5)))


def test_a_missing_signal_takes_its_mean_and_moves_nothing() -> None:
    assert MODEL.score({"agreement": 0.5}) == pytest.approx(0.5)


@pytest.mark.parametrize("agreement", [-1e9, -5.0, 0.0, 0.5, 1.0, 5.0, 1e9])
def test_a_confidence_is_always_a_probability(agreement: float) -> None:
    probability = MODEL.probability({"agreement": agreement, "logprob_mean": -agreement})
    assert 0.0 <= probability <= 1.0


@pytest.mark.parametrize(
    "signals",
    [
        {"agreement": 1.0, "refused": 1.0},
        {"agreement": 1.0, "adds_claim": 0.0},
        {"agreement": 1.0, "support_asked": 0.0},
    ],
    ids=["refusal", "restates-the-question", "passage-about-something-else"],
)
def test_non_answers_get_zero(signals: dict[str, float]) -> None:
    assert not answers_at_all(signals)
    assert MODEL.probability(signals) == 0.0


def test_a_passage_in_another_language_is_not_taken_for_one_about_something_else() -> None:
    assert answers_at_all({"support_asked": 0.0, "cross_language": 1.0})


def test_json_round_trip_and_the_packaged_default(tmp_path: Path) -> None:
    calibrator = Calibrator(parametric=MODEL, grounded=MODEL, fitted_on="test")
    save_calibrator(calibrator, tmp_path / "confidence.json")
    assert load_calibrator(tmp_path / "confidence.json") == calibrator
    assert load_calibrator(tmp_path / "missing.json") == default_calibrator()
    assert default_calibrator().grounded.features  # ships with the package


def test_a_model_with_its_own_fit_gets_it_and_one_without_gets_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = Calibrator(parametric=MODEL, grounded=MODEL, fitted_on="the larger model's records")
    save_calibrator(own, tmp_path / "confidence_larger.json")
    save_calibrator(default_calibrator(), tmp_path / "confidence_default.json")
    monkeypatch.setattr("assistant.confidence.PACKAGE_DIR", tmp_path)
    monkeypatch.setattr("assistant.confidence.DEFAULT_MODEL_FILE", tmp_path / "confidence_default.json")
    assert packaged_model_file("larger") == tmp_path / "confidence_larger.json"
    assert load_calibrator(tmp_path / "missing.json", model="larger") == own
    assert load_calibrator(None, model="unfitted") == default_calibrator()
    # the user's own fit (`assistant calibrate --fit`) wins over any packaged one
    user = Calibrator(parametric=MODEL, grounded=MODEL, fitted_on="the user's records")
    save_calibrator(user, tmp_path / "confidence.json")
    assert load_calibrator(tmp_path / "confidence.json", model="larger") == user


def test_the_larger_embedded_model_ships_its_own_fit() -> None:
    assert packaged_model_file("qwen2.5-coder-1.5b") != packaged_model_file(None)
    assert default_calibrator("qwen2.5-coder-1.5b") != default_calibrator()
    assert "1.5b" in default_calibrator("qwen2.5-coder-1.5b").fitted_on


def test_a_malformed_model_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "confidence.json"
    path.write_text(
        json.dumps({"parametric": {"features": ["a"], "means": [], "scales": [], "weights": [], "bias": 0}})
    )
    with pytest.raises(ThresholdError, match="not a confidence model"):
        load_calibrator(path)
    path.write_text("{")
    with pytest.raises(ThresholdError, match="cannot read"):
        load_calibrator(path)
