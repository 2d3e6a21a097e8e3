"""What an answer names for the thing asked when it names it with the question's own words.

"Between Leitneria and Zinnia, which genus is more widely spread?" is answered by "Zinnia", and
"温度计测量什么？" by "温度计测量温度。": every term of these answers is in the question, so a claim check
that subtracts the question's terms (`claims.extract_claims`) sees nothing asserted. The answer is the
option it picks, or for Chinese the characters an in-order alignment with the question leaves over.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from assistant.claims import Claims, extract_claims, han_characters, text_features
from assistant.refusal import is_refusal

_PART = r"[^,，:：;；?？]+?"
_OPTIONS = (
    re.compile(
        rf"(?:^|[,:;]\s*)(?:(?:is|was|are|were|did|does|do)\s+)?({_PART})\s+or\s+({_PART})\s*\?\s*$", re.I
    ),
    re.compile(rf"\bbetween\s+({_PART})\s+and\s+({_PART})\s*[,?]", re.I),
    re.compile(rf"(?:^|[,，:：;；])?({_PART})还是({_PART})[?？]\s*$"),
)
# "A or B" in the answer itself: it repeats the choice instead of making it.
_DISJUNCTION = re.compile(r"\bor\b|还是|或者", re.I)
# A single shared character is chance; two in a row are the question's words restated.
_SHORTEST_RESTATED = 2


def answer_claims(answer: str, *, question: str) -> Claims:
    """What a grounded answer asserts: its claims beyond the question, else the claims of the
    question's own words that it names for what is asked (`slot_filler`)."""
    claims = extract_claims(answer, question=question)
    if not claims.empty or is_refusal(answer):
        return claims
    filler = slot_filler(answer, question=question)
    return text_features(filler) if filler else claims


def slot_filler(answer: str, *, question: str) -> str:
    """The words of `answer` that name what `question` asks, when they are the question's own
    words: the option picked, or the Chinese left over from the question restated. "" when none."""
    return picked_option(answer, question=question) or han_left_over(answer, question=question)


def picked_option(answer: str, *, question: str) -> str:
    """The option of "A or B?" (also "between A and B", "A还是B？") that `answer` names; the first
    one named when it names both, "" when it names neither or repeats the choice."""
    options = _options(question)
    if options is None or _DISJUNCTION.search(answer):
        return ""
    first, second = (_features(option) for option in options)
    named = _features(answer)
    distinct = ((options[0], first - second), (options[1], second - first))
    if not all(own for _, own in distinct):
        return ""
    hits = [(option, own & named) for option, own in distinct if own & named]
    return min(hits, key=lambda hit: _first_position(answer, hit[1]))[0] if hits else ""


def han_left_over(answer: str, *, question: str) -> str:
    """The text of `answer` outside the runs it shares, in order, with `question`; "" unless that
    text holds a content Han character."""
    if not han_characters(answer):
        return ""
    blocks = SequenceMatcher(None, question, answer, autojunk=False).get_matching_blocks()
    left_over: list[str] = []
    position = 0
    for block in blocks:
        if block.size >= _SHORTEST_RESTATED:
            left_over.append(answer[position : block.b])
            position = block.b + block.size
    left_over.append(answer[position:])
    text = "".join(left_over)
    return text if han_characters(text) else ""


def _options(question: str) -> tuple[str, str] | None:
    for pattern in _OPTIONS:
        found = pattern.search(question.strip())
        if found:
            return found.group(1).strip(), found.group(2).strip()
    return None


def _features(text: str) -> frozenset[str]:
    features = text_features(text)
    return features.terms | features.numbers


def _first_position(text: str, terms: frozenset[str]) -> int:
    lowered = text.lower()
    return min((lowered.find(term) for term in terms if term in lowered), default=len(text))
