"""The fallback flow with scripted parts: each route, the refusal shortcut, the abstentions, the modes."""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Sequence
from typing import Any

import pytest

from assistant.backends.scripted import ScriptedGenerator
from assistant.fakes import StaticPassage, StaticRetriever
from assistant.flow import (
    GROUNDED_TOKEN_ALLOWANCE,
    answer_question,
)
from assistant.protocols import ChatMessage, Generation, ModelTime
from assistant.render import render_answer_text
from assistant.thresholds import PROFILES, Thresholds
from tests.support.confidence import TEST_CONFIDENCE

BALANCED = PROFILES["balanced"]
# The flow's logic under a fixed confidence model, so these tests do not move with the packaged fit.
ask = functools.partial(answer_question, calibrator=TEST_CONFIDENCE)
ACME_Q = "When was Acme Widgets founded?"
ACME = StaticPassage(
    "Acme Widgets was founded in 1987 in Tulsa.", source="acme.md", chunk_id="acme.md#0", score=0.7
)
OTHER = StaticPassage("Tulsa has hot summers.", source="tulsa.md", chunk_id="tulsa.md#0", score=0.5)
SCATTERED = ["Acme Widgets was founded in 1950.", "It was founded in 1962.", "In 1901.", "1975.", "In 2001."]


def test_confident_answer_stays_parametric_without_retrieval() -> None:
    generator = ScriptedGenerator(
        by_prompt={"Pride": ["Jane Austen.", "Jane Austen wrote it.", "It was Jane Austen."]}
    )
    retriever = StaticRetriever([ACME])
    answer = ask(
        "Who wrote Pride and Prejudice?", generator=generator, retriever=retriever, thresholds=BALANCED
    )
    assert (answer.route, answer.answer) == ("parametric", "Jane Austen.")
    assert answer.confidence == answer.parametric_confidence > 0.99 and answer.agreement == 1.0
    assert answer.grounded_support is None and answer.citations == ()
    assert len(answer.samples) == BALANCED.n_samples
    assert answer.parametric_answer == "Jane Austen." and answer.model == "scripted"
    assert retriever.queries == []
    # The greedy answer alone first; agreement decides under this confidence model, so the samples follow.
    greedy, sampled = generator.calls
    assert (greedy.n_samples, sampled.n_samples) == (0, BALANCED.n_samples)
    assert (sampled.temperature, sampled.max_new_tokens) == (
        BALANCED.sample_temperature,
        BALANCED.max_new_tokens,
    )


def test_disagreeing_samples_fall_back_to_a_cited_grounded_answer() -> None:
    generator = ScriptedGenerator(
        by_prompt={"[1] Acme": ["Acme Widgets was founded in 1987 [1]."], ACME_Q: [SCATTERED[0], *SCATTERED]}
    )
    retriever = StaticRetriever([ACME, OTHER])
    answer = ask(ACME_Q, generator=generator, retriever=retriever, thresholds=BALANCED)
    assert answer.route == "retrieval"
    assert answer.answer == "Acme Widgets was founded in 1987 [1]."
    assert answer.parametric_confidence < BALANCED.min_confidence_parametric
    assert (
        answer.confidence == answer.grounded_confidence
        and answer.confidence >= BALANCED.min_confidence_grounded
    )
    assert (
        set(answer.signals) == {"parametric", "grounded"}
        and answer.signals["grounded"]["support_added"] == 1.0
    )
    assert answer.parametric_answer == SCATTERED[0]
    assert [(c.id, c.chunk_id) for c in answer.citations] == [(1, "acme.md#0")]
    assert answer.grounded_support == 1.0
    assert retriever.queries == [ACME_Q]
    assert answer.grounded_agreement == 1.0
    # After the closed-book greedy answer and its samples: the grounded greedy answer and its samples
    # in one call, the samples kept (they decide).
    (grounded_call,) = generator.calls[2:]
    assert (grounded_call.n_samples, grounded_call.temperature, grounded_call.sampling_skipped) == (
        BALANCED.n_samples,
        BALANCED.sample_temperature,
        False,
    )
    assert grounded_call.max_new_tokens == BALANCED.max_new_tokens + GROUNDED_TOKEN_ALLOWANCE


