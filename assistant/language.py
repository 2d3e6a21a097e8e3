"""Which language a text is written in (English or Chinese), so answers follow the question's language."""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["en", "zh"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
# A Chinese question often quotes a Latin name ("Python是什么？"); a few Han characters already
# make it Chinese, because each carries about as much as a whole English word.
_CJK_SHARE_FOR_CHINESE = 0.2


def detect_language(text: str) -> Language:
    """'zh' when Han characters make up a fair share of the letters, else 'en'."""
    han = len(_CJK.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    if han == 0:
        return "en"
    return "zh" if han / (han + latin) >= _CJK_SHARE_FOR_CHINESE else "en"


def has_han(text: str) -> bool:
    return _CJK.search(text) is not None
