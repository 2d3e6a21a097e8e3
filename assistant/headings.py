"""An answer that only repeats a heading of a passage: the title of a report, a README's section name.

Asked "Which project was certifi extracted from?", the default model answered "Certifi: Python SSL
Certificates [1][2]", the README's title; asked who Taiwan's representative in Japan is, it gave the
report's headline, and asked which iniconfig method strips comments, "[2] Basic Example", a section
name (docs/results/documents-dev.md, documents-trial-0.5b.md). Each was sampled back alike and
is backed by its passage word for word, so agreement and support cannot see that nothing was
answered. A heading is the first line of a passage, a Markdown `#` line, or a line underlined with
`===` or `---`, and no sentence (a line ending in a full stop is text, whatever its place).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.claims import without_citations
from assistant.support import bracket_citations

MAX_HEADING_CHARS = 80
_UNDERLINE = re.compile(r"^\s*(?:=+|-+|~+|\^+)\s*$")
_MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s+(\S.*)$")
_SENTENCE_END = re.compile(r"[.。!！?？]\s*$")
_EDGES = " \t\"'`*_#:：.。,，;；!！?？“”‘’「」"
# A question about the document itself, where its title is the answer.
_ASKS_FOR_TITLE = re.compile(
    r"\btitle\b|\bheading\b|\bheadline\b|\bsection\b|标题|题目|题为|章节", re.IGNORECASE
)


def echoes_heading(answer: str, *, passages: Iterable[str], question: str) -> bool:
    """Whether `answer`, without its citation markers, is nothing but a heading of one of `passages`."""
    if _ASKS_FOR_TITLE.search(question):
        return False
    said = _plain(without_citations(bracket_citations(answer)))
    return bool(said) and any(said in headings(text) for text in passages)


def headings(text: str) -> set[str]:
    """The headings of a passage, as `_plain` writes them."""
    lines = text.splitlines()
    candidates = list(lines[:1])
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        marked = _MARKDOWN_HEADING.match(line)
        if marked:
            candidates.append(marked.group(1))
        elif line.strip() and _UNDERLINE.match(following):
            candidates.append(line)
    kept = (c for c in candidates if len(c.strip()) <= MAX_HEADING_CHARS and not _SENTENCE_END.search(c))
    return {plain for plain in map(_plain, kept) if plain}


def _plain(text: str) -> str:
    return " ".join(text.split()).strip(_EDGES).casefold()
