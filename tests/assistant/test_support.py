"""Support checking: citation parsing, the supported share, and attribution of uncited answers."""

from __future__ import annotations

import pytest

from assistant.claims import text_features, topic_features
from assistant.fakes import StaticPassage
from assistant.support import attribute_passages, bracket_citations, cited_numbers, found_share, support_share

ACME = StaticPassage("Acme Widgets was founded in 1987 in Tulsa by Mara Quill.", chunk_id="acme#0")
WEATHER = StaticPassage("Tulsa has hot summers and mild winters.", chunk_id="weather#0")
QINGSONG = StaticPassage("青松科技公司成立于2003年，总部位于杭州。", chunk_id="qs#0")


def test_cited_numbers_reads_every_citation_form() -> None:
    assert cited_numbers("A [2] and B [1, 3]. C 【4】", passage_count=4) == [2, 1, 3, 4]


def test_cited_numbers_ignores_numbers_beyond_the_passages() -> None:
    assert cited_numbers("Founded in 1987 [7].", passage_count=3) == []


def test_cited_numbers_keeps_each_passage_once() -> None:
    assert cited_numbers("X [1]. Y [1][2].", passage_count=2) == [1, 2]


def test_fully_supported_answer() -> None:
    share = support_share(
        "Acme Widgets was founded in 1987 [1].", [ACME], question="When was Acme Widgets founded?"
    )
    assert share == 1.0


def test_wrong_year_is_not_supported() -> None:
    share = support_share(
        "Acme Widgets was founded in 1990 [1].", [ACME], question="When was Acme Widgets founded?"
    )
    assert share == 0.0


def test_partly_supported_answer_counts_each_claim() -> None:
    share = support_share(
        "Acme Widgets was founded in 1987 in Denver.", [ACME], question="When was Acme Widgets founded?"
    )
    assert share == 0.5  # 1987 found, Denver not


def test_refusal_has_no_support() -> None:
    assert support_share("The passages do not mention it.", [ACME], question="Who founded Acme?") == 0.0


def test_answer_that_only_echoes_the_question_has_no_support() -> None:
    assert (
        support_share("Acme Widgets was founded.", [ACME], question="When was Acme Widgets founded?") == 0.0
    )


def test_chinese_answer_supported_by_chinese_passage() -> None:
    share = support_share(
        "青松科技公司成立于2003年[1]。", [QINGSONG], question="青松科技公司是哪一年成立的？"
    )
    assert share == 1.0


def test_chinese_answer_with_an_invented_city_is_partly_supported() -> None:
    share = support_share("总部位于上海。", [QINGSONG], question="青松科技公司的总部在哪里？")
    assert share < 0.5


def test_attribution_finds_the_passages_holding_the_claims() -> None:
    passages = [WEATHER, ACME]
    assert attribute_passages("It was founded in 1987.", passages, question="When was Acme founded?") == [2]


def test_attribution_of_an_unsupported_answer_is_empty() -> None:
    assert (
        attribute_passages("It was founded in 1850.", [WEATHER, ACME], question="When was Acme founded?")
        == []
    )


def test_a_true_number_pinned_on_the_wrong_subject_is_not_supported() -> None:
    share = support_share("张伟明教授出生于2003年[1]。", [QINGSONG], question="张伟明教授出生于哪一年？")
    assert share == 0.0
    share = support_share(
        "Zorbelia Quantrix was born in 1987 [1].", [ACME], question="When was Zorbelia Quantrix born?"
    )
    assert share == 0.0


def test_a_copied_passage_about_something_else_is_not_supported() -> None:
    share = support_share(ACME.text, [ACME], question="Who wrote Pride and Prejudice?")
    assert share == 0.0


def test_a_passage_named_in_words_counts_as_cited() -> None:
    assert cited_numbers("根据 Passage 2，青松科技公司成立于2003年。", passage_count=2) == [2]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Passage 1: 青岚茶业于2003年成立", "青岚茶业于2003年成立 [1]"),
        ("根据 Passage 2，青松科技公司成立于2003年。", "青松科技公司成立于2003年。 [2]"),
        ("It opened in 1987, according to passage 3.", "It opened in 1987, according to [3]."),
        ("It opened in 1987 [1].", "It opened in 1987 [1]."),
        ("Passage 1:", "[1]:"),
    ],
)
def test_prose_references_become_bracket_markers(answer: str, expected: str) -> None:
    assert bracket_citations(answer) == expected


@pytest.mark.parametrize(
    ("question_text", "passage_text", "share"),
    [
        # "open" is the word of "opened": the question's subject is all in the passage.
        ("In what year did the Zentrix Quarry open?", "The Zentrix Quarry opened in 1932.", 1.0),
        ("Who runs the building fund?", "She built the fund and runs it.", 2 / 3),
        # Short words are not stretched: "use" is not "user", nor "us" "used".
        ("Who is the main user?", "Use the main door.", 1 / 2),
    ],
)
def test_another_form_of_a_word_counts_as_found(question_text: str, passage_text: str, share: float) -> None:
    assert found_share(text_features(question_text), text_features(passage_text)) == pytest.approx(share)


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("中国的首都是哪里？", {"中国", "首都"}),  # 的/是/哪 break the pairs; 都 (all) does not
        ("李先生在2003年成立了公司", {"李先", "先生", "成立", "公司"}),
        ("张 who founded Acme?", {"张", "founded", "acme"}),  # a lone character counts alone
    ],
)
def test_topic_features_pair_neighbouring_chinese_characters(text: str, terms: set[str]) -> None:
    assert topic_features(text).terms == terms