def test_grounded_answer_its_samples_do_not_repeat_abstains() -> None:
    # Supported by the passage, but the model gives a different year each time it reads it.
    grounded = [
        "Acme Widgets was founded in 1987 [1].",
        "In 1987 [1].",
        "In Tulsa in 1990 [1].",
        "1950 [1].",
        "1962.",
        "1901.",
    ]
    generator = ScriptedGenerator(by_prompt={"[1] Acme": grounded, ACME_Q: ["I don't know."]})
    answer = ask(ACME_Q, generator=generator, retriever=StaticRetriever([ACME]), thresholds=BALANCED)
    assert answer.route == "abstain"
    assert answer.answer == "I don't know about “Acme Widgets”."
    assert answer.grounded_support == 1.0
    assert answer.grounded_agreement == 0.2  # one of five samples repeats 1987
    chatty = Thresholds(min_confidence_grounded=0.0)
    generator = ScriptedGenerator(by_prompt={"[1] Acme": grounded, ACME_Q: ["I don't know."]})
    kept = ask(ACME_Q, generator=generator, retriever=StaticRetriever([ACME]), thresholds=chatty)
    # At level 0 every answer is kept whatever its samples say: they are stopped after the greedy answer.
    assert kept.route == "retrieval" and generator.calls[-1].sampling_skipped


def test_refusing_main_answer_skips_sampling_and_retrieves() -> None:
    generator = ScriptedGenerator(
        by_prompt={"[1] Acme": ["Acme Widgets was founded in 1987 [1]."], ACME_Q: ["I don't know.", "1950."]}
    )
    answer = ask(ACME_Q, generator=generator, retriever=StaticRetriever([ACME]), thresholds=BALANCED)
    closed_book, grounded = generator.calls  # a refusal is never sampled
    assert closed_book.n_samples == 0
    assert (grounded.n_samples, grounded.sampling_skipped) == (BALANCED.n_samples, False)
    assert answer.samples == () and answer.parametric_confidence == 0.0
    assert answer.route == "retrieval"


def test_a_weak_passage_still_reaches_the_model() -> None:
    weak = StaticPassage("Acme Widgets was founded in 1987.", score=0.1)
    script = {"[1] Acme": ["Acme Widgets was founded in 1987 [1]."], ACME_Q: SCATTERED}
    answer = ask(
        ACME_Q,
        generator=ScriptedGenerator(by_prompt=script),
        retriever=StaticRetriever([weak]),
        thresholds=BALANCED,
    )
    assert answer.route == "retrieval" and answer.signals["grounded"]["best_score"] == 0.1


def test_an_expert_retrieval_floor_abstains_without_a_grounded_call() -> None:
    weak = StaticPassage("Acme Widgets was founded in 1987.", score=0.1)
    generator = ScriptedGenerator(by_prompt={ACME_Q: SCATTERED})
    floor = Thresholds(min_retrieval_score=0.3)
    answer = ask(ACME_Q, generator=generator, retriever=StaticRetriever([weak]), thresholds=floor)
    assert answer.route == "abstain"
    assert answer.answer == "I don't know about “Acme Widgets”."
    assert answer.grounded_support is None and answer.citations == ()
    assert [call.n_samples for call in generator.calls] == [0, floor.n_samples]  # no grounded call


def test_uncited_but_supported_answer_is_attributed_to_its_passage() -> None:
    generator = ScriptedGenerator(
        by_prompt={"[1] Tulsa": ["Acme Widgets was founded in 1987."], ACME_Q: SCATTERED}
    )
    answer = ask(ACME_Q, generator=generator, retriever=StaticRetriever([OTHER, ACME]), thresholds=BALANCED)
    assert answer.route == "retrieval"
    assert [c.id for c in answer.citations] == [2]
    assert answer.answer == "Acme Widgets was founded in 1987. [2]"


