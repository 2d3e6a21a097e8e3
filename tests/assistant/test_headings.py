"""A heading of a passage, repeated as the answer, answers nothing."""

from __future__ import annotations

import pytest

from assistant.confidence import answers_at_all
from assistant.fakes import StaticPassage
from assistant.headings import echoes_heading, headings
from assistant.protocols import Completion
from assistant.signals import grounded_signals

README = """Certifi: Python SSL Certificates
================================

Certifi provides Mozilla's carefully curated collection of Root Certificates.
It has been extracted from the `Requests`_ project.

Basic Example
=============

## Usage notes
Acme was founded by Ada Lind.
"""
NEWS = "日本抗议台渔船“入侵”钓鱼岛，台媒:把台湾当软柿子吃\n\n据台湾《中国时报》报道，台湾驻日代表谢长廷表示……"


def test_headings_are_titles_underlined_lines_and_markdown_headings() -> None:
    assert headings(README) == {"certifi: python ssl certificates", "basic example", "usage notes"}
    assert headings("Acme was founded by Ada Lind.\nIt makes anvils.") == set()  # a sentence, not a title


@pytest.mark.parametrize(
    ("answer", "question", "passage", "echoes"),
    [
        (
            "Certifi: Python SSL Certificates [1][2]",
            "Which project was certifi extracted from?",
            README,
            True,
        ),
        ("[2] Basic Example", "Which iniconfig method strips inline comments?", README, True),
        ("日本抗议台渔船“入侵”钓鱼岛，台媒:把台湾当软柿子吃 [3]", "台当局驻日代表是谁？", NEWS, True),
        ("Requests [1]", "Which project was certifi extracted from?", README, False),
        ("谢长廷 [1]", "台当局驻日代表是谁？", NEWS, False),
        ("日本抗议台渔船“入侵”钓鱼岛，台媒:把台湾当软柿子吃", "这篇报道的标题是什么？", NEWS, False),
    ],
)
def test_an_answer_that_is_only_a_heading_echoes_it(
    answer: str, question: str, passage: str, echoes: bool
) -> None:
    assert echoes_heading(answer, passages=[passage], question=question) is echoes


def test_a_grounded_answer_repeating_a_title_is_no_answer() -> None:
    passages = [StaticPassage(README, source="certifi.md", chunk_id="c1", score=0.4)]
    question = "Which project was certifi extracted from?"

    def signals(text: str) -> dict[str, float]:
        return grounded_signals(
            question,
            Completion(text, 8),
            text=text,
            passages=passages,
            cited=passages,
            agreement=1.0,
            samples=5,
        )

    assert not answers_at_all(signals("Certifi: Python SSL Certificates [1]"))
    assert answers_at_all(signals("It was extracted from the Requests project. [1]"))
