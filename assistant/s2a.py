"""System 2 Attention: the user's message as (context worth keeping, the question), without opinions.

Small models agree with the user: told "I think the answer is X", all their samples repeat X, and the
agreement gate reads a planted answer as confidence. So before anything is generated the message is
split into sentences, and those that voice an opinion or a suggested answer ("I think", "my teacher
said", "我觉得", "听说"), flatter, or have nothing to do with the question are set aside (Weston and
Sukhbaatar 2023 regenerate the input with the model; `rewrite_with_model` does that too, for `on`).
A result that loses the question falls back to the original message, never to an empty prompt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.claims import text_features
from assistant.protocols import ChatMessage, Generator

S2AMode = Literal["auto", "on", "off"]
Method = Literal["none", "rules", "model"]

_WH = r"(?:who|whom|whose|what|which|when|where|why|how|in|on|is|are|was|were|do|does|did)\b"
# A sentence ends at 。！？；, at ? or !, or at a full stop after a word of two or more letters or a
# digit and before a capital or a question word ("J. Walter", "U.S. President", "Mr . Ratti" do not).
_SENTENCE_END = re.compile(
    r"(?<=[。！？；])\s*|(?<=[?!])\s+|(?:(?<=[A-Za-z]{2}[.])|(?<=[0-9][.]))\s+(?=[A-Z\"“(]|" + _WH + r")"
)
_LOWERCASE_AFTER_STOP = re.compile(r"(?<=[A-Za-z]{2})[.]\s+(?=[a-z])")
_ABBREVIATION = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|Inc|Ltd|Co|No|Mt|Ft)[.]$")
_CLAUSE_BREAK = re.compile(r"[,，]\s*(?:but|yet|但是?|可是|不过)\s*", re.IGNORECASE)
_OPINION = re.compile(
    r"\b(?:i (?:think|believe|guess|suppose|suspect|feel|reckon|remember|recall|heard|read|doubt|bet|assume)"
    r"|i(?:'m| am) (?:(?:pretty|quite|fairly|really|almost|not|100%|very) )*"
    r"(?:sure|certain|convinced|positive|confident|guessing)"
    r"|i (?:don't|do not) (?:think|believe)|i have a feeling|in my (?:opinion|view)|personally"
    r"|my (?:teacher|friend|professor|dad|father|mom|mother|boss|colleague|book|textbook)\b.*\b"
    r"(?:said|says|told|thinks|claims|believes)"
    r"|my (?:guess|bet|hunch|instinct|gut|answer)\b|i(?:'d| would) (?:say|guess|go with)"
    r"|i(?:'ve| have)? (?:been told|was told|heard)|if i (?:remember|recall) (?:correctly|right)"
    r"|as far as i know|iirc|afaik|surely|obviously it"
    r"|(?:someone|somebody|everyone|everybody|people|they|wikipedia|google|the internet|a website|an article)"
    r" (?:told|said|says|say|claims?)"
    r"|everyone knows|it's probably|it is probably|^\s*hint\b"
    r"|the answer (?:is|might be|could be|should be|must be)|maybe it(?:'s| is)|perhaps it(?:'s| is)"
    r"|i'm not sure|i am not sure)"
    # a tag question asks only to confirm what the sentence already says ("It's Sydney, isn't it?")
    r"|[,，]\s*(?:right|correct|isn't it|wasn't it|no|yes|yeah)\s*[?？]\s*$|"
    r"我觉得|我认为|我记得|我猜|我想是|我相信|我听说|听说|据说|我不太确定|不太确定|我不确定|我也不确定|"
    r"老师说|朋友说|我不认为|我怀疑|好像是|应该是|答案是|答案应该|可能是|"
    r"我估计|我印象中|印象里|告诉我是|我很确定|我确定|肯定是|一定是|大概是|也许是|或许是|"
    r"提示[:：]|[，,]\s*(?:对吧|对吗|是吧|是吗|没错吧|没错吗)[？?]\s*$",
    re.IGNORECASE,
)
# A follow-up that only proposes a candidate answer ("Is it Sydney?", "是悉尼吗？") asks nothing the
# question does not: with another question beside it, it is set aside like an opinion.
_CANDIDATE_CHECK = re.compile(
    r"^\s*(?i:is|was|could|would|might|isn't|wasn't)\s+it\s+(?:be\s+)?(?:[A-Z0-9]|the\s+[A-Z])"
    r"|^\s*(?i:maybe|perhaps|or)\s+(?:[A-Z0-9]|it\b)"
    # Chinese "是X吗？" asks about a property as often as it proposes one ("是上市公司吗？"): only a
    # leading 难道/莫非, a suggesting 吧, or a number proposes an answer
    r"|^\s*(?:难道|莫非|该不会|会不会)(?:不)?是[^？?谁哪几多少何]{1,30}[？?]\s*$"
    r"|^\s*(?:不)?是[^？?谁哪几多少何]{1,30}吧[？?]\s*$"
    r"|^\s*(?:不)?是[^？?谁哪几多少何]{0,10}[0-9０-９][^？?谁哪几多少何]{0,10}(?:吗|么)[？?]\s*$"
)
_FLATTERY = re.compile(
    r"\byou(?:'re| are) (?:the |so |really |such an? )*"
    r"(?:smartest|smart|best|brilliant|amazing|great|clever|genius)"
    r"|\byou (?:always|surely|must|definitely) know|\bi trust you"
    r"|你(?:是|最|真|这么|那么)(?:最|是)?(?:聪明|厉害|棒|博学)|你(?:一定|肯定)知道|相信你",
    re.IGNORECASE,
)
_QUESTION_WORD = re.compile(
    r"^\s*(?:who|whom|whose|what|which|when|where|why|how|is|are|was|were|do|does|did|can|could|"
    r"name|tell me|in what|in which|on what)\b|[谁什么哪几多少吗呢何怎]",
    re.IGNORECASE,
)
_POINTER = re.compile(r"\b(?:it|he|she|they|this|that|these|those|his|her|its|their)\b|[他她它其]")
_NAME_OR_NUMBER = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+|\d")
SHORT_QUESTION_TERMS = 2  # "When was it founded?": a question this short leans on what came before
MIN_SHARED_WORD_CHARS = 4
# Words of four letters or more that chatter shares with questions without sharing a topic
# ("repainted his fence last weekend" / "now the last of its kind").
_TOPICLESS_TEXT = "last first next week weekend year years month today time times ever never also very just"
_TOPICLESS_WORDS = frozenset(_TOPICLESS_TEXT.split())
# A lowercase question after a full sentence ("... opens at seven. first winner of ...?"): the prefix
# must be this many words to be split off as a sentence of its own.
MIN_LEADING_SENTENCE_WORDS = 4
MIN_KEPT_TERM_SHARE = 0.5  # a model rewrite must keep this share of the question's own terms

REWRITE_SYSTEM = (
    "Rewrite the user's message as the question alone. Leave out the user's opinion, any answer the "
    "user suggests, praise, and anything the question does not need. Reply with the question only, "
    "in the language of the message."
)


@dataclass(frozen=True)
class Understood:
    """The message as it will be answered, and what was set aside."""

    question: str  # what the flow answers: kept context, then the question itself
    set_aside: tuple[str, ...]
    method: Method

    @property
    def changed(self) -> bool:
        return bool(self.set_aside) or self.method == "model"


def understand(message: str, *, mode: S2AMode, generator: Generator | None = None) -> Understood:
    """The question to answer: `off` keeps the message; `auto` sets opinion sentences aside by rule;
    `on` also lets the model rewrite a message that is more than a bare question."""
    if mode == "off":
        return Understood(message, (), "none")
    by_rules = split_by_rules(message)
    if mode == "on" and generator is not None and len(_sentences(message)) > 1:
        return rewrite_with_model(message, generator=generator, fallback=by_rules)
    return by_rules


def split_by_rules(message: str) -> Understood:
    """Opinion, flattery and unrelated sentences set aside; the original when no question is left."""
    pieces = [p for sentence in _sentences(message) for p in _clauses(sentence)]
    questions = [p for p in pieces if _is_question(p)]
    if not questions:
        return Understood(message, (), "none")
    questions = [p for p in questions if not _CANDIDATE_CHECK.search(p)] or questions
    asked = " ".join(questions)
    kept, aside = [], []
    for piece in pieces:
        if piece in questions:
            kept.append(piece)
        elif _sets_aside(piece) or not _context_for(piece, asked):
            aside.append(piece)
        else:
            kept.append(piece)
    if not aside:
        return Understood(message, (), "none")
    return Understood(" ".join(kept), tuple(aside), "rules")


def rewrite_with_model(message: str, *, generator: Generator, fallback: Understood) -> Understood:
    """The paper's way: one model call regenerates the question without the user's bias. A rewrite that
    is empty or drops the question's own terms gives way to `fallback`."""
    reply = generator.generate(
        [ChatMessage("system", REWRITE_SYSTEM), ChatMessage("user", message.strip())], max_new_tokens=64
    ).greedy.text.strip()
    if not reply or not _keeps_the_question(reply, fallback.question):
        return fallback
    aside = fallback.set_aside or (message,)
    return Understood(reply, aside, "model")