def test_unsupported_grounded_answer_abstains_with_its_measured_support() -> None:
    generator = ScriptedGenerator(
        by_prompt={"[1] Acme": ["Acme Widgets was founded in 1990 in Denver [1]."], ACME_Q: SCATTERED}
    )
    answer = ask(ACME_Q, generator=generator, retriever=StaticRetriever([ACME]), thresholds=BALANCED)
    assert answer.route == "abstain"
    assert answer.grounded_support == 0.0
    assert answer.citations == ()
    # The user can see what the passages seemed to say, and that it was not given.
    assert answer.withheld_answer == "Acme Widgets was founded in 1990 in Denver [1]."


def test_grounded_refusal_abstains() -> None:
    generator = ScriptedGenerator(
        by_prompt={"[1] Acme": ["The passages do not mention it."], ACME_Q: SCATTERED}
    )
    answer = ask(ACME_Q, generator=generator, retriever=StaticRetriever([ACME]), thresholds=BALANCED)
    assert answer.route == "abstain"
    assert answer.grounded_support == 0.0
    assert answer.withheld_answer == ""  # a refusal is no answer to withhold


def test_a_repeated_heading_or_a_missing_number_is_withheld_however_sure() -> None:
    readme = StaticPassage(
        "Certifi: Python SSL Certificates\n=====\nIt has been extracted from the Requests project.",
        source="certifi.md",
        chunk_id="certifi.md#0",
    )
    question = "Which project was certifi extracted from?"
    title = "Certifi: Python SSL Certificates [1]"
    generator = ScriptedGenerator(by_prompt={"[1] Certifi": [title] * 6, question: SCATTERED})
    answer = ask(question, generator=generator, retriever=StaticRetriever([readme]), thresholds=BALANCED)
    assert (answer.route, answer.grounded_confidence, answer.withheld_answer) == ("abstain", 0.0, title)
    assert answer.signals["grounded"]["echoes_heading"] == 1.0

    restated = "Acme Widgets was founded after the war [1]."
    year_question = "In what year was Acme Widgets founded?"
    generator = ScriptedGenerator(by_prompt={"[1] Acme": [restated] * 6, year_question: SCATTERED})
    answer = ask(
        year_question,
        generator=generator,
        retriever=StaticRetriever([ACME]),
        thresholds=BALANCED,
    )
    assert (answer.route, answer.grounded_confidence) == ("abstain", 0.0)
    assert answer.signals["grounded"]["number_missing"] == 1.0


def test_no_index_means_abstention_where_retrieval_was_needed() -> None:
    generator = ScriptedGenerator(by_prompt={ACME_Q: SCATTERED})
    answer = ask(ACME_Q, generator=generator, retriever=None, thresholds=BALANCED)
    assert answer.route == "abstain"
    assert answer.parametric_answer == SCATTERED[0]


def test_chinese_question_abstains_in_chinese() -> None:
    question = "张伟明教授出生于哪一年？"
    generator = ScriptedGenerator(by_prompt={question: ["他出生于1956年。", "1960年。", "1948年。"]})
    answer = ask(question, generator=generator, retriever=StaticRetriever([]), thresholds=BALANCED)
    assert answer.route == "abstain"
    assert answer.answer == "我不知道和“张伟明教授”相关的信息。"


def test_chinese_grounded_answer_cites_the_chinese_passage() -> None:
    question = "青松科技公司是哪一年成立的？"
    passage = StaticPassage("青松科技公司成立于2003年，总部位于杭州。", source="qs.md", chunk_id="qs.md#0")
    generator = ScriptedGenerator(
        by_prompt={
            "Passage 1": ["青松科技公司成立于2003年[1]。"],
            question: ["1998年。", "2010年。", "1985年。"],
        }
    )
    answer = ask(question, generator=generator, retriever=StaticRetriever([passage]), thresholds=BALANCED)
    assert answer.route == "retrieval"
    assert [c.source for c in answer.citations] == ["qs.md"]
    assert all("中文" in call.messages[0].content for call in generator.calls)


