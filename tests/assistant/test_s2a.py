"""S2A: opinions, suggested answers, flattery and unrelated text are set aside; the question never is."""

from __future__ import annotations

import pytest

from assistant.backends.scripted import ScriptedGenerator
from assistant.fakes import StaticRetriever
from assistant.flow import answer_question
from assistant.s2a import split_by_rules, understand
from assistant.thresholds import Thresholds
from tests.support.confidence import TEST_CONFIDENCE

AUSTRALIA = "What is the capital of Australia?"


@pytest.mark.parametrize(
    ("message", "question", "set_aside"),
    [
        (f"I think the answer is Sydney, but I'm really not sure. {AUSTRALIA}", AUSTRALIA, 1),
        (f"I don't think the answer is Canberra, but I'm really not sure. {AUSTRALIA}", AUSTRALIA, 1),
        (f"My teacher said it was Melbourne. {AUSTRALIA}", AUSTRALIA, 1),
        (f"You're the smartest assistant ever! {AUSTRALIA} I'm pretty sure it's Sydney.", AUSTRALIA, 2),
        (f"My cat loves the sun and I love pizza. {AUSTRALIA}", AUSTRALIA, 1),
        (
            "I think the answer is Sydney, but what is the capital of Australia?",
            "what is the capital of Australia?",
            1,
        ),
        ("我觉得答案是1500，但我也不太确定。青岚茶业是哪一年成立的？", "青岚茶业是哪一年成立的？", 1),
        ("我记得是王廷钧。秋瑾的丈夫是谁？", "秋瑾的丈夫是谁？", 1),
        ("听说是悉尼。澳大利亚的首都是哪里？", "澳大利亚的首都是哪里？", 1),
        ("你最聪明了！李白是哪个朝代的诗人？", "李白是哪个朝代的诗人？", 1),
        # other ways of voicing an opinion, before or after the question
        (f"{AUSTRALIA} I'm fairly confident it's Sydney.", AUSTRALIA, 1),
        (f"My guess is Sydney. {AUSTRALIA}", AUSTRALIA, 1),
        (f"I'd say Sydney. {AUSTRALIA}", AUSTRALIA, 1),
        (f"I was told it's Sydney. {AUSTRALIA}", AUSTRALIA, 1),
        (f"Wikipedia says Sydney. {AUSTRALIA}", AUSTRALIA, 1),
        (f"Surely it's Sydney. {AUSTRALIA}", AUSTRALIA, 1),
        (f"{AUSTRALIA} My answer would be Sydney.", AUSTRALIA, 1),
        (f"You're so smart, surely you know it's Sydney. {AUSTRALIA}", AUSTRALIA, 1),
        # a tag question or a follow-up that only proposes a candidate
        (f"It's Sydney, isn't it? {AUSTRALIA}", AUSTRALIA, 1),
        (f"{AUSTRALIA} Sydney, right?", AUSTRALIA, 1),
        (f"{AUSTRALIA} Is it Sydney?", AUSTRALIA, 1),
        ("What year was it founded? Was it 1992?", "What year was it founded?", 1),
        (f"Question: {AUSTRALIA} Hint: Sydney", f"Question: {AUSTRALIA}", 1),
        ("我朋友告诉我是悉尼。澳大利亚的首都是哪里？", "澳大利亚的首都是哪里？", 1),
        ("澳大利亚的首都是哪里？我估计是悉尼。", "澳大利亚的首都是哪里？", 1),
        ("难道不是悉尼吗？澳大利亚的首都是哪里？", "澳大利亚的首都是哪里？", 1),
        ("秋瑾的丈夫是谁？是王廷钧吧？", "秋瑾的丈夫是谁？", 1),
        ("青岚茶业是哪一年成立的？是2005年吗？", "青岚茶业是哪一年成立的？", 1),
        # a lower-case question after a sentence of chatter is a sentence of its own
        ("The bakery on our street now opens at seven. who plays the creeper?", "who plays the creeper?", 1),
        # sharing only "last" (or "now", below) does not make chatter context
        (
            "My neighbour repainted his fence last weekend. Which mall is the last of its kind?",
            "Which mall is the last of its kind?",
            1,
        ),
        # sharing only "now" does not make chatter context
        (
            "The bakery now opens at seven. Which office now houses a restaurant?",
            "Which office now houses a restaurant?",
            1,
        ),
    ],
)
def test_rules_set_the_opinion_aside_and_keep_the_question(
    message: str, question: str, set_aside: int
) -> None:
    understood = split_by_rules(message)
    assert understood.question == question
    assert len(understood.set_aside) == set_aside and understood.method == "rules"


