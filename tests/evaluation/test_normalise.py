"""Normalisation and containment, checked against hand-worked cases in English and Chinese."""

from __future__ import annotations

import pytest

from assistant.evaluation.normalise import contains_answer, normalise_answer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Eiffel Tower.", "eiffel tower"),
        ("  An   apple, a day!  ", "apple day"),
        ("ＵＳＡ", "usa"),  # full-width Latin letters
        ("１９４９年", "1949年"),  # full-width digits
        ("北京，中国。", "北京中国"),  # Chinese punctuation dropped, no space left between Han
        ("北 京", "北京"),  # tokenised Chinese
        ("“Hamlet”", "hamlet"),
        ("Theory of the Leisure Class", "theory of leisure class"),
        ("there", "there"),  # "the" inside a word stays
    ],
)
def test_normalise_answer(text: str, expected: str) -> None:
    assert normalise_answer(text) == expected


@pytest.mark.parametrize(
    ("answer", "golds", "expected"),
    [
        ("It was founded in 1949 by him.", ["1949"], True),
        ("It was founded in 19490.", ["1949"], False),  # digits must not run on
        ("The capital is Paris.", ["paris"], True),
        ("The capital is Parisville.", ["Paris"], False),
        ("中华人民共和国成立于１９４９年。", ["1949"], True),  # full-width digits after Han characters
        ("答案是1949年", ["1949年"], True),
        ("首都是北京。", ["北 京"], True),
        ("首都是南京。", ["北京"], False),
        ("President Richard Nixon", ["Richard Nixon", "Nixon"], True),
        ("I don't know.", [], False),  # nothing to contain
        ("anything", [""], False),  # an empty gold never matches
    ],
)
def test_contains_answer(answer: str, golds: list[str], expected: bool) -> None:
    assert contains_answer(answer, golds) is expected


def test_a_thousands_separator_does_not_hide_a_number() -> None:
    assert contains_answer("One kilometer is equal to 1000 meters.", ["1,000"])
    assert contains_answer("A mile is about 1,760 yards.", ["1760"])
    assert not contains_answer("It cost 1,2345 dollars.", ["12345"])  # not a thousands group
    assert not contains_answer("In 1,000 BC.", ["100"])
