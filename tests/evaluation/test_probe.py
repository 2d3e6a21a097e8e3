"""Knowledge probing with scripted models: question writing, judging, labels, and the fine-tuning mix."""

from __future__ import annotations

import pytest

from assistant.backends.scripted import ScriptedGenerator
from assistant.evaluation.probe import (
    ProbeQuestion,
    finetune_rows,
    label_for,
    model_judge,
    probe_question,
    probe_row,
    short_answer,
    write_question,
)
from assistant.evaluation.recorder import recording_thresholds
from assistant.fakes import StaticPassage, StaticRetriever
from assistant.thresholds import Thresholds

ACME_TEXT = "Acme Robotics was founded in 1987 by the engineer Ada Lind in Tallinn."
ACME = StaticPassage(text=ACME_TEXT, chunk_id="a#0")
QINGSONG = StaticPassage(
    text="青松科技公司是一家位于杭州的软件公司，成立于2003年，创始人是林晓峰。", chunk_id="q#0"
)
THRESHOLDS = recording_thresholds([Thresholds(n_samples=3)])


def _model(**closed_book: list[str]) -> ScriptedGenerator:
    """Writes a fixed question per passage, finds its answer, and answers closed-book as scripted."""
    return ScriptedGenerator(
        by_prompt={
            "Write one question": ["Who founded Acme Robotics?"],
            "写一个问题": ["青松科技的创始人是谁？"],
            "Answer with the shortest exact phrase": ["Ada Lind."],
            "用资料中最短的原文短语回答": ["林晓峰"],
            # The grounded prompt is the only later one that holds the passage text itself.
            ACME_TEXT: ["Ada Lind founded it [1]."],
            QINGSONG.text: ["创始人是林晓峰[1]。"],
            **closed_book,
        }
    )


def test_write_question_keeps_an_answer_found_in_the_passage() -> None:
    item = write_question(ACME, generator=_model())
    assert item is not None
    assert (item.question, item.answer, item.chunk_id) == ("Who founded Acme Robotics?", "Ada Lind", "a#0")


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("Who founded Acme Robotics?", "Bob Stone"),  # not in the passage
        ("Tell me about Acme", "Ada Lind"),  # not a question
        ("Who founded Acme Robotics?", "I don't know."),  # a refusal
        ("When was Acme founded, in 1987?", "1987"),  # given away by the question
    ],
)
def test_write_question_drops_unusable_pairs(question: str, answer: str) -> None:
    model = ScriptedGenerator(by_prompt={"Write one question": [question], "Answer with": [answer]})
    assert write_question(ACME, generator=model) is None


def test_a_sentence_reply_is_cut_to_the_span_the_passage_holds() -> None:
    question = "Which engineer started the company in Tallinn?"
    reply = "The engineer who started the company is Ada Lind."
    assert short_answer(reply, passage=ACME_TEXT, question=question) == "Ada Lind"
    zh = "青松科技公司是一家位于杭州的软件公司，成立于2003年，创始人是林晓峰。"
    assert short_answer("林晓峰。", passage=zh, question="青松科技的创始人是谁？") == "林晓峰"
    assert short_answer("王伟", passage=zh, question="青松科技的创始人是谁？") is None


@pytest.mark.parametrize(
    ("correct", "agreement", "label"),
    [
        ((True, True, True, True), 1.0, "known"),
        ((True, True, True, False), 0.67, "known"),
        ((False, False, False, False), 1.0, "unknown"),  # consistently wrong
        ((False, True, False, True), 0.2, "unknown"),  # scattered
        ((False, True, True, True), 0.9, "mixed"),
        ((True, False, False, False), 0.0, "mixed"),
    ],
)
def test_labels(correct: tuple[bool, ...], agreement: float, label: str) -> None:
    assert label_for(correct, agreement=agreement) == label


def test_probe_labels_and_finetune_mix_one_to_one() -> None:
    known_model = _model(**{"Who founded Acme Robotics?": ["Ada Lind founded Acme Robotics.", "Ada Lind."]})
    unknown_model = _model(**{"青松科技的创始人是谁？": ["创始人是王伟。", "是王伟。"]})
    results = []
    for passage, model in ((ACME, known_model), (ACME, known_model), (QINGSONG, unknown_model)):
        item = write_question(passage, generator=model)
        assert item is not None
        retriever = StaticRetriever([passage])
        results.append(probe_question(item, generator=model, retriever=retriever, thresholds=THRESHOLDS))
    assert [r.label for r in results] == ["known", "known", "unknown"]
    assert results[0].correct == (True, True, True, True)  # greedy + 3 samples
    assert results[2].record.grounded_answer == "创始人是林晓峰[1]。"  # both stages recorded

    rows = finetune_rows(results)
    assert [row["label"] for row in rows] == ["known", "unknown"]  # 1:1, the extra known one left out
    for row in rows:
        assert [m["role"] for m in row["messages"]] == ["user", "assistant"]
    assert rows[0]["messages"][1]["content"] == "Ada Lind founded Acme Robotics."  # the model's own answer
    assert rows[1]["messages"][1]["content"] == "我不知道和“青松科技的创始人”相关的信息。"


def test_english_unknown_gets_an_english_refusal_and_labelled_rows_have_their_fields() -> None:
    model = _model(**{"Who founded Acme Robotics?": ["Bob Stone founded it."]})
    item = write_question(ACME, generator=model)
    assert item is not None
    unknown = probe_question(item, generator=model, retriever=None, thresholds=THRESHOLDS)
    known_model = _model(**{"Who founded Acme Robotics?": ["Ada Lind."]})
    known = probe_question(item, generator=known_model, retriever=None, thresholds=THRESHOLDS)
    rows = finetune_rows([unknown, known])
    assert rows[1]["messages"][1]["content"] == "I don't know about “Acme Robotics”."
    labelled = probe_row(unknown)
    assert labelled["label"] == "unknown" and labelled["correct"] == [False] * 4
    assert set(labelled) >= {"question", "answer", "passage", "model_answer", "samples", "agreement"}
    assert unknown.record.best_score is None  # no index: no grounded stage


def test_model_judge_accepts_a_paraphrase_the_model_confirms() -> None:
    item = ProbeQuestion("p", "Where is Acme based?", "Tallinn", ACME.text, "a", "a#0")
    judge = model_judge(ScriptedGenerator(by_prompt={"Proposed answer: the Estonian capital": ["Yes."]}))
    assert judge("the Estonian capital", item) is True
    assert judge("It is in Tallinn.", item) is True  # contained: no model call needed
    no = model_judge(ScriptedGenerator(queue=[["No."]]))
    assert no("Riga", item) is False
    assert no("I don't know.", item) is False
