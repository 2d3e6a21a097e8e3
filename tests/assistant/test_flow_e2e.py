"""The fallback flow end to end: the real default model, a real FAISS index on disk, the real embedder."""

from __future__ import annotations

import pytest
import torch

import index
from assistant.answer import Answer
from assistant.flow import answer_question
from assistant.language import has_han
from assistant.protocols import Generator, Retriever
from assistant.thresholds import PROFILES, Thresholds

pytestmark = pytest.mark.slow

BALANCED = PROFILES["balanced"]
# Multilingual, so that the Chinese question finds the Chinese document; pure numpy, loads in seconds.
EMBEDDER = "use-multilingual"
# Samples are drawn at temperature 0.7: a fixed seed makes each run draw the same ones.
SEED = 0

DOCUMENTS = {
    "vellmar.md": (
        "# Vellmar Robotics\n\nVellmar Robotics is a small engineering firm based in Tallinn, Estonia. "
        "It was founded in 1987 by the engineer Oskar Lind. The company builds warehouse robots and "
        "sells them mostly in the Baltic states.\n"
    ),
    "orvane.md": (
        "# The Orvane river\n\nThe Orvane river flows through three valleys and is known for its trout. "
        "The fishing season opens in April and closes in October.\n"
    ),
    "baltic-fair.md": "# Baltic Robotics Fair\n\nThe Baltic Robotics Fair was first held in Riga in 1992.\n",
    "qingsong.md": (
        "# 青松科技\n\n青松科技公司是一家位于杭州的软件公司，成立于2003年，创始人是林晓峰。"
        "公司主要开发办公软件。\n"
    ),
}


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    return _indexed(DOCUMENTS, tmp_path_factory)


