"""The raw confidence signals of each stage, measured on the answer, its samples and its passages.

Signals are plain name -> float maps, so records keep them as JSON and calibration can replay them.
A signal a backend cannot measure (token log-probabilities) is simply absent; the combiner then uses
the value it was fitted around.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answer_type import lacks_asked_number
from assistant.claims import Claims, extract_claims, text_features, topic_features
from assistant.headings import echoes_heading
from assistant.language import detect_language
from assistant.protocols import Completion, Passage
from assistant.refusal import is_refusal
from assistant.slots import answer_claims
from assistant.support import found_share

# "Yes" and "no" carry no content word, yet they answer a yes/no question.
_POLAR = re.compile(r"^\W*(?:(?:yes|no)\b|是|不是|对|不对|有|没有|会|不会)", re.IGNORECASE)


def closed_signals(
    question: str, answer: Completion, *, agreement: float, samples: int, refused: bool
) -> dict[str, float]:
    """What the closed-book answer tells about itself: agreement of its samples, token certainty."""
    signals = {
        "refused": float(refused),
        "agreement": agreement,
        "samples": float(samples),
        "adds_claim": float(adds_claim(answer.text, question=question)),
        "zh": float(detect_language(question) == "zh"),
        "question_chars": float(min(len(question), 400)),
    }
    return signals | text_signals(question, answer.text) | logprob_signals(answer)


def grounded_signals(
    question: str,
    answer: Completion,
    *,
    text: str,
    passages: Sequence[Passage],
    cited: Sequence[Passage],
    agreement: float,
    samples: int,
) -> dict[str, float]:
    """What the grounded answer tells: support in the cited passages, agreement, retrieval evidence.

    `text`: the answer with its citation markers; `cited`: the passages it cites (or holds claims of).
    """
    refused = is_refusal(text)
    # Only the grounded stage counts an answer named in the question's own words ("Zinnia" for "A or
    # B?"): 6 of 8 such grounded answers were right in the records, 6 of 22 closed-book ones, mostly
    # a piece of the question echoed (docs/results/slot-fillers.md).
    claims = answer_claims(text, question=question)
    names_slot = not claims.empty and extract_claims(text, question=question).empty
    cited_text = " ".join(p.text for p in cited)
    evidence = text_features(cited_text)
    # Whether the passages are about what is asked: Chinese compared by character pairs (topic_features).
    asked = topic_features(question)
    signals = {
        "refused": float(refused),
        "agreement": agreement,
        "samples": float(samples),
        "adds_claim": float(names_slot or adds_claim(text, question=question)),
        "support_added": found_share(claims, evidence),
        "support_asked": found_share(asked, topic_features(cited_text, features=evidence)),
        "cited": float(bool(cited)),
        "best_score": max((p.score for p in passages), default=0.0),
        "cited_score": max((p.score for p in cited), default=0.0),
        "question_in_top": (found_share(asked, topic_features(passages[0].text)) if passages else 0.0),
        "cross_language": float(_crosses_language(question, cited)),
        "echoes_heading": float(echoes_heading(text, passages=(p.text for p in passages), question=question)),
        "zh": float(detect_language(question) == "zh"),
    }
    if signals["cross_language"]:
        _unmeasured_across_languages(signals, claims, evidence)
    return signals | text_signals(question, text) | logprob_signals(answer)


def text_signals(question: str, answer: str) -> dict[str, float]:
    """Signals read from the question and answer texts alone, so older records can be given them."""
    return {"number_missing": float(lacks_asked_number(answer, question=question))}


def _unmeasured_across_languages(signals: dict[str, float], added: Claims, evidence: Claims) -> None:
    """An English answer from a Chinese passage (or the reverse) shares no word with it, so the word
    overlaps measure nothing there: they are left out (the confidence reads their fitted mean), and
    only numbers, which read the same in both languages, are checked."""
    del signals["support_asked"], signals["question_in_top"]
    numbers = Claims(numbers=added.numbers, terms=frozenset())
    if numbers.empty:
        del signals["support_added"]
    else:
        signals["support_added"] = found_share(numbers, evidence)


def logprob_signals(answer: Completion) -> dict[str, float]:
    """Mean and minimum token log-probability of the greedy answer, when the backend reported them."""
    values = answer.logprobs
    if not values:
        return {}
    return {"logprob_mean": sum(values) / len(values), "logprob_min": max(min(values), -30.0)}


def adds_claim(answer: str, *, question: str) -> bool:
    """Whether the answer asserts anything the question does not already say (a yes or no counts).

    An answer that only restates the question ("The X class sends JSON as events.") is no answer, nor
    one that adds only a verb to it ("Redis clusters use a diskcache class that stores data in Redis
    clusters." asked which diskcache class stores data in Redis clusters).
    """
    if is_refusal(answer):
        return False
    claims = extract_claims(answer, question=question)
    return bool(claims.numbers or claims.terms - _LIGHT_VERBS) or _POLAR.match(answer) is not None


# Verbs that link the question's own words without naming anything new (singular forms, as the
# claims hold them: "uses" -> "use").
_LIGHT_VERB_TEXT = (
    "use used using provide provided providing include included including contain contained containing "
    "allow allowed allowing make made making let get got give gave given take took taken work "
    "help helped offer offered support supported enable enabled handle handled return returned"
)
_LIGHT_VERBS = frozenset(_LIGHT_VERB_TEXT.split())


def _crosses_language(question: str, cited: Sequence[Passage]) -> bool:
    """An English question over a Chinese passage, or the reverse: lexical support cannot see it."""
    asked = detect_language(question)
    return any(detect_language(p.text[:400]) != asked for p in cited)
