"""Refusal detection: does a text decline to answer ("I don't know", "我不知道") instead of answering?"""

from __future__ import annotations

import re

# Phrases of a model that declines, in English. Matched on lowercased text with curly apostrophes
# straightened. Kept specific ("i'm not sure" rather than "not sure") so that answers which merely
# mention doubt or absence ("no one knows who built it") are not taken for refusals.
_ENGLISH_PATTERNS = (
    r"\bi (?:do not|don't|dont) (?:know|have (?:any |enough |specific |access |real-time )?"
    r"(?:information|data|details|knowledge|access|record))",
    r"\bi(?: am|'m) not (?:sure|aware|certain|familiar|able)",
    r"\bi(?: could not| couldn't| can ?not| can't| was unable to| am unable to|'m unable to) "
    r"(?:find|locate|provide|answer|determine|say|confirm|verify|identify|help)",
    r"\b(?:unable|not able) to (?:find|locate|provide|answer|determine|confirm|verify|identify)",
    r"\bno (?:specific |reliable |available |publicly available |known |relevant )?"
    r"(?:information|data|details|record|records|mention) (?:about|on|of|regarding|is|was|available|in)",
    r"\bthere (?:is|are) no (?:known |widely known |publicly available |specific |reliable |relevant )?"
    r"(?:information|record|records|data|details|mention|person|individual)",
    r"\b(?:is|are) not (?:mentioned|provided|given|stated|specified|found) in the (?:passage|context|text)",
    r"\bthe (?:passages?|context|text|documents?) (?:do|does) not "
    r"(?:mention|contain|provide|say|state|specify)",
    r"\bi'?m sorry,? but\b",
    r"\bi am sorry,? but\b",
    r"\bas an ai\b",
    r"\bnot (?:a )?(?:widely )?(?:known|recognized|recognised) (?:figure|person|individual|public figure)\b",
)
_ENGLISH = re.compile("|".join(f"(?:{p})" for p in _ENGLISH_PATTERNS))
# The whole answer is just "unknown" / "not known": a refusal in one word.
_ENGLISH_BARE = re.compile(r"^(?:unknown|not known|no idea|n/?a|none)[.!]?$")

_CHINESE_PATTERNS = (
    r"不知道",
    r"不清楚",
    r"不确定",
    r"没有(?:找到|查到|相关|关于|有关|这方面|具体|足够|任何|确切)",
    r"(?:未|没)(?:能)?(?:找到|查到|提及|提到|提供|说明)",
    r"无法(?:回答|确定|提供|找到|查到|得知|判断|获取|确认)",
    r"(?:很|非常)?抱歉",
    r"对不起",
    r"不了解",
    r"(?:资料|文中|文章|段落|上下文)(?:中)?(?:没有|并未|未)",
)
_CHINESE = re.compile("|".join(_CHINESE_PATTERNS))


def is_refusal(text: str) -> bool:
    """True when `text` declines to answer (English or Chinese), or says nothing at all."""
    normalized = " ".join(text.lower().replace("\u2019", "'").replace("\u2018", "'").split())
    if not normalized.strip(" .!?。！？"):
        return True
    if _ENGLISH_BARE.match(normalized) or _ENGLISH.search(normalized):
        return True
    return _CHINESE.search(text) is not None
