"""What kind of answer a question asks for, where that is plain from its words: a number.

"龙江派出所几点接到警情？" answered "龙江派出所接到警情，立即指令消防员赶赴现场。" restates the question and
states no time: it is no answer, however well its samples agree and its passage supports it. In the
committed records, 38 of 42 distinct answers to a how-many, how-much or what-year question that
named no number of their own were wrong, and the 4 right ones answered a planted message recorded
before S2A, whose question held the number itself (docs/results/answer-type.md).
"""

from __future__ import annotations

import re

from assistant.claims import extract_claims

_ASKS_NUMBER_EN = re.compile(
    r"\bhow\s+(?:many|much|long|old|far|tall|high|wide|deep|big|large)\b"
    r"|\bwhat\s+(?:year|percentage|percent|age)\b|\b(?:in|by|since)\s+(?:what|which)\s+year\b"
    r"|\bwhich\s+year\b",
    re.IGNORECASE,
)
# 几 is "how many" except in 几乎 ("almost") and 哪几 ("which ones"), which ask for things.
_ASKS_NUMBER_ZH = re.compile(r"多少|(?<!哪)几(?!乎)|多长时间|多久|哪一?年|多大|多高|多远|多重|多宽|多深")
# Quantities written as words that the claim check does not read as digits.
_QUANTITY_WORDS = re.compile(
    r"\b(?:half|quarter|third|dozens?|twice|double|triple|none|hundreds|thousands|millions)\b|一半|半|倍",
    re.IGNORECASE,
)


def asks_for_number(question: str) -> bool:
    """Whether the question asks how many, how much, how long, what year or the like."""
    return bool(_ASKS_NUMBER_EN.search(question) or _ASKS_NUMBER_ZH.search(question))


def lacks_asked_number(answer: str, *, question: str) -> bool:
    """True when the question asks for a number and the answer states none beyond the question's own."""
    if not asks_for_number(question):
        return False
    if extract_claims(answer, question=question).numbers:
        return False
    return not _QUANTITY_WORDS.search(answer)
