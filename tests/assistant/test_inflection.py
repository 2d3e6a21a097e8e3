"""English verb forms used to restate a question as a noun phrase."""

from __future__ import annotations

import pytest

from assistant.inflection import conjugated, past, third_person


@pytest.mark.parametrize(
    ("verb", "expected"),
    [("warn", "warned"), ("raise", "raised"), ("carry", "carried"), ("play", "played"), ("win", "won")],
)
def test_past(verb: str, expected: str) -> None:
    assert past(verb) == expected


@pytest.mark.parametrize(
    ("verb", "expected"),
    [("work", "works"), ("have", "has"), ("watch", "watches"), ("carry", "carries"), ("say", "says")],
)
def test_third_person(verb: str, expected: str) -> None:
    assert third_person(verb) == expected


@pytest.mark.parametrize(
    ("verb", "auxiliary", "expected"),
    [("warn", "did", "warned"), ("have", "does", "has"), ("work", "do", "work"), ("win", "will", "will win")],
)
def test_the_auxiliary_decides_the_form(verb: str, auxiliary: str, expected: str) -> None:
    assert conjugated(verb, auxiliary) == expected