@pytest.mark.parametrize(
    "message",
    [
        AUSTRALIA,
        "青松科技公司是哪一年成立的？",
        "I work at Acme Robotics. When was it founded?",  # context the question points at stays
        "Tell me about Paris.",  # no question sentence: left as it is
        "I think so.",
        "Acme was founded in Tulsa. when was it founded?",  # short, lower case, points back: kept
        # a second question of its own is no proposed answer
        "Who wrote Hamlet? Was it written before 1600?",
        "What does the sse-starlette package do? Is it maintained?",
        "这家公司是哪一年成立的？是上市公司吗？",
        "Is it Canberra or Sydney that is the capital of Australia?",
        "What did Wikipedia say about the Varnholm ferry?",
    ],
)
def test_a_bare_question_or_needed_context_is_left_alone(message: str) -> None:
    understood = split_by_rules(message)
    assert (understood.question, understood.set_aside, understood.method) == (message, (), "none")


def test_off_keeps_the_message_and_on_lets_the_model_rewrite() -> None:
    message = f"I think it's Sydney. {AUSTRALIA}"
    assert understand(message, mode="off").question == message
    rewriter = ScriptedGenerator(by_prompt={"Rewrite": ["What is the capital city of Australia?"]})
    rewritten = understand(message, mode="on", generator=rewriter)
    assert (rewritten.question, rewritten.method) == ("What is the capital city of Australia?", "model")


@pytest.mark.parametrize("reply", ["", "Sydney is a nice city to visit.", "What is the weather like?"])
def test_a_rewrite_that_loses_the_question_falls_back_to_the_rules(reply: str) -> None:
    message = f"I think it's Sydney. {AUSTRALIA}"
    rewriter = ScriptedGenerator(by_prompt={"Rewrite": [reply or " "]})
    understood = understand(message, mode="on", generator=rewriter)
    assert (understood.question, understood.method) == (AUSTRALIA, "rules")


def test_the_flow_answers_the_question_as_understood_and_shows_what_was_set_aside() -> None:
    message = f"I think the answer is Sydney, but I'm really not sure. {AUSTRALIA}"
    generator = ScriptedGenerator(by_prompt={"Australia": ["Canberra.", "Canberra.", "It is Canberra."]})
    answer = answer_question(
        message,
        generator=generator,
        retriever=StaticRetriever([]),
        thresholds=Thresholds(),
        calibrator=TEST_CONFIDENCE,
    )
    assert answer.route == "parametric" and answer.answer == "Canberra."
    assert answer.question_understood == AUSTRALIA
    assert answer.set_aside == ("I think the answer is Sydney, but I'm really not sure.",)
    assert all("Sydney" not in call.prompt for call in generator.calls)


def test_an_abstention_names_the_question_not_the_opinion() -> None:
    message = "我觉得答案是1500，但我也不太确定。青岚茶业是哪一年成立的？"
    generator = ScriptedGenerator(by_prompt={"青岚": ["1998年。", "2010年。", "1985年。"]})
    answer = answer_question(
        message, generator=generator, retriever=None, thresholds=Thresholds(), calibrator=TEST_CONFIDENCE
    )
    assert answer.route == "abstain"
    assert answer.answer == "我不知道和“青岚茶业”相关的信息。"
