"""Where a generated answer ends: the first line break after some text; shared by every Generator backend."""

from __future__ import annotations


def cut_at_line_break(text: str) -> str:
    """`text` up to its first line break that follows non-whitespace, stripped.

    Leading blank lines are skipped because models often open an answer with a newline.
    """
    seen_text = False
    for index, char in enumerate(text):
        if char == "\n" and seen_text:
            return text[:index].strip()
        if not char.isspace():
            seen_text = True
    return text.strip()


def ends_answer(piece: str, *, seen_text: bool) -> bool:
    """True when appending `piece` to an answer (with or without text so far) completes its first line."""
    if "\n" not in piece:
        return False
    return seen_text or bool(piece.split("\n", 1)[0].strip())