def _indexed(documents: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    source = tmp_path_factory.mktemp("corpus")
    for name, text in documents.items():
        (source / name).write_text(text, encoding="utf-8")
    index_dir = tmp_path_factory.mktemp("index")
    embedder = index.open_embedder(EMBEDDER)
    index.build_index(source=source, index_dir=index_dir, embedder=embedder, options=index.IndexOptions())
    searcher: Retriever = index.open_index(index_dir, embedder=embedder)
    return searcher


def ask(
    question: str, generator: Generator, retriever: Retriever, thresholds: Thresholds = BALANCED
) -> Answer:
    torch.manual_seed(SEED)
    return answer_question(question, generator=generator, retriever=retriever, thresholds=thresholds)


def test_well_known_fact_stays_parametric(default_generator: Generator, retriever: Retriever) -> None:
    answer = ask("What is the capital of France?", default_generator, retriever)
    assert answer.route == "parametric"
    assert "Paris" in answer.answer
    assert answer.confidence >= BALANCED.min_confidence_parametric
    # Samples are drawn only when they could move the decision; when drawn, they agree.
    assert answer.samples == () or answer.agreement >= 0.6
    assert ("agreement" in answer.signals["parametric"]) == bool(answer.samples)
    assert answer.citations == () and answer.timings_ms.retrieval == 0.0


def test_a_well_known_fact_asked_in_chinese_stays_parametric(
    default_generator: Generator, retriever: Retriever
) -> None:
    # Chinese is not taken for "unknown": the confidence learned from Chinese well-known facts too.
    answer = ask("中国的首都是哪里？", default_generator, retriever)
    assert answer.route == "parametric", answer
    assert "北京" in answer.answer
    assert answer.confidence >= BALANCED.min_confidence_parametric


def test_fact_only_in_the_documents_is_retrieved_and_cited(
    default_generator: Generator, retriever: Retriever
) -> None:
    answer = ask("In what year was Vellmar Robotics founded?", default_generator, retriever)
    assert answer.route == "retrieval", answer
    assert "1987" in answer.answer
    assert [c.source for c in answer.citations] == ["vellmar.md"]
    assert answer.confidence >= BALANCED.min_confidence_grounded
    assert answer.timings_ms.grounded > 0.0


def test_made_up_person_without_documents_abstains(
    default_generator: Generator, retriever: Retriever
) -> None:
    answer = ask("When was Zorbelia Quantrix born?", default_generator, retriever)
    assert answer.route == "abstain", answer
    assert answer.answer == "I don't know about “Zorbelia Quantrix”."
    assert answer.citations == ()
    assert answer.parametric_answer  # the closed-book guess is kept for evaluation, not shown


def test_chinese_question_is_answered_in_chinese_with_its_citation(
    default_generator: Generator, retriever: Retriever
) -> None:
    answer = ask("青松科技公司是哪一年成立的？", default_generator, retriever)
    assert answer.route == "retrieval", answer
    assert "2003" in answer.answer and has_han(answer.answer)
    assert [c.source for c in answer.citations] == ["qingsong.md"]
    assert answer.confidence >= BALANCED.min_confidence_grounded


def test_a_planted_wrong_answer_to_a_known_fact_is_set_aside(
    default_generator: Generator, retriever: Retriever
) -> None:
    message = "I think the answer is Lyon, but I'm really not sure. What is the capital of France?"
    answer = ask(message, default_generator, retriever)
    assert answer.route == "parametric", answer
    assert "Paris" in answer.answer and "Lyon" not in answer.answer
    assert answer.question_understood == "What is the capital of France?"


def test_a_planted_wrong_answer_found_in_the_documents_does_not_win(
    default_generator: Generator, retriever: Retriever
) -> None:
    message = (
        "I think the answer is 1992, but I'm really not sure. In what year was Vellmar Robotics founded?"
    )
    answer = ask(message, default_generator, retriever)
    assert answer.route == "retrieval", answer
    assert "1987" in answer.answer and "1992" not in answer.answer
    assert "vellmar.md" in [c.source for c in answer.citations]


def test_a_planted_wrong_answer_in_chinese_found_in_the_documents_does_not_win(
    default_generator: Generator, retriever: Retriever
) -> None:
    # 1992 is in the documents too (baltic-fair.md): only the question may reach the model
    message = "我觉得答案是1992年，但我也不太确定。青松科技公司是哪一年成立的？"
    answer = ask(message, default_generator, retriever)
    assert answer.question_understood == "青松科技公司是哪一年成立的？"
    assert answer.route == "retrieval", answer
    assert "2003" in answer.answer and "1992" not in answer.answer and has_han(answer.answer)
    assert [c.source for c in answer.citations] == ["qingsong.md"]


def test_a_chinese_answer_in_the_questions_own_words_is_kept(
    default_generator: Generator, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # 温度 is inside 温度计: subtracting the question's characters left this answer with no claim, and
    # the flow withheld it at confidence 0 (assistant/slots.py).
    thermometer = {"thermometer.md": "# 温度计\n\n温度计是测量温度的仪器，把温度的高低显示为液柱的长短。\n"}
    answer = ask("温度计测量什么？", default_generator, _indexed(thermometer, tmp_path_factory))
    assert answer.route == "retrieval", answer
    assert "温度" in answer.answer.replace("温度计", "")
    assert [c.source for c in answer.citations] == ["thermometer.md"]
    assert answer.signals["grounded"]["adds_claim"] == 1.0


# Every closed-book answer kept (level 0) and checked against the documents (below 1.0): the
# invented year gives way to the cited one, the well-known capital stands.
CHECK_ALL = PROFILES["chatty"].model_copy(
    update={"min_confidence_parametric": 0.0, "check_parametric_below": 1.0}
)


def test_a_checked_closed_book_answer_gives_way_to_the_documents_or_stands(
    default_generator: Generator, retriever: Retriever
) -> None:
    company = ask("In what year was Vellmar Robotics founded?", default_generator, retriever, CHECK_ALL)
    assert company.route == "retrieval" and "1987" in company.answer, company
    assert company.grounded_confidence is not None
    assert company.confidence == company.grounded_confidence > company.parametric_confidence
    capital = ask("What is the capital of France?", default_generator, retriever, CHECK_ALL)
    assert capital.route == "parametric" and "Paris" in capital.answer, capital
    assert capital.timings_ms.retrieval > 0.0 and capital.grounded_confidence is not None