def test_the_profile_decides_between_parametric_and_retrieval() -> None:
    samples = ["Paris.", "Paris.", "Paris.", "Lyon.", "Nice.", "Lyon.", "Nice."]
    script = {"France": ["Paris.", *samples]}
    chatty = ask(
        "What is the capital of France?",
        generator=ScriptedGenerator(by_prompt=script),
        retriever=None,
        thresholds=PROFILES["chatty"],
    )
    strict = ask(
        "What is the capital of France?",
        generator=ScriptedGenerator(by_prompt=script),
        retriever=None,
        thresholds=PROFILES["strict"],
    )
    assert chatty.route == "parametric"
    assert strict.route == "abstain"


# Chatty with 4 samples: two of them agree with the closed-book answer (agreement 0.5, confidence
# 0.5 under the test model): kept by chatty's level (0.44), below its check level (0.60).
CHECKED = PROFILES["chatty"].model_copy(update={"n_samples": 4})
HALF_AGREE = ["Acme Widgets was founded in 1950.", "In 1950.", "Founded in 1950.", "In 1962.", "In 1901."]


def test_a_closed_book_answer_kept_below_the_check_level_yields_to_a_surer_grounded_one() -> None:
    generator = ScriptedGenerator(
        by_prompt={"[1] Acme": ["Acme Widgets was founded in 1987 [1]."], ACME_Q: HALF_AGREE}
    )
    retriever = StaticRetriever([ACME, OTHER])
    answer = ask(ACME_Q, generator=generator, retriever=retriever, thresholds=CHECKED)
    assert CHECKED.min_confidence_parametric <= answer.parametric_confidence < CHECKED.check_parametric_below
    assert (answer.route, answer.answer) == ("retrieval", "Acme Widgets was founded in 1987 [1].")
    assert answer.grounded_confidence is not None
    assert answer.confidence == answer.grounded_confidence > answer.parametric_confidence
    assert [c.id for c in answer.citations] == [1] and answer.withheld_answer == ""


def test_a_checked_closed_book_answer_stands_when_the_passages_give_nothing_surer() -> None:
    generator = ScriptedGenerator(
        by_prompt={"[1] Acme": ["Acme Widgets was founded in 1987 [1].", *SCATTERED], ACME_Q: HALF_AGREE}
    )
    retriever = StaticRetriever([ACME, OTHER])
    answer = ask(ACME_Q, generator=generator, retriever=retriever, thresholds=CHECKED)
    assert (answer.route, answer.answer) == ("parametric", HALF_AGREE[0])
    assert answer.confidence == answer.parametric_confidence
    assert answer.grounded_confidence is not None and answer.grounded_confidence < answer.confidence
    assert answer.citations == () and answer.withheld_answer == "Acme Widgets was founded in 1987 [1]."
    assert retriever.queries == [ACME_Q] and answer.timings_ms.grounded > 0.0


def test_a_closed_book_answer_at_the_check_level_ends_the_flow() -> None:
    checked_from_half = CHECKED.model_copy(update={"check_parametric_below": 0.5})
    retriever = StaticRetriever([ACME, OTHER])
    answer = ask(
        ACME_Q,
        generator=ScriptedGenerator(by_prompt={ACME_Q: HALF_AGREE}),
        retriever=retriever,
        thresholds=checked_from_half,
    )
    assert (answer.route, answer.answer) == ("parametric", HALF_AGREE[0])
    assert retriever.queries == [] and answer.grounded_confidence is None


