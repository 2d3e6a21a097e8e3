"""Replaying a record under a mode makes the flow's decisions; the replay agrees with the live flow."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.backends.scripted import ScriptedGenerator
from assistant.evaluation.question_record import read_records, write_records
from assistant.evaluation.questions import EvalQuestion
from assistant.evaluation.recorder import record_question, recording_thresholds
from assistant.evaluation.replay import Mode, replay, with_first_samples
from assistant.fakes import StaticPassage, StaticRetriever
from assistant.flow import answer_question
from assistant.thresholds import PROFILES, Thresholds
from tests.support.confidence import TEST_CONFIDENCE
from tests.support.eval_builders import make_record

BALANCED = PROFILES["balanced"]


def test_confident_record_answers_closed_book_in_fallback() -> None:
    outcome = replay(make_record(), Mode("fallback", "fallback", BALANCED, TEST_CONFIDENCE))
    assert outcome.answer == "Acme was founded by Ada Lind."
    assert (outcome.retrieved, outcome.llm_calls) == (False, 1)
    assert outcome.tokens == 10 + 5 + 5 + 5  # greedy + the 3 recorded samples (balanced wants 5)


def test_disagreeing_samples_fall_back_to_the_grounded_answer() -> None:
    record = make_record(agreement=0.2)
    outcome = replay(record, Mode("fallback", "fallback", BALANCED, TEST_CONFIDENCE))
    assert outcome.answer == "Ada Lind founded Acme [1]."
    assert (outcome.retrieved, outcome.llm_calls, outcome.tokens) == (True, 2, 25 + 8)
    assert outcome.latency_ms == pytest.approx(100.0 + 10.0 + 50.0)


@pytest.mark.parametrize("kind", ["closed", "rag", "fallback"])
def test_a_model_rewrite_by_s2a_adds_its_call_tokens_and_time_to_every_mode(kind: str) -> None:
    plain = make_record(agreement=0.2)
    rewritten = make_record(agreement=0.2, s2a_tokens=30, s2a_ms=400.0)
    mode = Mode(kind, kind, BALANCED, TEST_CONFIDENCE)  # type: ignore[arg-type]
    before, after = replay(plain, mode), replay(rewritten, mode)
    assert after.answer == before.answer
    assert (after.llm_calls, after.tokens) == (before.llm_calls + 1, before.tokens + 30)
    assert after.latency_ms == pytest.approx(before.latency_ms + 400.0)


def test_an_expert_retrieval_floor_or_weak_support_abstain() -> None:
    weak = make_record(agreement=0.0, best_score=0.1)
    unsupported = make_record(agreement=0.0, grounded_support=0.2)
    mode = Mode("fallback", "fallback", BALANCED, TEST_CONFIDENCE)
    floor = Mode("fallback", "fallback", Thresholds(min_retrieval_score=0.3), TEST_CONFIDENCE)
    assert replay(weak, mode).answer == "Ada Lind founded Acme [1]."  # a low cosine is no cut-off
    assert replay(weak, floor).answer == ""
    assert replay(weak, floor).llm_calls == 1  # no grounded call when the expert floor is not met
    assert replay(unsupported, mode).answer == ""
    assert replay(unsupported, mode).llm_calls == 2


def test_closed_mode_answers_unless_refused_and_rag_always_retrieves() -> None:
    shaky = make_record(agreement=0.0)
    assert (
        replay(shaky, Mode("closed", "closed", BALANCED, TEST_CONFIDENCE)).answer == shaky.parametric_answer
    )
    assert replay(make_record(refused=True), Mode("closed", "closed", BALANCED, TEST_CONFIDENCE)).answer == ""
    rag = replay(make_record(), Mode("rag", "rag", BALANCED, TEST_CONFIDENCE))
    assert (rag.answer, rag.retrieved, rag.llm_calls) == ("Ada Lind founded Acme [1].", True, 1)


def test_fewer_samples_recompute_agreement_on_the_first_ones() -> None:
    record = make_record(samples=("Ada Lind.", "Bob Stone.", "Carl Berg.", "Dan Holm."), agreement=0.25)
    one_sample = Thresholds(n_samples=1, agreement_threshold=0.9)
    assert (
        replay(record, Mode("f", "fallback", one_sample, TEST_CONFIDENCE)).retrieved is False
    )  # "Ada Lind." agrees
    assert replay(record, Mode("f", "fallback", Thresholds(n_samples=4), TEST_CONFIDENCE)).retrieved is True


def test_grounded_answer_needs_its_own_samples_to_agree() -> None:
    record = make_record(
        refused=True,
        samples=(),
        sample_tokens=(),
        agreement=0.0,
        grounded_samples=("Ada Lind [1].", "Bob Stone [1].", "Carl Berg [1].", "Dan Holm [1]."),
        grounded_agreement=0.25,
        grounded_sample_tokens=(3, 3, 3, 3),
    )
    scattered = replay(record, Mode("fallback", "fallback", BALANCED, TEST_CONFIDENCE))
    assert (scattered.answer, scattered.retrieved) == ("", True)
    assert scattered.tokens == 10 + 8 + 12  # closed greedy (refused: no samples), grounded greedy + samples
    one_sample = Thresholds(n_samples=1)  # the first grounded sample repeats Ada Lind
    assert (
        replay(record, Mode("f", "fallback", one_sample, TEST_CONFIDENCE)).answer
        == "Ada Lind founded Acme [1]."
    )
    assert replay(record, Mode("rag", "rag", BALANCED, TEST_CONFIDENCE)).answer == ""


PASSAGE = StaticPassage(text="Acme was founded in 1987 by Ada Lind in Tallinn.", score=0.7)
SCENARIOS = {
    "confident": ["Ada Lind founded Acme.", "Ada Lind.", "It was Ada Lind."],
    "scattered": ["Bob Stone founded Acme.", "Carl Berg.", "Dan Holm.", "Eve Ek."],
    "refusal": ["I don't know."],
}


GROUNDED = {
    "repeated": ["Acme was founded by Ada Lind [1]."],
    "scattered": ["Acme was founded by Ada Lind [1].", "Bob Stone [1].", "Ada Lind [1].", "Carl Berg [1]."],
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("grounded_kind", sorted(GROUNDED))
def test_replay_matches_the_live_flow(scenario: str, profile: str, grounded_kind: str) -> None:
    thresholds = PROFILES[profile]
    grounded = GROUNDED[grounded_kind]

    def generator() -> ScriptedGenerator:
        return ScriptedGenerator(by_prompt={"Passages": grounded, "Who founded Acme?": SCENARIOS[scenario]})

    retriever = StaticRetriever([PASSAGE])
    live = answer_question(
        "Who founded Acme?", generator=generator(), retriever=retriever, thresholds=thresholds
    )
    question = EvalQuestion("q", "Who founded Acme?", ("Ada Lind",))
    record = record_question(
        question,
        generator=generator(),
        retriever=StaticRetriever([PASSAGE]),
        thresholds=recording_thresholds(list(PROFILES.values())),
    )
    outcome = replay(record, Mode(profile, "fallback", thresholds))
    expected = "" if live.route == "abstain" else live.answer
    assert outcome.answer == expected
    assert outcome.retrieved is bool(retriever.queries)


@pytest.mark.parametrize(("grounded_kind", "route"), [("repeated", "retrieval"), ("scattered", "parametric")])
def test_replay_matches_the_live_flow_where_a_kept_closed_book_answer_is_checked(
    grounded_kind: str, route: str
) -> None:
    # Chatty at 4 samples, two agreeing: confidence 0.5 under the test model, kept (level 0.44) and
    # checked (below 0.60); the grounded answer wins only when its own samples repeat it.
    thresholds = PROFILES["chatty"].model_copy(update={"n_samples": 4})
    closed = ["Bob Stone founded Acme.", "Bob Stone.", "It was Bob Stone.", "Carl Berg.", "Dan Holm."]

    def generator() -> ScriptedGenerator:
        return ScriptedGenerator(by_prompt={"Passages": GROUNDED[grounded_kind], "Who founded Acme?": closed})

    retriever = StaticRetriever([PASSAGE])
    live = answer_question(
        "Who founded Acme?",
        generator=generator(),
        retriever=retriever,
        thresholds=thresholds,
        calibrator=TEST_CONFIDENCE,
    )
    question = EvalQuestion("q", "Who founded Acme?", ("Ada Lind",))
    record = record_question(
        question,
        generator=generator(),
        retriever=StaticRetriever([PASSAGE]),
        thresholds=recording_thresholds([thresholds]),
    )
    outcome = replay(record, Mode("chatty", "fallback", thresholds, TEST_CONFIDENCE))
    assert live.route == route and retriever.queries == ["Who founded Acme?"]
    assert (outcome.answer, outcome.retrieved) == (live.answer, True)


def test_the_recorder_keeps_what_the_s2a_rewrite_cost_and_answers_the_rewritten_question() -> None:
    message = "I think it's Sydney. What is the capital of Australia?"
    generator = ScriptedGenerator(
        by_prompt={"Rewrite": ["What is the capital city of Australia?"], "Australia": ["Canberra."] * 4}
    )
    question = EvalQuestion(id="au", question=message, answers=("Canberra",), dataset="test")
    thresholds = recording_thresholds([Thresholds(s2a="on"), Thresholds(s2a="on", n_samples=3)])
    record = record_question(question, generator=generator, retriever=None, thresholds=thresholds)
    assert record.understood == "What is the capital city of Australia?"
    assert record.s2a_tokens > 0
    assert record.s2a_ms > 0.0 and record.parametric_answer == "Canberra."
    plain = record_question(
        question,
        generator=generator,
        retriever=None,
        thresholds=recording_thresholds([Thresholds(s2a="auto")]),
    )
    assert (plain.s2a_tokens, plain.understood) == (0, "What is the capital of Australia?")


def test_a_record_names_the_model_that_answered_and_keeps_it_through_its_file(tmp_path: Path) -> None:
    generator = ScriptedGenerator(by_prompt={"Australia": ["Canberra."] * 4})
    question = EvalQuestion(id="au", question="What is the capital of Australia?", answers=("Canberra",))
    record = record_question(
        question, generator=generator, retriever=None, thresholds=recording_thresholds([Thresholds()])
    )
    assert record.model == generator.model_id == "scripted"
    write_records(tmp_path / "records.jsonl", [record])
    assert read_records(tmp_path / "records.jsonl")[0].model == "scripted"


def test_cutting_to_the_first_samples_recomputes_both_stages_agreement() -> None:
    record = make_record(
        samples=("Ada Lind founded it.", "Bo Ek founded it.", "Bo Ek founded it."),
        agreement=1 / 3,
        closed_signals={"agreement": 1 / 3, "samples": 3.0, "logprob_min": -0.5},
        grounded_samples=("Cy Ho founded Acme.", "Ada Lind founded Acme.", "Ada Lind did."),
        grounded_agreement=2 / 3,
        grounded_sample_tokens=(4, 5, 6),
        grounded_signals={"agreement": 2 / 3, "samples": 3.0, "support_added": 1.0},
    )
    cut = with_first_samples(record, 1)
    assert (cut.samples, cut.sample_tokens, cut.agreement) == (("Ada Lind founded it.",), (5,), 1.0)
    assert cut.closed_signals == {"agreement": 1.0, "samples": 1.0, "logprob_min": -0.5}
    assert (cut.grounded_samples, cut.grounded_sample_tokens, cut.grounded_agreement) == (
        ("Cy Ho founded Acme.",),
        (4,),
        0.0,
    )
    assert cut.grounded_signals == {"agreement": 0.0, "samples": 1.0, "support_added": 1.0}
    assert with_first_samples(record, 3) == record


def test_cutting_samples_keeps_a_refusal_at_no_agreement_and_unmeasured_agreement_unmeasured() -> None:
    refusal = "I don't know."
    refused = make_record(refused=True, parametric_answer=refusal, samples=(refusal,) * 3, agreement=0.0)
    skipped = make_record(grounded_agreement=None, grounded_signals={"support_added": 1.0})
    assert with_first_samples(refused, 2).agreement == 0.0
    assert with_first_samples(skipped, 2).grounded_signals == {"support_added": 1.0}
    assert with_first_samples(skipped, 2).grounded_agreement is None
