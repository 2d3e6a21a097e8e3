"""Answers named in the question's own words: the option picked, the Chinese slot filled."""

from __future__ import annotations

import pytest

from assistant.slots import han_left_over, picked_option, slot_filler

GENUS = "Between Leitneria and Zinnia, which genus is more widely spread?"
CISTERN = "Which of these has its entrance in Piyer Loti Caddesi, Hagia Sophia or Theodosius Cistern?"


@pytest.mark.parametrize(
    ("answer", "question", "option"),
    [
        ("Zinnia", GENUS, "Zinnia"),
        ("Zinnia is more widely spread than Leitneria.", GENUS, "Zinnia"),
        ("Leitneria is more widely spread than Zinnia.", GENUS, "Leitneria"),
        ("Theodosius Cistern [1]", CISTERN, "Theodosius Cistern"),
        ("Hagia Sophia or Theodosius Cistern.", CISTERN, ""),  # the choice repeated, not made
        ("It is in Istanbul.", CISTERN, ""),
        ("One57", "Which hosts a Hyatt hotel: 30 Hudson Yards or One57?", "One57"),
        ("Louis Armstrong.", "Who was born first, Louis Armstrong or Duke Ellington?", "Louis Armstrong"),
        ("唐朝人。", "李白是唐朝人还是宋朝人？", "李白是唐朝人"),
        ("宋朝人。", "李白是唐朝人还是宋朝人？", "宋朝人"),
        ("Zinnia", "Which genus is more widely spread?", ""),  # no options offered
    ],
)
def test_the_option_an_answer_picks(answer: str, question: str, option: str) -> None:
    assert picked_option(answer, question=question) == option


@pytest.mark.parametrize(
    ("answer", "question", "left_over"),
    [
        ("温度计测量温度。", "温度计测量什么？", "温度。"),
        ("研究生物的学科叫生物学。", "研究生物的学科叫什么？", "生物学。"),
        ("该类以事件形式发送数据。", "哪个类以事件形式发送数据？", ""),  # only 该 left: no content
        ("北京", "中国的首都是哪里？", "北京"),
        ("Paris.", "What is the capital of France?", ""),
    ],
)
def test_the_chinese_left_over_from_the_question(answer: str, question: str, left_over: str) -> None:
    assert han_left_over(answer, question=question) == left_over


def test_a_restatement_names_nothing() -> None:
    question = "Which SSE-starlette class sends JSON data as events?"
    assert slot_filler("The SSE-starlette class sends JSON data as events.", question=question) == ""
    assert slot_filler("温度计测量温度。", question="温度计测量什么？") == "温度。"
