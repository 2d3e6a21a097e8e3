"""Sampling only where it pays: the closed-book samples are drawn only when they could change the decision."""

from __future__ import annotations

from assistant.backends.scripted import ScriptedGenerator
from assistant.confidence import Calibrator, StageModel
from assistant.flow import parametric_stage
from assistant.stage_results import ParametricResult
from assistant.thresholds import PROFILES
from tests.support.confidence import TEST_CONFIDENCE

BALANCED = PROFILES["balanced"]
QUESTION = "Who wrote Pride and Prejudice?"


def _calibrator(bias: float) -> Calibrator:
    """Agreement moves the closed-book confidence a little: with a large |bias| it decides alone."""
    weak = StageModel(features=("agreement",), means=(0.5,), scales=(0.5,), weights=(0.5,), bias=bias)
    return Calibrator(parametric=weak, grounded=TEST_CONFIDENCE.grounded, fitted_on="tests")


def _generator() -> ScriptedGenerator:
    return ScriptedGenerator(
        by_prompt={"Pride": ["Jane Austen.", "Jane Austen wrote it.", "Charlotte Brontë."]}
    )


def _stage(generator: ScriptedGenerator, calibrator: Calibrator, **changes: float) -> ParametricResult:
    thresholds = BALANCED.model_copy(update=changes)
    return parametric_stage(
        QUESTION, generator=generator, thresholds=thresholds, calibrator=calibrator, skip_decided_samples=True
    )


def test_a_hopeless_answer_is_not_sampled() -> None:
    generator = _generator()
    result = _stage(generator, _calibrator(bias=-6.0))
    assert [call.n_samples for call in generator.calls] == [0]
    assert result.samples == () and "agreement" not in result.signals
    assert result.confidence < BALANCED.min_confidence_parametric
    assert not result.confident(BALANCED)


def test_a_sure_answer_is_kept_without_samples() -> None:
    generator = _generator()
    result = _stage(generator, _calibrator(bias=6.0))
    assert [call.n_samples for call in generator.calls] == [0]
    assert result.confident(BALANCED) and result.answer == "Jane Austen."


def test_an_undecided_answer_gets_its_samples_and_their_agreement_decides() -> None:
    generator = _generator()
    result = _stage(generator, TEST_CONFIDENCE)
    assert [call.n_samples for call in generator.calls] == [0, BALANCED.n_samples]
    assert len(result.samples) == BALANCED.n_samples
    assert 0.0 < result.agreement < 1.0 and result.signals["agreement"] == result.agreement


def test_an_expert_agreement_floor_needs_the_samples_even_for_a_sure_answer() -> None:
    generator = _generator()
    result = _stage(generator, _calibrator(bias=6.0), agreement_threshold=0.9)
    assert [call.n_samples for call in generator.calls] == [0, BALANCED.n_samples]
    assert not result.confident(BALANCED.model_copy(update={"agreement_threshold": 0.9}))


def test_the_same_decision_as_always_sampling() -> None:
    for calibrator in (_calibrator(-6.0), _calibrator(6.0), TEST_CONFIDENCE):
        skipping = _stage(_generator(), calibrator)
        always = parametric_stage(
            QUESTION, generator=_generator(), thresholds=BALANCED, calibrator=calibrator
        )
        assert skipping.confident(BALANCED) == always.confident(BALANCED)
