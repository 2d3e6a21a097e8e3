"""A question that asks for a number is not answered by an answer that names none."""

from __future__ import annotations

import pytest

from assistant.answer_type import asks_for_number, lacks_asked_number
from assistant.confidence import answers_at_all
from assistant.protocols import Completion
from assistant.signals import closed_signals


@pytest.mark.parametrize(
    "question",
    [
        "How many Taiwanese fishing boats did the Japan Coast Guard warn?",
        "How much was Zhenlong Beer fined?",
        "In what year was the ferry launched?",
        "How long does the crossing take?",
        "龙江派出所几点接到警情？",
        "安某流窜作案多少起？",
        "大火用了多长时间处置完毕？",
        "青岚茶业是哪一年成立的？",
    ],
)
def test_questions_that_ask_for_a_number(question: str) -> None:
    assert asks_for_number(question)


@pytest.mark.parametrize(
    "question",
    [
        "Who founded the Zentrix Quarry company?",
        "What does the sniffio package detect?",
        "他去过哪几个城市？",  # which cities, not how many
        "他几乎每天都去哪里？",  # 几乎 is "almost"
        "Where was the fire?",
    ],
)
def test_questions_that_ask_for_something_else(question: str) -> None:
    assert not asks_for_number(question)


@pytest.mark.parametrize(
    ("question", "answer", "lacks"),
    [
        ("龙江派出所几点接到警情？", "龙江派出所接到警情后，立即指令消防员赶赴现场。 [1]", True),
        ("龙江派出所几点接到警情？", "7时45分左右。 [1]", False),
        ("消防员在后车厢里发现了几个气罐？", "消防员发现了四个气罐。", False),
        ("马有几只眼睛？", "马有两只眼睛。", False),
        ("How many moons does Mars have?", "Mars has two moons.", False),
        ("How much of the effect is due to carbon dioxide?", "Over half of it. [2]", False),
        ("How many goals did Messi score in 2012?", "Messi scored many goals in 2012.", True),
        ("Who founded Acme?", "Acme was founded by a chemist.", False),
    ],
)
def test_an_answer_lacks_the_number_only_when_asked_for_one(question: str, answer: str, lacks: bool) -> None:
    assert lacks_asked_number(answer, question=question) is lacks


def test_a_closed_book_answer_without_the_asked_number_is_no_answer() -> None:
    question = "How many goals did Messi score in 2012?"
    restated = closed_signals(
        question,
        Completion("Messi scored lots of goals in 2012.", 9),
        agreement=1.0,
        samples=5,
        refused=False,
    )
    counted = closed_signals(
        question, Completion("Messi scored 91 goals in 2012.", 8), agreement=1.0, samples=5, refused=False
    )
    assert restated["number_missing"] == 1.0 and not answers_at_all(restated)
    assert counted["number_missing"] == 0.0 and answers_at_all(counted)
