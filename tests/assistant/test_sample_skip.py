"""Sampling only where it pays: each stage's samples are drawn only when they could change the decision."""

from __future__ import annotations

from assistant.backends.scripted import ScriptedGenerator
from assistant.confidence import Calibrator, StageModel
from assistant.fakes import StaticPassage, StaticRetriever
from assistant.flow import grounded_stage, parametric_stage
from assistant.stage_results import GroundedResult, ParametricResult
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
    # The second call hands the greedy answer over: a server is asked for the samples alone.
    assert [call.greedy_reused for call in generator.calls] == [False, True]
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
            QUESTION,
            generator=_generator(),
            thresholds=BALANCED,
            calibrator=calibrator,
            skip_decided_samples=False,
        )
        assert skipping.confident(BALANCED) == always.confident(BALANCED)


GROUNDED_QUESTION = "When was Lumora Robotics founded?"
PASSAGE = StaticPassage("Lumora Robotics was founded in 2011 in Tampere.")


def _grounded_calibrator(bias: float) -> Calibrator:
    """Agreement moves the grounded confidence a little: with a large |bias| it decides alone."""
    weak = StageModel(features=("agreement",), means=(0.5,), scales=(0.5,), weights=(0.5,), bias=bias)
    return Calibrator(parametric=TEST_CONFIDENCE.parametric, grounded=weak, fitted_on="tests")


def _grounded_generator(greedy: str = "It was founded in 2011 [1].") -> ScriptedGenerator:
    samples = ["In 2011 [1].", "Lumora Robotics was founded in 2011 [1].", "In 2009 [1]."]
    return ScriptedGenerator(by_prompt={"Lumora": [greedy, *samples]})


def _grounded(
    generator: ScriptedGenerator, calibrator: Calibrator, *, skip: bool = True, **changes: float | str
) -> GroundedResult:
    return grounded_stage(
        GROUNDED_QUESTION,
        generator=generator,
        retriever=StaticRetriever([PASSAGE]),
        thresholds=BALANCED.model_copy(update=changes),
        calibrator=calibrator,
        skip_decided_samples=skip,
    )


def _asked(generator: ScriptedGenerator) -> list[tuple[int, bool]]:
    """Per call: the samples asked for, and whether they were stopped after the greedy answer."""
    return [(call.n_samples, call.sampling_skipped) for call in generator.calls]


# The grounded stage asks for the greedy answer and its samples in one call, the samples stopped
# when the greedy answer decides alone (a backend that decodes them together drops them then).


def test_a_sure_grounded_answer_is_kept_cited_without_samples() -> None:
    generator = _grounded_generator()
    result = _grounded(generator, _grounded_calibrator(bias=6.0))
    assert _asked(generator) == [(BALANCED.n_samples, True)]
    assert result.route == "retrieval" and "2011" in result.answer and result.citations
    assert result.samples == () and "agreement" not in result.signals


def test_a_hopeless_grounded_answer_abstains_without_samples() -> None:
    generator = _grounded_generator()
    result = _grounded(generator, _grounded_calibrator(bias=-6.0))
    assert _asked(generator) == [(BALANCED.n_samples, True)]
    assert result.route == "abstain"


def test_a_grounded_refusal_is_never_sampled() -> None:
    generator = _grounded_generator(greedy="I don't know.")
    result = _grounded(generator, TEST_CONFIDENCE)
    assert _asked(generator) == [(BALANCED.n_samples, True)]
    assert result.route == "abstain"


def test_an_undecided_grounded_answer_gets_its_samples_from_the_same_call() -> None:
    generator = _grounded_generator()
    result = _grounded(generator, TEST_CONFIDENCE)
    assert _asked(generator) == [(BALANCED.n_samples, False)]
    assert len(result.samples) == BALANCED.n_samples
    assert result.signals["agreement"] == result.agreement and 0.0 < result.agreement < 1.0


def test_an_expert_agreement_floor_samples_even_a_sure_grounded_answer() -> None:
    generator = _grounded_generator()
    _grounded(generator, _grounded_calibrator(bias=6.0), agreement_threshold=0.9)
    assert _asked(generator) == [(BALANCED.n_samples, False)]


def test_the_grounded_decision_is_the_same_as_always_sampling() -> None:
    for calibrator in (_grounded_calibrator(-6.0), _grounded_calibrator(6.0), TEST_CONFIDENCE):
        skipping = _grounded(_grounded_generator(), calibrator)
        always_generator = _grounded_generator()
        always = _grounded(always_generator, calibrator, skip=False)
        assert [call.n_samples for call in always_generator.calls] == [BALANCED.n_samples]
        assert (skipping.route, skipping.answer) == (always.route, always.answer)


def test_apart_an_undecided_grounded_answer_gets_its_samples_in_a_second_call() -> None:
    generator = _grounded_generator()
    result = _grounded(generator, TEST_CONFIDENCE, grounded_samples_together="off")
    assert _asked(generator) == [(0, False), (BALANCED.n_samples, False)]
    assert [call.greedy_reused for call in generator.calls] == [False, True]
    assert len(result.samples) == BALANCED.n_samples


def test_apart_a_decided_grounded_answer_asks_for_no_samples() -> None:
    generator = _grounded_generator()
    result = _grounded(generator, _grounded_calibrator(bias=6.0), grounded_samples_together="off")
    assert _asked(generator) == [(0, False)]
    assert result.route == "retrieval" and result.samples == ()