def _keeps_the_question(rewrite: str, question: str) -> bool:
    asked = text_features(question).terms
    if not asked:
        return bool(rewrite)
    return len(text_features(rewrite).terms & asked) / len(asked) >= MIN_KEPT_TERM_SHARE


def _context_for(piece: str, question: str) -> bool:
    """Whether a sentence that is neither question nor opinion may be context the question needs: it
    shares a term with it, names something (a capitalised name, a number), or the question is short
    and points back ("When was it founded?"). Only chatter about nothing in the question goes."""
    own, asked = text_features(piece), text_features(question)
    if own.numbers & asked.numbers or _shared_words(piece, question):
        return True
    short = len(asked.terms) <= SHORT_QUESTION_TERMS and _POINTER.search(question) is not None
    return short or _NAME_OR_NUMBER.search(piece) is not None


def _shared_words(piece: str, question: str) -> bool:
    """A shared content word of four letters or more ("now" and "few" say nothing about the topic, nor
    do "last" or "year"), or for Chinese a shared pair of characters (one alone says little)."""
    own = {
        t
        for t in text_features(piece).terms
        if t.isascii() and len(t) >= MIN_SHARED_WORD_CHARS and t not in _TOPICLESS_WORDS
    }
    latin = own & text_features(question).terms
    return bool(latin) or bool(_han_pairs(piece) & _han_pairs(question))


