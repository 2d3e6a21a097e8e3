"""Answer normalisation and gold-answer containment, for English and Chinese (full-width forms included)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from assistant.language import has_han

_ARTICLES = re.compile(r"\b(?:a|an|the)\b")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")  # "1,760" is 1760, as an answer writes it
# Spaces between two Han characters carry no meaning ("北 京" is "北京"); tokenised corpora insert them.
_SPACE_BETWEEN_HAN = re.compile(r"(?<=[\u3400-\u9fff\uf900-\ufaff])\s+(?=[\u3400-\u9fff\uf900-\ufaff])")


def normalise_answer(text: str) -> str:
    """Fold width and case, drop punctuation, symbols and English articles, collapse spaces.

    NFKC turns full-width forms into their ASCII twins ("１９４９年" -> "1949年", "ＵＳＡ" -> "USA"),
    and the ideographic space into a plain one, so a Chinese answer matches a half-width gold answer.
    """
    folded = _THOUSANDS.sub("", unicodedata.normalize("NFKC", text).casefold())
    kept = "".join(" " if _is_punctuation_or_symbol(ch) else ch for ch in folded)
    words = " ".join(_ARTICLES.sub(" ", kept).split())
    return _SPACE_BETWEEN_HAN.sub("", words)


def contains_answer(answer: str, golds: Iterable[str]) -> bool:
    """Whether any non-empty gold answer occurs in `answer` after normalisation.

    Latin golds must match on word boundaries ("1949" is not found in "19490"); a gold with Han
    characters matches anywhere, since Chinese has no spaces between words.
    """
    text = normalise_answer(answer)
    for gold in golds:
        target = normalise_answer(gold)
        if target and _occurs(target, text):
            return True
    return False


def _occurs(target: str, text: str) -> bool:
    if has_han(target):
        return target.replace(" ", "") in text.replace(" ", "")
    # Boundaries are Latin letters and digits only: "答案是1949年" must still contain "1949".
    return re.search(rf"(?<![a-z0-9]){re.escape(target)}(?![a-z0-9])", text) is not None


def _is_punctuation_or_symbol(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"
