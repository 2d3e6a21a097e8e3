"""Chinese numerals and full-width digits become ASCII digits before claims are compared."""

from __future__ import annotations

import pytest

from assistant.claims import text_features
from assistant.fakes import StaticPassage
from assistant.numerals import chinese_number, normalise_numbers
from assistant.support import support_share


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("青岚茶业于二〇〇三年成立", "青岚茶业于2003年成立"),
        ("百分之三十的股份", "30%的股份"),
        ("他三十五岁", "他35岁"),
        ("两千零三年", "2003年"),
        ("一千二百万", "12000000"),
        ("１２３号", "123号"),
        ("三年后", "3年后"),
        ("哪一年成立的", "哪一年成立的"),  # a question word, not a number
        ("第三届", "第三届"),  # an ordinal
        ("统一了六国", "统一了六国"),  # a lone numeral inside a word
        ("一个人", "一个人"),  # "a", not the number one
        ("马有两只眼睛", "马有2只眼睛"),
        ("用了两小时", "用了2小时"),
        ("十多分钟后", "10多分钟后"),  # ten and more
        ("这十分重要", "这十分重要"),  # "very", not ten minutes
        ("两岸关系", "两岸关系"),  # "both shores"
    ],
)
def test_numbers_are_rewritten_as_digits(text: str, expected: str) -> None:
    assert normalise_numbers(text) == expected


def test_values_of_numeral_runs() -> None:
    assert [chinese_number(n) for n in ("十", "十二", "二十", "一百零五", "三万五千")] == [
        10,
        12,
        20,
        105,
        35000,
    ]


def test_a_year_in_digits_is_supported_by_the_same_year_in_numerals() -> None:
    passage = StaticPassage("青岚茶业于二〇〇三年在云溪镇成立。")
    assert "2003" in text_features(passage.text).numbers
    assert support_share("青岚茶业成立于2003年。", [passage], question="青岚茶业是哪一年成立的？") == 1.0