def test_history_reaches_both_prompts_bounded() -> None:
    history = [ChatMessage(role="user", content=f"turn {i} " + "x" * 1000) for i in range(10)]
    generator = ScriptedGenerator(
        by_prompt={"[1] Acme": ["Acme Widgets was founded in 1987 [1]."], ACME_Q: SCATTERED}
    )
    retriever = StaticRetriever([ACME])
    ask(ACME_Q, generator=generator, retriever=retriever, thresholds=BALANCED, history=history)
    for call in generator.calls:
        earlier = [m.content for m in call.messages[1:-1]]
        assert earlier[-1].startswith("turn 9") and not any(m.startswith("turn 0") for m in earlier)
        assert all(len(m) <= 400 for m in earlier)
    assert retriever.queries[0].endswith(ACME_Q) and "turn 9" in retriever.queries[0]


class _TimedGenerator:
    """A scripted generator whose every call takes 30 ms, of which it reports 5 prefill and 15 decode."""

    def __init__(self, scripted: ScriptedGenerator) -> None:
        self.scripted = scripted

    @property
    def model_id(self) -> str:
        return self.scripted.model_id

    def generate(self, messages: Sequence[ChatMessage], **options: Any) -> Generation:
        time.sleep(0.03)
        generation = self.scripted.generate(messages, **options)
        return dataclasses.replace(generation, model_time=ModelTime(prefill_ms=5.0, decode_ms=15.0))


def test_timings_are_filled_and_add_up() -> None:
    scripted = ScriptedGenerator(
        by_prompt={"[1] Acme": ["Acme Widgets was founded in 1987 [1]."], ACME_Q: SCATTERED}
    )
    answer = ask(
        ACME_Q, generator=_TimedGenerator(scripted), retriever=StaticRetriever([ACME]), thresholds=BALANCED
    )
    t = answer.timings_ms
    assert answer.route == "retrieval" and min(t.s2a, t.sampling, t.retrieval, t.grounded) >= 0.0
    assert t.total >= t.s2a + t.sampling + t.retrieval + t.grounded
    # Closed-book: the greedy answer, then its samples; grounded: both in one call.
    assert (t.sampling_prefill, t.sampling_decode) == (10.0, 30.0)
    assert (t.grounded_prefill, t.grounded_decode) == (5.0, 15.0)
    assert t.sampling_wait >= 20.0 and t.grounded_wait >= 10.0
    assert t.sampling_prefill + t.sampling_decode + t.sampling_wait == pytest.approx(t.sampling)
    assert t.grounded_prefill + t.grounded_decode + t.grounded_wait == pytest.approx(t.grounded)


def test_a_backend_without_model_time_leaves_the_whole_stage_as_wait() -> None:
    generator = ScriptedGenerator(by_prompt={"Pride": ["Jane Austen.", "Jane Austen wrote it."]})
    answer = ask("Who wrote Pride and Prejudice?", generator=generator, retriever=None, thresholds=BALANCED)
    t = answer.timings_ms
    assert (t.sampling_prefill, t.sampling_decode, t.sampling_wait) == (0.0, 0.0, t.sampling)
    assert (t.grounded_prefill, t.grounded_decode, t.grounded_wait) == (0.0, 0.0, 0.0)


def test_grounded_budget_is_capped_at_the_largest_allowed() -> None:
    generator = ScriptedGenerator(
        by_prompt={"[1] Acme": ["Acme Widgets was founded in 1987 [1]."], ACME_Q: SCATTERED}
    )
    thresholds = Thresholds(max_new_tokens=1024)
    ask(ACME_Q, generator=generator, retriever=StaticRetriever([ACME]), thresholds=thresholds)
    assert generator.calls[1].max_new_tokens == 1024


def test_rendered_answer_shows_route_confidence_and_sources() -> None:
    generator = ScriptedGenerator(
        by_prompt={"[1] Acme": ["Acme Widgets was founded in 1987 [1]."], ACME_Q: SCATTERED}
    )
    answer = ask(ACME_Q, generator=generator, retriever=StaticRetriever([ACME]), thresholds=BALANCED)
    text = render_answer_text(answer)
    assert text.splitlines()[0] == answer.answer
    assert "route: retrieval" in text and f"confidence: {answer.confidence:.2f}" in text
    assert "[1] acme.md (acme.md#0, score 0.70)" in text
