"""The contract's stop rules on one growing completion: end of sequence, line break after text, budget."""

from __future__ import annotations

from assistant.backends._completion_rows import CompletionRow, first_line_end


def _feed(row: CompletionRow, pieces: list[bytes]) -> None:
    for piece in pieces:
        row.add(piece, end_of_sequence=False)


def test_a_line_break_after_text_ends_the_row_and_is_cut() -> None:
    row = CompletionRow(max_new_tokens=10)
    _feed(row, [b" Paris", b".\n", b"Next"])
    assert row.done and row.text() == "Paris." and row.tokens == 2


def test_leading_line_breaks_do_not_end_the_row() -> None:
    row = CompletionRow(max_new_tokens=10)
    _feed(row, [b"\n", b"\n ", b"Paris"])
    assert not row.done and row.text() == "Paris" and row.tokens == 3


def test_end_of_sequence_stops_without_counting_a_token() -> None:
    row = CompletionRow(max_new_tokens=10)
    _feed(row, [b"Yes"])
    row.add(b"", end_of_sequence=True)
    row.add(b" more", end_of_sequence=False)
    assert row.done and row.text() == "Yes" and row.tokens == 1


def test_the_token_budget_stops_the_row() -> None:
    row = CompletionRow(max_new_tokens=3)
    _feed(row, [b"a", b"b", b"c", b"d"])
    assert row.done and row.text() == "abc" and row.tokens == 3


def test_a_character_split_across_tokens_is_joined() -> None:
    row = CompletionRow(max_new_tokens=10)
    encoded = "巴黎".encode()
    _feed(row, [encoded[:2], encoded[2:4], encoded[4:]])
    assert row.text() == "巴黎"


def test_first_line_end_skips_blank_lines() -> None:
    assert first_line_end(b"\n \nab\ncd") == 5
    assert first_line_end(b"\n\n") is None
    assert first_line_end(b"abc") is None
