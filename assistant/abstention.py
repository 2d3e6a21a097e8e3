"""The honest abstention: "I don't know about X", in the question's language, naming its subject."""

from __future__ import annotations

import re

from assistant.language import detect_language

SUBJECT_CHARS_EN = 60
SUBJECT_CHARS_ZH = 24

_QUOTED = re.compile(r"《[^》]+》|“[^”]+”|\"[^\"]+\"")
# A run of capitalised words, allowing the small linking words inside names ("Pride and Prejudice").
_NAME = re.compile(r"[A-Z][\w'’.-]*(?:\s+(?:(?:of|and|the|de|da|van|von|del|der|la|le)\s+)*[A-Z][\w'’.-]*)*")
_WH_WORD_TEXT = (
    "who what when where which why how whom whose is are was were do does did can could in on at "
    "the a an tell please name give"
)
_WH_WORDS = frozenset(_WH_WORD_TEXT.split())
# From the first question word to the end: "李白是哪个朝代的诗人？" -> "李白".
_ZH_QUESTION_TAIL = re.compile(
    r"(?:出生于|出生在|成立于|位于|创办了|发明了)?(?:是|有)?"
    r"(?:谁|什么|哪|多少|多[长高大远重久]|何|怎么|为什么|几)\S*$|[吗呢]?[？?。！!\s]+$"
)


def abstention_text(question: str) -> str:
    """'I don't know about “X”.' or '我不知道和“X”相关的信息。' with X the question's subject."""
    subject = question_subject(question)
    if detect_language(question) == "zh":
        return f"我不知道和“{subject}”相关的信息。"
    return f"I don't know about “{subject}”."


def question_subject(question: str) -> str:
    """The thing asked about: a quoted title, a capitalised name, or else the question shortened."""
    text = " ".join(question.split())
    quoted = _QUOTED.search(text)
    if quoted:
        return quoted.group(0).strip('《》“”"')
    if detect_language(text) == "zh":
        return _shorten(_ZH_QUESTION_TAIL.sub("", text) or text.rstrip("？?。！! "), SUBJECT_CHARS_ZH)
    for match in _NAME.finditer(text):
        words = match.group(0).split()
        while words and words[0].lower() in _WH_WORDS:
            words = words[1:]
        if words:
            name = " ".join(words).removesuffix("'s").removesuffix("’s")
            return _shorten(name.rstrip(".'’"), SUBJECT_CHARS_EN)
    return _shorten(text.rstrip("?？.!。 "), SUBJECT_CHARS_EN)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
