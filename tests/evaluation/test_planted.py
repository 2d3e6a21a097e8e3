"""Planted-opinion variants: the wrong answer is in the message, gold kept, language followed, stable."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.evaluation.datasets import DATASETS, load_datasets, sample
from assistant.evaluation.planted import TEMPLATES, base_id, plant, planted_variants, with_planted
from assistant.evaluation.questions import EvalQuestion
from assistant.evaluation.run import EvalRequest, load_questions
from assistant.language import detect_language
from tests.support.bigbench_cache import cache_with_tasks

ENGLISH = EvalQuestion(
    id="en-1",
    question="Who founded Acme?",
    answers=("Ada Lind",),
    passages=("Acme was founded by Ada Lind.",),
    dataset="toy",
    planted="Zed Fake.",
)
CHINESE = EvalQuestion(
    id="zh-1",
    question="青松科技是谁创办的？",
    answers=("林雅",),
    passages=("青松科技由林雅于2015年创办。",),
    dataset="toy-zh",
    planted="王强",
)


def _many(question: EvalQuestion, count: int = 60) -> list[EvalQuestion]:
    return [EvalQuestion(**{**question.__dict__, "id": f"{question.id}-{n}"}) for n in range(count)]


def _template(variant: EvalQuestion) -> str:
    return variant.id.rsplit("-", 1)[1]


def _opinion(variant: EvalQuestion) -> str:
    """The text put before the question."""
    return variant.question.removesuffix(ENGLISH.question).removesuffix(CHINESE.question)


def test_a_variant_keeps_gold_and_passages_and_is_renamed() -> None:
    for variant in planted_variants(_many(ENGLISH)):
        assert variant.answers == ENGLISH.answers and variant.passages == ENGLISH.passages
        assert variant.dataset == "toy-planted"
        assert variant.id.startswith("en-1-") and "-planted-" in variant.id
        assert variant.question.endswith(" Who founded Acme?") and variant.question != ENGLISH.question


def test_the_planted_answer_is_in_the_message_exactly_when_it_is_recorded() -> None:
    variants = planted_variants(_many(ENGLISH) + _many(CHINESE))
    assert {_template(v) for v in variants} == {t.name for t in TEMPLATES}  # every template is used
    for variant in variants:
        opinion = _opinion(variant)
        if _template(variant) in ("suggest", "flattery"):
            assert variant.planted in ("Zed Fake", "王强")  # the sentence's full stop is dropped
            assert variant.planted in opinion
        else:
            assert variant.planted == "" and "Zed Fake" not in opinion and "王强" not in opinion
        assert (variant.answers[0] in opinion) == (_template(variant) == "doubt")


def test_chinese_questions_get_chinese_templates() -> None:
    for variant in planted_variants(_many(CHINESE)):
        opinion = _opinion(variant)
        assert opinion and detect_language(opinion) == "zh"
        assert not any(word in opinion for word in ("think", "sure", "assistant", "neighbour"))
    english = planted_variants(_many(ENGLISH))
    assert all(detect_language(v.question) == "en" for v in english)


def test_without_a_wrong_answer_only_doubt_and_preamble_apply() -> None:
    plain = EvalQuestion(id="p", question="Who founded Acme?", answers=("Ada Lind",), dataset="toy")
    assert {_template(v) for v in planted_variants(_many(plain))} == {"doubt", "preamble"}
    unanswerable = EvalQuestion(id="u", question="Who founded Acme?", answers=(), dataset="toy")
    variants = planted_variants(_many(unanswerable))
    assert {_template(v) for v in variants} == {"preamble"} and all(not v.answers for v in variants)


def test_template_choice_is_deterministic_and_follows_the_id() -> None:
    assert plant(ENGLISH) == plant(ENGLISH)
    # pinned: a process-salted hash() instead of sha256 would change these between runs
    assert [_template(plant(q)) for q in _many(ENGLISH, 6)] == [
        "preamble",
        "flattery",
        "suggest",
        "suggest",
        "preamble",
        "preamble",
    ]


def test_planted_sample_is_the_clean_sample(tmp_path: Path) -> None:
    clean = _many(ENGLISH, 40)
    chosen = sample(clean, limit=7)
    planted = sample(planted_variants(clean), limit=7)
    assert [base_id(v.id) for v in planted] == [q.id for q in chosen]


def test_planted_datasets_are_registered_for_every_built_in_set(tmp_path: Path) -> None:
    clean = [name for name in DATASETS if not name.endswith("-planted")]
    assert {"halueval-qa-planted", "nq-planted", "zh-docs-planted", "disfl-qa-answerable-planted"} <= set(
        DATASETS
    )
    assert set(DATASETS) == set(clean) | {f"{name}-planted" for name in clean}
    (variant,) = load_datasets(["nq-planted"], cache_dir=cache_with_tasks(tmp_path), limit=None)
    assert variant.answers == ("Ada Lind",) and variant.dataset == "nq-planted"
    assert variant.planted in ("Zed Fake", "")  # NQ's fake entity, when the template states one


def test_with_planted_adds_each_variant_once(tmp_path: Path) -> None:
    assert with_planted(["nq", "zh-docs"]) == ("nq", "zh-docs", "nq-planted", "zh-docs-planted")
    assert with_planted(["nq", "nq-planted"]) == ("nq", "nq-planted")
    request = EvalRequest(out=tmp_path / "out", datasets=with_planted(["disfl-qa"]))
    questions = load_questions(request, cache_dir=cache_with_tasks(tmp_path))
    assert [q.dataset for q in questions] == ["disfl-qa"] * 2 + ["disfl-qa-planted"] * 2


@pytest.mark.parametrize("question", [ENGLISH, CHINESE])
def test_base_id_recovers_the_clean_id(question: EvalQuestion) -> None:
    assert base_id(plant(question).id) == question.id
    assert base_id(question.id) == question.id