def _han_pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1) if _is_han(text[i]) and _is_han(text[i + 1])}


def _is_han(character: str) -> bool:
    return "\u4e00" <= character <= "\u9fff"


def _sentences(message: str) -> list[str]:
    pieces = [p.strip() for p in _SENTENCE_END.split(message.replace("\n", " ")) if p.strip()]
    pieces = [part for piece in pieces for part in _split_lowercase_question(piece)]
    merged: list[str] = []
    for piece in pieces:
        if merged and _ABBREVIATION.search(merged[-1]):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


def _split_lowercase_question(piece: str) -> list[str]:
    """A question written in lower case after a sentence of its own is two pieces; anything else stays."""
    if not piece.rstrip().endswith(("?", "？")):
        return [piece]
    found = list(_LOWERCASE_AFTER_STOP.finditer(piece))
    if not found:
        return [piece]
    cut = found[-1].start()
    head, tail = piece[: cut + 1].strip(), piece[cut + 1 :].strip()
    return [head, tail] if len(head.split()) >= MIN_LEADING_SENTENCE_WORDS else [piece]


def _clauses(sentence: str) -> list[str]:
    """An opinion and a question joined by "but" ("I think it's X, but who ...?") are two pieces."""
    parts = [p.strip(" ,，") for p in _CLAUSE_BREAK.split(sentence) if p.strip(" ,，")]
    opinion = any(_voices_opinion(p) for p in parts)
    return parts if len(parts) > 1 and opinion and any(_is_question(p) for p in parts) else [sentence]


def _voices_opinion(piece: str) -> bool:
    return _OPINION.search(piece) is not None or _FLATTERY.search(piece) is not None


def _sets_aside(piece: str) -> bool:
    return _voices_opinion(piece) or _CANDIDATE_CHECK.search(piece) is not None


def _is_question(piece: str) -> bool:
    if _voices_opinion(piece):
        return False
    return piece.rstrip().endswith(("?", "？")) or _QUESTION_WORD.search(piece) is not None
