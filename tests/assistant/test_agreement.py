"""Agreement of sampled answers: core claims (entities, numbers, dates), refusals, and a labelled real set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.agreement import agreement, answers_agree

FIXTURE = Path(__file__).parent / "fixtures" / "agreement_samples.json"


def test_rephrasings_of_the_same_answer_agree() -> None:
    question = "Who wrote Pride and Prejudice?"
    assert answers_agree(
        "Jane Austen.", "Pride and Prejudice was written by Jane Austen in 1813.", question=question
    )


def test_two_invented_birth_dates_in_one_template_disagree() -> None:
    question = "When was Zorbelia Quantrix born?"
    assert not answers_agree(
        "Zorbelia Quantrix was born on March 15, 1985.",
        "Zorbelia Quantrix was born on June 15, 1985.",
        question=question,
    )
    assert not answers_agree(
        "Zorbelia Quantrix was born in 1985.", "Zorbelia Quantrix was born in 1962.", question=question
    )


def test_a_year_agrees_with_a_full_date_of_that_year() -> None:
    assert answers_agree("It ended in 1945.", "World War II ended on September 2, 1945.")


def test_number_words_match_digits() -> None:
    question = "How many continents are there?"
    assert answers_agree("There are seven continents.", "There are 7 continents on Earth.", question=question)


def test_different_professions_disagree() -> None:
    question = "Who is Marten Vollbrecht-Ayana?"
    assert not answers_agree(
        "Marten Vollbrecht-Ayana is an American actor.",
        "Marten Vollbrecht-Ayana is an American politician.",
        question=question,
    )


def test_a_refusal_never_agrees_with_an_answer() -> None:
    assert not answers_agree("Paris.", "I don't know.")
    assert not answers_agree("我不知道。", "北京。")
    assert answers_agree("I don't know.", "I couldn't find any information about it.")


def test_chinese_rephrasings_agree_and_different_names_disagree() -> None:
    question = "《红楼梦》的作者是谁？"
    assert answers_agree("《红楼梦》的作者是曹雪芹。", "曹雪芹。", question=question)
    assert not answers_agree("《红楼梦》的作者是曹雪芹。", "《红楼梦》的作者是罗贯中。", question=question)


def test_agreement_is_the_share_of_agreeing_samples() -> None:
    samples = ["Paris.", "It is Paris.", "Lyon.", "I don't know.", "Paris, of course."]
    score = agreement("The capital of France is Paris.", samples, question="What is the capital of France?")
    assert score == pytest.approx(3 / 5)


def test_no_samples_means_no_agreement() -> None:
    assert agreement("Paris.", []) == 0.0


def _labelled_records() -> list[dict[str, Any]]:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    records: list[dict[str, Any]] = data["records"]
    return records


def test_fixture_has_both_labels_in_every_language() -> None:
    records = _labelled_records()
    labels = [(r["category"].startswith("chinese"), label) for r in records for label in r["labels"]]
    for chinese in (False, True):
        assert {label for is_zh, label in labels if is_zh == chinese} == {"agree", "disagree"}


def test_pairwise_decisions_match_the_labels_of_real_samples() -> None:
    records = _labelled_records()
    decisions = [
        (answers_agree(r["main"], sample, question=r["question"]), label == "agree")
        for r in records
        for sample, label in zip(r["samples"], r["labels"], strict=True)
    ]
    accuracy = sum(predicted == truth for predicted, truth in decisions) / len(decisions)
    assert accuracy >= 0.9


def test_agreement_separates_consistent_from_inconsistent_questions() -> None:
    """Questions whose samples mostly agree (by label) score above those whose samples mostly disagree."""
    records = _labelled_records()
    consistent, inconsistent = [], []
    for r in records:
        labelled = r["labels"].count("agree") / len(r["labels"])
        score = agreement(r["main"], r["samples"], question=r["question"])
        if labelled >= 0.8:
            consistent.append(score)
        elif labelled <= 0.4:
            inconsistent.append(score)
    assert consistent and inconsistent
    assert sum(consistent) / len(consistent) - sum(inconsistent) / len(inconsistent) >= 0.5
    assert min(consistent) > max(inconsistent) - 0.21  # at most one sample's worth of overlap


def test_a_temperature_agrees_in_symbol_and_in_words() -> None:
    question = "What is the boiling point of water at sea level in Celsius?"
    greedy = "The boiling point of water at sea level in Celsius is 100 degrees Celsius."
    samples = [
        "Water's boiling point at sea level is 100°C.",
        "Water at sea level boils at 100 ℃.",
        "It is 100 °C.",
    ]
    assert agreement(greedy, samples, question=question) == 1.0
    assert not answers_agree(greedy, "The boiling point is 212°F.", question=question)
    assert not answers_agree("Vitamin C.", "Vitamin D.", question="Which vitamin do oranges hold most?")
