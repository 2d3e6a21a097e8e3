"""Question files and the built-in loaders: shapes, the NQ answer swap, Disfl-QA's two halves."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from assistant.evaluation.bigbench_source import task_file
from assistant.evaluation.datasets import disfl_qa, halueval_qa, load_datasets, nq_restored, sample
from assistant.evaluation.errors import EvaluationError
from assistant.evaluation.questions import read_questions
from assistant.language import detect_language
from tests.support.bigbench_cache import DISFL_TASK, cache_with_tasks


def test_user_questions_file(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    rows = [
        {
            "question": "Who founded Acme?",
            "answers": ["Ada Lind"],
            "passages": ["Acme was founded by Ada Lind."],
        },
        {"question": "谁创办了青松科技？", "answers": [], "id": "zh-1", "dataset": "my-docs"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n", encoding="utf-8")
    first, second = read_questions(path)
    assert (first.answers, first.passages, first.answerable) == (
        ("Ada Lind",),
        ("Acme was founded by Ada Lind.",),
        True,
    )
    assert (second.id, second.answerable) == ("zh-1", False)
    assert (first.dataset, second.dataset) == ("custom", "my-docs")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"question": "Q?"}', "'answers' must be a list"),
        ('{"question": "", "answers": []}', "'question' must be a non-empty string"),
        ('{"question": "Q?", "answers": "Ada"}', "'answers' must be a list"),
        ("not json", "invalid JSON"),
        ('{"question": "Q?", "answers": [], "dataset": 3}', "'dataset' must be a non-empty string"),
    ],
)
def test_bad_question_lines_name_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"question": "Fine?", "answers": ["x"]}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(EvaluationError, match=rf"bad.jsonl:2: .*{message}"):
        read_questions(path)


def test_nq_answer_is_swapped_back_into_the_passage(tmp_path: Path) -> None:
    (question,) = nq_restored(cache_dir=cache_with_tasks(tmp_path))
    assert question.question == "who founded acme?"
    assert question.answers == ("Ada Lind",)
    assert question.passages == ("Acme was founded by Ada Lind in 1987 .",)
    assert question.planted == "Zed Fake"  # the fake entity: the wrong answer of the planted variant


def test_disfl_qa_keeps_unanswerable_questions_with_their_passage(tmp_path: Path) -> None:
    answerable, unanswerable = disfl_qa(cache_dir=cache_with_tasks(tmp_path))
    assert answerable.answers == ("Ada Lind",) and answerable.question == "Who no what founded Acme ?"
    assert unanswerable.answers == () and unanswerable.passages == ("Acme sells robots .",)
    only = load_datasets(["disfl-qa-unanswerable"], cache_dir=tmp_path, limit=None)
    assert only == [unanswerable]
    assert load_datasets(["disfl-qa-answerable"], cache_dir=tmp_path, limit=None) == [answerable]


def test_well_known_facts_count_a_number_word_and_its_digits_alike(tmp_path: Path) -> None:
    horses, spain = load_datasets(["general-knowledge"], cache_dir=cache_with_tasks(tmp_path), limit=None)
    assert (horses.question, horses.answers, horses.passages) == (
        "How many legs do horses have?",
        ("four", "4"),
        (),
    )
    assert spain.answers == ("Madrid",) and spain.dataset == "general-knowledge"


def test_known_unknowns_should_abstain_on_unknown_and_answer_the_facts(tmp_path: Path) -> None:
    unknown, lincoln = load_datasets(["known-unknowns"], cache_dir=cache_with_tasks(tmp_path), limit=None)
    assert unknown.answers == () and unknown.question == "What did Ada Lind eat yesterday?"
    assert lincoln.answers == ("1809",)


def test_task_files_are_extracted_from_the_sdist_alone(tmp_path: Path) -> None:
    sdist = tmp_path / "bigbench-1.0.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as archive:
        for name, data in (
            ("bigbench-1.0.0/bigbench/benchmark_tasks/disfl_qa/task.json", json.dumps(DISFL_TASK)),
            ("bigbench-1.0.0/bigbench/benchmark_tasks/other_task/task.json", "{}"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data.encode())
            archive.addfile(info, io.BytesIO(data.encode()))
    path = task_file("disfl_qa", cache_dir=tmp_path)
    assert json.loads(path.read_text(encoding="utf-8")) == DISFL_TASK
    assert not (tmp_path / "bigbench-1.0.0" / "other_task").exists()


def test_halueval_is_read_from_the_installed_file() -> None:
    questions = halueval_qa(cache_dir=Path("unused"))
    assert len(questions) == 10_000
    assert all(q.answerable and q.passages for q in questions[:100])
    # the hallucinated answer is kept as the wrong answer to plant, and it is not the right one
    assert all(q.planted and q.planted != q.answers[0] for q in questions[:100])


def test_sample_is_seeded_and_nested(tmp_path: Path) -> None:
    questions = halueval_qa(cache_dir=tmp_path)
    five, ten = sample(questions, limit=5), sample(questions, limit=10)
    assert five == ten[:5]  # a larger run contains the smaller one
    assert sample(questions, limit=5) == five
    assert five != questions[:5]


def test_unknown_dataset_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(EvaluationError, match="unknown dataset 'squad'"):
        load_datasets(["squad"], cache_dir=tmp_path, limit=3)


def test_chinese_well_known_facts_are_chinese_questions_with_their_answers(tmp_path: Path) -> None:
    questions = load_datasets(["general-knowledge-zh"], cache_dir=tmp_path, limit=None)
    assert len(questions) == 43 and len({q.id for q in questions}) == 43
    capital = next(q for q in questions if q.id == "general-knowledge-zh-33")
    assert (capital.question, capital.answers, capital.dataset) == (
        "中国的首都是哪里？",
        ("北京",),
        "general-knowledge-zh",
    )
    assert all(detect_language(q.question) == "zh" and q.answers and not q.passages for q in questions)
