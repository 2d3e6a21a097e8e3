"""The abstention names what was asked, in the language of the question."""

from __future__ import annotations

import pytest

from assistant.abstention import abstention_text, question_subject


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("When was Zorbelia Quantrix born?", "Zorbelia Quantrix"),
        ("Who wrote Pride and Prejudice?", "Pride and Prejudice"),
        ("When was Xanthe Morvadine's first album released?", "Xanthe Morvadine's first album"),
        ("what year was the company founded?", "the company"),
        ("How long does the Varnholm ferry crossing take?", "the Varnholm ferry crossing"),
        ("How many legs does a spider have?", "the legs of a spider"),
        ("What is a chicken hatched from?", "a chicken"),
        ("What city is Vallecito Elementary School located in?", "Vallecito Elementary School"),
        ("In what year was the ferry Marigold Venn launched?", "the ferry Marigold Venn"),
        # Not "the chemical symbol for" with "gold" taken for the verb.
        ("What is the chemical symbol for gold?", "the chemical symbol for gold"),
        # A clause, not a noun phrase, stands after "did": the name in it is all that is kept.
        ("Why did the French feel they had a right to the Ohio claim?", "French"),
        ("南非布拉克潘闹市区的枪击事件造成多少人死亡？", "南非布拉克潘闹市区的枪击事件"),
        ("《红楼梦》的作者是谁？", "红楼梦"),
        ("李白是哪个朝代的诗人？", "李白"),
        ("青松科技公司是什么时候成立的？", "青松科技公司"),
        ("刘若英在北京新书见面会上带来的第6本文字作品叫什么？", "刘若英的第6本文字作品"),
        ("刘文辉的儿子是谁？", "刘文辉的儿子"),
        ("请问秋瑾的丈夫是谁？", "秋瑾的丈夫"),
        ("What was the prize money of the 2016 Tianjin Open?", "the prize money of the 2016 Tianjin Open"),
        ("Who is the eldest daughter of Bartholomew Quenby?", "the eldest daughter of Bartholomew Quenby"),
        ("What is the Chinese name of the Lumora tea?", "the Chinese name of the Lumora tea"),
        ("In what year was Lumora Robotics founded?", "Lumora Robotics"),
        # "Which N verbs ...": the N that verbs, not the question cut at its length.
        (
            "Which sse-starlette class sends server-sent events?",
            "the sse-starlette class that sends server-sent events",
        ),
        ("What city hosts the Olympics?", "the city that hosts the Olympics"),
        (
            "What percentage of the population lives in Paris?",
            "the percentage of the population that lives in Paris",
        ),
        ("What happens when the cache fills?", "What happens when the cache fills"),
        (
            "How many people died in the Wenzhou house collapse?",
            "the number of people who died in the Wenzhou house collapse",
        ),
        ("How much water flows over Niagara Falls?", "the amount of water that flows over Niagara Falls"),
        ("What does humanize.apnumber(4) return?", "humanize.apnumber(4)"),
        ("What does `Cache.memoize` return?", "Cache.memoize"),
        # an auxiliary before a clause of its own: restated with the verb in its own form
        (
            "How many Taiwanese fishing boats did the Coast Guard warn?",
            "the number of Taiwanese fishing boats the Coast Guard warned",
        ),
        (
            "How many employees does sniffio's maintainer company have?",
            "the number of employees sniffio's maintainer company has",
        ),
        ("How many people did the storm kill in 2010?", "the number of people the storm killed in 2010"),
        ("How many goals did Messi score?", "the number of goals Messi scored"),
        ("How many students will the new school admit?", "the number of students the new school will admit"),
        ("How much water does the tank hold?", "the amount of water the tank holds"),
        ("Under which licenses is sniffio released?", "the licenses sniffio is released under"),
        ("With which library does sniffio work?", "the library sniffio works with"),
        ("From which country was the tea imported?", "the country the tea was imported from"),
        ("日本海上保安厅今年警告了多少艘台湾渔船？", "日本海上保安厅今年警告的台湾渔船数量"),
        ("温州民房倒塌事故共确认死亡多少人？", "温州民房倒塌事故"),
        ("段某被判处多长时间的有期徒刑？", "段某"),
    ],
)
def test_subject_of_the_question(question: str, subject: str) -> None:
    assert question_subject(question) == subject


def test_english_abstention() -> None:
    assert abstention_text("When was Zorbelia Quantrix born?") == "I don't know about “Zorbelia Quantrix”."


def test_chinese_abstention() -> None:
    assert abstention_text("张伟明教授出生于哪一年？") == "我不知道和“张伟明教授”相关的信息。"


def test_a_long_question_is_shortened() -> None:
    question = "how " + "very " * 40 + "long is this question?"
    subject = question_subject(question)
    assert subject.endswith("…")
    assert len(subject) <= 60


def test_a_long_english_subject_is_cut_between_words() -> None:
    subject = question_subject("Which diskcache class provides a sharding layer over multiple caches?")
    assert subject == "the diskcache class that provides a sharding layer over…"
