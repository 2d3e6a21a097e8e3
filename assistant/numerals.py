"""Numbers written the Chinese way, and full-width forms, rewritten as ASCII digits before comparison.

"二〇〇三年" and "2003年" state the same year, "百分之三十" and "30%" the same share, "１２" and "12"
the same number; the claim checks compare digits, so a passage and an answer that write a number
differently still agree. A lone numeral inside a word ("统一", "一些") is left alone: only runs of
two or more numerals, or one numeral (not 一) before a measure word ("三年", "五倍"), are numbers.
"""

from __future__ import annotations

import re
import unicodedata

_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
_NUMERAL = "〇零一二两三四五六七八九十百千万亿"
_MEASURES = "年月日号岁倍个位名家次届条项种件人元米天周只艘辆台张本吨起座层场部篇斤秒克"
# Measure words of two characters whose first character alone is no measure: "十分" is "very".
_MEASURE_WORDS = "小时|分钟|公里|公斤"
# One numeral alone is a number only before a measure word (perhaps after 多, "十多分钟": ten and
# more), and not "一" ("一个" is "a") nor after a word that makes it an ordinal or a question
# ("哪一年", "第三届").
_RUN = re.compile(
    rf"百分之([{_NUMERAL}]+)|([{_NUMERAL}]{{2,}})"
    rf"|(?<![哪第每这那几某同])([二两三四五六七八九十])(?=多?(?:[{_MEASURES}]|{_MEASURE_WORDS}))"
)


def normalise_numbers(text: str) -> str:
    """`text` with full-width forms folded (NFKC) and Chinese numerals rewritten as digits."""
    return _RUN.sub(_replace, unicodedata.normalize("NFKC", text))


def chinese_number(numerals: str) -> int | None:
    """The value of a run of Chinese numerals, or None when it is not a well-formed number."""
    if all(ch in _DIGITS for ch in numerals):
        if len(numerals) == 1:
            return _DIGITS[numerals]
        return int("".join(str(_DIGITS[ch]) for ch in numerals))  # 二〇〇三 is read digit by digit
    return _with_units(numerals)


def _replace(match: re.Match[str]) -> str:
    percent, run, single = match.groups()
    value = chinese_number(percent or run or single)
    if value is None:
        return match.group(0)
    return f"{value}%" if percent else str(value)


def _with_units(numerals: str) -> int | None:
    total = section = digit = 0
    seen_digit = False
    for ch in numerals:
        if ch in _DIGITS:
            digit, seen_digit = _DIGITS[ch], True
        elif ch in _UNITS:
            section += (digit if seen_digit else 1) * _UNITS[ch]
            digit, seen_digit = 0, False
        elif ch in _BIG_UNITS:
            total += (section + digit) * _BIG_UNITS[ch]
            section = digit = 0
            seen_digit = False
        else:
            return None
    return total + section + digit
