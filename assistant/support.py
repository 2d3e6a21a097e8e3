"""Support checking: which passages a grounded answer cites, and how much of it they back up."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.claims import Claims, text_features
from assistant.protocols import Passage
from assistant.refusal import is_refusal
from assistant.slots import answer_claims

_CITATION_GROUP = re.compile(r"\[\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*\]|【\s*(\d+)\s*】")

# The small model sometimes cites in prose, as the passages were labelled ("Passage 1: ...",
# "根据 Passage 1，..."); a leading label becomes a trailing marker, an inline one a marker in place.
_LEADING_LABEL = re.compile(
    r"^\s*(?:根据|according to)?\s*(?:passage|资料)\s*(\d+)\s*[:：,，]?\s*", re.IGNORECASE
)
_INLINE_LABEL = re.compile(r"(?:passage|资料)\s*(\d+)", re.IGNORECASE)


def bracket_citations(answer: str) -> str:
    """`answer` with prose references to passages rewritten as [n] markers."""
    leading = _LEADING_LABEL.match(answer)
    if leading and answer[leading.end() :].strip():
        answer = f"{answer[leading.end() :].rstrip()} [{leading.group(1)}]"
    return _INLINE_LABEL.sub(lambda m: f"[{m.group(1)}]", answer)


def cited_numbers(answer: str, *, passage_count: int) -> list[int]:
    """Passage numbers `answer` cites ([n], [n, m], 【n】, "Passage n"), in order, within 1..count."""
    found: list[int] = []
    for match in _CITATION_GROUP.finditer(bracket_citations(answer)):
        group = match.group(1) or match.group(2)
        for raw in re.split(r"[,，、]", group):
            number = int(raw)
            if 1 <= number <= passage_count and number not in found:
                found.append(number)
    return found


def support_share(answer: str, passages: Sequence[Passage], *, question: str = "") -> float:
    """Share of the answer's claims (numbers and content terms) that occur in `passages`.

    Two shares are measured and the smaller one counts: that of what the answer adds to the question
    (the year, the name asked for), and that of the question's own terms (its subject). The second
    rejects an answer taken from a passage about something else: a true number pinned on the wrong
    subject ("Professor Zhang was born in 2003" from a passage about a company founded in 2003), or
    a copied passage that never mentions what was asked.
    A refusal, or an answer with no claim beyond the question's own words, is supported by nothing;
    an answer that names an option or slot of the question in its words claims what it names
    (`slots.answer_claims`).
    """
    if is_refusal(answer) or not passages:
        return 0.0
    added = answer_claims(answer, question=question)
    if added.empty:
        return 0.0
    evidence = text_features(" ".join(p.text for p in passages))
    share = found_share(added, evidence)
    asked = text_features(question)
    return share if asked.empty else min(share, found_share(asked, evidence))


def attribute_passages(answer: str, passages: Sequence[Passage], *, question: str = "") -> list[int]:
    """Passage numbers (1-based) holding any of the answer's claims: for answers that forgot to cite."""
    claims = answer_claims(answer, question=question)
    if claims.empty or is_refusal(answer):
        return []
    return [
        n
        for n, passage in enumerate(passages, start=1)
        if found_share(claims, text_features(passage.text)) > 0
    ]


# Endings that make another form of the same English word: "open" is found in "opened", "store" in
# "stored", "build" in "building". Terms are compared as they are otherwise (crudely singular).
_WORD_ENDINGS = ("ed", "d", "ing", "er", "ers", "es")
_SHORTEST_STEM = 4  # "use" is not looked for in "user", nor "us" in "used"


def found_share(claims: Claims, evidence: Claims) -> float:
    """Share of `claims` found in `evidence`; 1.0 when there are no claims at all. An English term
    counts as found in another form of the same word (`_WORD_ENDINGS`), either way round."""
    total = len(claims.numbers) + len(claims.terms)
    if total == 0:
        return 1.0
    found = len(claims.numbers & evidence.numbers)
    found += sum(1 for term in claims.terms if _term_found(term, evidence.terms))
    return found / total


def _term_found(term: str, evidence: frozenset[str]) -> bool:
    if term in evidence:
        return True
    if not term.isascii() or len(term) < _SHORTEST_STEM:
        return False
    if any(term + ending in evidence for ending in _WORD_ENDINGS):
        return True
    return any(
        term.endswith(ending)
        and len(term) - len(ending) >= _SHORTEST_STEM
        and term[: -len(ending)] in evidence
        for ending in _WORD_ENDINGS
    )
