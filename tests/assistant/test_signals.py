"""The raw signals of each stage, measured on fixed answers, samples and passages."""

from __future__ import annotations

import pytest

from assistant.fakes import StaticPassage
from assistant.protocols import Completion
from assistant.signals import adds_claim, closed_signals, grounded_signals, logprob_signals

ACME = StaticPassage("Acme Widgets was founded in 1987 in Tulsa.", score=0.42)
ZH = StaticPassage("青岚茶业于二〇〇三年在云溪镇成立。", score=0.12)


def _grounded(question: str, answer: str, passage: StaticPassage) -> dict[str, float]:
    """The grounded signals of `answer`, citing `passage`, the only passage read."""
    read = [passage]
    return grounded_signals(
        question, Completion(answer, 3), text=answer, passages=read, cited=read, agreement=1.0, samples=5
    )


def test_log_probability_signals_are_absent_without_log_probabilities() -> None:
    assert logprob_signals(Completion("Paris.", 2)) == {}
    measured = logprob_signals(Completion("Paris.", 3, (-0.1, -0.5, -0.3)))
    assert measured == pytest.approx({"logprob_mean": -0.3, "logprob_min": -0.5})


@pytest.mark.parametrize(
    ("answer", "question", "expected"),
    [
        (
            "The SSE-starlette class sends JSON data as events.",
            "Which SSE-starlette class sends JSON data as events?",
            False,
        ),
        (
            "EventSourceResponse sends JSON data as events.",
            "Which SSE-starlette class sends JSON data as events?",
            True,
        ),
        (
            "Redis clusters use a diskcache class that stores data in Redis clusters.",
            "Which diskcache class stores data in Redis clusters?",
            False,
        ),
        ("It uses SQLite.", "What does a diskcache Cache use for storage?", True),
        ("Yes.", "Is Paris the capital of France?", True),
        ("I don't know.", "Who is Zorbelia Quantrix?", False),
        ("是的。", "巴黎是法国的首都吗？", True),
        # A function named in code is an answer, although "where" is a grammar word in prose.
        (
            "The `certifi.where()` function returns the path of the installed CA bundle.",
            "Which certifi function returns the path of the installed CA bundle?",
            True,
        ),
        (
            "The certifi function returns the path of the installed CA bundle where it is.",
            "Which certifi function returns the path of the installed CA bundle?",
            False,
        ),
    ],
)
def test_an_answer_must_add_something_to_the_question(answer: str, question: str, expected: bool) -> None:
    assert adds_claim(answer, question=question) is expected


def test_closed_book_signals() -> None:
    signals = closed_signals(
        "Who founded Acme?",
        Completion("Ada Lind.", 3, (-0.2, -0.2, -0.2)),
        agreement=0.8,
        samples=5,
        refused=False,
    )
    assert signals["agreement"] == 0.8 and signals["adds_claim"] == 1.0 and signals["zh"] == 0.0
    assert signals["logprob_mean"] == pytest.approx(-0.2)


def test_grounded_signals_measure_support_retrieval_and_language() -> None:
    question = "When was Acme Widgets founded?"
    answer = "Acme Widgets was founded in 1987 [1]."
    signals = _grounded(question, answer, ACME)
    assert signals["support_added"] == 1.0 and signals["support_asked"] == 1.0
    assert signals["best_score"] == pytest.approx(0.42) and signals["cited"] == 1.0
    assert signals["cross_language"] == 0.0
    invented = "Acme Widgets was founded in 1990 in Denver [1]."
    wrong = _grounded(question, invented, ACME)
    assert wrong["support_added"] == 0.0


def test_an_english_question_over_a_chinese_passage_crosses_languages() -> None:
    question = "When was Qinglan Tea founded?"
    answer = "It was founded in 2003 [1]."
    signals = _grounded(question, answer, ZH)
    assert signals["cross_language"] == 1.0
    assert signals["support_added"] == 1.0  # the year, read from 二〇〇三
    # No English word can be found in a Chinese passage: the word overlaps are not measured at all.
    assert "support_asked" not in signals and "question_in_top" not in signals


def test_across_languages_a_wrong_number_is_still_caught_and_a_name_is_unmeasured() -> None:
    question = "When was Qinglan Tea founded?"
    wrong_year, name = "It was founded in 1999 [1].", "It was founded by Wang Fang [1]."

    def support_added(answer: str) -> float | None:
        return _grounded(question, answer, ZH).get("support_added")

    assert support_added(wrong_year) == 0.0
    assert support_added(name) is None


HOHHOT = StaticPassage("内蒙古自治区首府呼和浩特市是中国北方的重要都市。", score=0.31)
BEIJING = StaticPassage("北京是中国的首都，也是全国的政治中心。", score=0.35)


def test_a_chinese_passage_is_about_the_question_only_if_it_shares_its_words() -> None:
    question = "中国的首都是哪里？"

    def asked(passage: StaticPassage) -> tuple[float, float]:
        signals = _grounded(question, "北京 [1]", passage)
        return signals["support_asked"], signals["question_in_top"]

    # Every character of 中国/首都 occurs in the Hohhot report, but the word 首都 does not.
    assert asked(HOHHOT) == (0.5, 0.5)
    assert asked(BEIJING) == (1.0, 1.0)


GENUS = StaticPassage("Zinnia is a genus of plants found across the Americas.", score=0.4)


def test_a_grounded_answer_may_name_an_option_of_the_question() -> None:
    question = "Between Leitneria and Zinnia, which genus is more widely spread?"

    # The option named counts as the claim, and is checked against the passage like any claim.
    assert _grounded(question, "Zinnia [1]", GENUS)["adds_claim"] == 1.0
    assert _grounded(question, "Zinnia [1]", GENUS)["support_added"] == 1.0
    assert _grounded(question, "Leitneria [1]", GENUS)["support_added"] == 0.0
    assert _grounded(question, "Leitneria or Zinnia [1]", GENUS)["adds_claim"] == 0.0
    closed = closed_signals(question, Completion("Zinnia", 3), agreement=1.0, samples=5, refused=False)
    assert closed["adds_claim"] == 0.0  # closed-book, a name echoed from the question is no answer
