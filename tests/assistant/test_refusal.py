"""Refusal detection in English and Chinese, and answers that must not be taken for refusals."""

from __future__ import annotations

import pytest

from assistant.abstention import abstention_text
from assistant.refusal import is_refusal

REFUSALS = [
    "I don't know.",
    "I do not know who that is.",
    "I couldn't find any information about Zorbelia Quantrix.",
    "I'm sorry, but I don't have information about that person.",
    "I’m not sure who Marten Vollbrecht-Ayana is.",
    "There is no widely known information about this person.",
    "As an AI language model, I cannot browse the internet.",
    "I am unable to find details on that.",
    "The passages do not mention when the company was founded.",
    "The founding year is not mentioned in the passages.",
    "Unknown.",
    "",
    "   ",
    "我不知道。",
    "抱歉，我无法回答这个问题。",
    "没有相关信息。",
    "我没有找到关于张伟明的资料。",
    "资料中没有提到这家公司。",
    "对不起，我不清楚。",
]

ANSWERS = [
    "Jane Austen wrote Pride and Prejudice.",
    "The capital of France is Paris.",
    "No one knows exactly who built Stonehenge, but it dates to about 3000 BC.",
    "The Unknown Soldier is buried at Arlington National Cemetery.",
    "Information theory was founded by Claude Shannon.",
    "Acme Widgets was founded in 1987 [1].",
    "《红楼梦》的作者是曹雪芹。",
    "中国的首都是北京。",
    "水的化学式是H2O。",
]


@pytest.mark.parametrize("text", REFUSALS)
def test_refusals_are_detected(text: str) -> None:
    assert is_refusal(text)


@pytest.mark.parametrize("text", ANSWERS)
def test_answers_are_not_refusals(text: str) -> None:
    assert not is_refusal(text)


@pytest.mark.parametrize("question", ["Who is Zorbelia Quantrix?", "张伟明教授出生于哪一年？"])
def test_our_own_abstention_reads_as_a_refusal(question: str) -> None:
    assert is_refusal(abstention_text(question))
