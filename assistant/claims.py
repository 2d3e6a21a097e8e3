"""Core claims of a short answer: its numbers, dates and content words, minus what the question says."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.numerals import normalise_numbers

_CITATION = re.compile(r"\[\s*\d+(?:\s*[,，、]\s*\d+)*\s*\]|【\s*\d+\s*】")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
# Code: a `quoted` span, a call "where()", a dotted name "certifi.where". Its names are content even
# where they are English grammar ("where", "get"): "`certifi.where()`" answers which function.
_CODE = re.compile(
    r"`([^`\n]{1,80})`|\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*\(\)|\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+"
)
_CODE_NAME = re.compile(r"[A-Za-z_]\w+")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# "100°C" and "100 degrees Celsius" state one temperature; spelled out, the symbol's lone "C" is
# not read as a symbol of its own (see `text_features`), so the two agree.
_TEMPERATURE_UNITS = (
    (re.compile(r"(?:[°º]\s*C|℃)(?![A-Za-z])"), " degrees Celsius"),
    (re.compile(r"(?:[°º]\s*F|℉)(?![A-Za-z])"), " degrees Fahrenheit"),
)

_MONTHS = {
    name: f"month-{n}"
    for n, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_NUMBER_WORD_TEXT = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)
_NUMBER_WORDS = {word: str(n) for n, word in enumerate(_NUMBER_WORD_TEXT.split())}
# Words that carry no claim of their own: grammar, and the filler a model wraps an answer in
# ("X is a well-known ..."). Without the filler, two invented biographies would agree on "known".
_STOPWORD_TEXT = """
    a an the and or but of in on at to for from by with as into onto about over under than then
    is are was were be been being am do does did done has have had having will would shall should
    can could may might must it its it's this that these those there here he she they them his her
    their hers him we us our you your i me my who whom whose what which when where why how
    not no yes also very so such just only more most much many some any each other another one's
    known well famous renowned notable best called named name widely generally often usually around
    year date time
    approximately about roughly located situated considered regarded according answer question
    s t following based
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Han characters that are grammar or question words rather than content, and date units (the
# digits carry the date).
_HAN_FUNCTION = frozenset("的是了和与及也都就而被把这那其之于为吗呢吧啊个位该在有从由到对年月日号哪谁什么一")
# Pairs of characters break only at grammar: 都 (all), 位 and 一 stay, as in 首都, 单位 and 统一.
_HAN_PAIR_BREAKS = _HAN_FUNCTION - frozenset("都位一")


@dataclass(frozen=True)
class Claims:
    """What an answer asserts, normalised so that two phrasings of one fact compare equal."""

    numbers: frozenset[str]  # digits without separators, number words as digits, months as month-N
    terms: frozenset[str]  # lowercased content words (crudely singular) and content Han characters

    @property
    def empty(self) -> bool:
        return not self.numbers and not self.terms


def extract_claims(text: str, *, question: str = "") -> Claims:
    """The claims of `text` that the question itself does not already state."""
    own = text_features(text)
    if not question:
        return own
    asked = text_features(question)
    return Claims(numbers=own.numbers - asked.numbers, terms=own.terms - asked.terms)


def without_citations(text: str) -> str:
    """`text` with its [n] and 【n】 citation markers blanked out."""
    return _CITATION.sub(" ", text)


def text_features(text: str) -> Claims:
    """Every number and content term of `text`, with citation markers removed."""
    clean = normalise_numbers(_spelled_units(without_citations(text)))
    words = [w.lower().removesuffix("'s").strip("'") for w in _WORD.findall(clean)]
    numbers = {_normalize_number(n) for n in _NUMBER.findall(clean)}
    numbers |= {_NUMBER_WORDS[w] for w in words if w in _NUMBER_WORDS}
    numbers |= {_MONTHS[w] for w in words if w in _MONTHS and w != "may"}
    terms = {_singular(w) for w in words if _is_content_word(w)}
    terms |= {
        _singular(name.lower())
        for code in _CODE.finditer(clean)
        for name in _CODE_NAME.findall(code.group(0))
    }
    # A lone capital is a symbol or a grade ("Vitamin C", "the symbol G"), not an article.
    terms |= {w.lower() for w in _WORD.findall(clean) if len(w) == 1 and w.isupper() and w not in "AI"}
    terms |= han_characters(clean)
    return Claims(numbers=frozenset(n for n in numbers if n), terms=frozenset(terms))


def han_characters(text: str) -> set[str]:
    """The content Han characters of `text`: Chinese compared character by character, as in ROUGE.

    Characters rather than words or bigrams, because a short answer often differs from the question
    by a single character: "唐代" and "唐朝" answer "哪个朝代" with the same 唐 once the question's 朝/代 go.
    """
    return {ch for run in _HAN_RUN.findall(text) for ch in run if ch not in _HAN_FUNCTION}


def topic_features(text: str, *, features: Claims | None = None) -> Claims:
    """`text_features` with Chinese as pairs of neighbouring content characters: what a passage must
    share with a question to be about the same thing. Single characters cannot tell that: a report
    on Hohhot (首府, 都市) holds 首 and 都 without the word 首都. `features`: `text_features(text)`,
    when the caller has it already."""
    features = features if features is not None else text_features(text)
    latin = {term for term in features.terms if not _HAN_RUN.fullmatch(term)}
    return Claims(numbers=features.numbers, terms=frozenset(latin | han_pairs(text)))


def han_pairs(text: str) -> set[str]:
    """Neighbouring pairs of content Han characters in `text`; a lone content character counts alone."""
    pairs: set[str] = set()
    for run in _HAN_RUN.findall(normalise_numbers(_CITATION.sub(" ", text))):
        content = [ch not in _HAN_PAIR_BREAKS for ch in run]
        if len(run) == 1 and content[0]:
            pairs.add(run)
        pairs |= {run[i : i + 2] for i in range(len(run) - 1) if content[i] and content[i + 1]}
    return pairs


def _spelled_units(text: str) -> str:
    for symbol, words in _TEMPERATURE_UNITS:
        text = symbol.sub(words, text)
    return text


def _normalize_number(raw: str) -> str:
    digits = raw.replace(",", "").rstrip(".")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return digits.lstrip("0") or ("0" if digits else "")


def _is_content_word(word: str) -> bool:
    return len(word) > 1 and word not in _STOPWORDS and word not in _NUMBER_WORDS and word not in _MONTHS


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
