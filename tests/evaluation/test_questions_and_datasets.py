"""Question files and the built-in loaders: shapes, the NQ answer swap, Disfl-QA's unanswerables."""

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

NQ_TASK = {
    "examples": [
        {
            "input": "\nQuestion: who founded acme?\nContext: Acme was founded by Zed Fake in 1987 .",
            "target": "Zed Fake",
            "target_scores": {"Zed Fake": 1, "Ada Lind": 0},
        },
        {  # the same question again: kept once
            "input": "\nQuestion: who founded acme?\nContext: Acme was founded by Yan Fake .",
            "target": "Yan Fake",
            "target_scores": {"Yan Fake": 1, "Ada Lind": 0},
        },
        {  # the fake entity is not in the passage: cannot be restored
            "input": "\nQuestion: where is acme?\nContext: Acme is in Tallinn .",
            "target": "Riga",
            "target_scores": {"Riga": 1, "Tallinn": 0},
        },
    ]
}
DISFL_TASK = {
    "examples": [
        {
            "input": "Who no what founded Acme ?  \ncontext: Acme was founded by Ada Lind .",
            "target": "Ada Lind",
        },
        {"input": "When did Acme close no open ?  \ncontext: Acme sells robots .", "target": "unknown"},
    ]
}


def _cache_with_tasks(root: Path) -> Path:
    for task, data in (("contextual_parametric_knowledge_conflicts", NQ_TASK), ("disfl_qa", DISFL_TASK)):
        folder = root / "bigbench-1.0.0" / task
        folder.mkdir(parents=True)
        (folder / "task.json").write_text(json.dumps(data), encoding="utf-8")
    return root


def test_user_questions_file(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    rows = [
        {
            "question": "Who founded Acme?",
            "answers": ["Ada Lind"],
            "passages": ["Acme was founded by Ada Lind."],
        },
        {"question": "谁创办了青松科技？", "answers": [], "id": "zh-1"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n", encoding="utf-8")
    first, second = read_questions(path)
    assert (first.answers, first.passages, first.answerable) == (
        ("Ada Lind",),
        ("Acme was founded by Ada Lind.",),
        True,
    )
    assert (second.id, second.answerable) == ("zh-1", False)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"question": "Q?"}', "'answers' must be a list"),
        ('{"question": "", "answers": []}', "'question' must be a non-empty string"),
        ('{"question": "Q?", "answers": "Ada"}', "'answers' must be a list"),
        ("not json", "invalid JSON"),
    ],
)
def test_bad_question_lines_name_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"question": "Fine?", "answers": ["x"]}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(EvaluationError, match=rf"bad.jsonl:2: .*{message}"):
        read_questions(path)


def test_nq_answer_is_swapped_back_into_the_passage(tmp_path: Path) -> None:
    (question,) = nq_restored(cache_dir=_cache_with_tasks(tmp_path))
    assert question.question == "who founded acme?"
    assert question.answers == ("Ada Lind",)
    assert question.passages == ("Acme was founded by Ada Lind in 1987 .",)


def test_disfl_qa_keeps_unanswerable_questions_with_their_passage(tmp_path: Path) -> None:
    answerable, unanswerable = disfl_qa(cache_dir=_cache_with_tasks(tmp_path))
    assert answerable.answers == ("Ada Lind",) and answerable.question == "Who no what founded Acme ?"
    assert unanswerable.answers == () and unanswerable.passages == ("Acme sells robots .",)
    only = load_datasets(["disfl-qa-unanswerable"], cache_dir=tmp_path, limit=None)
    assert only == [unanswerable]


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


def test_sample_is_seeded_and_nested(tmp_path: Path) -> None:
    questions = halueval_qa(cache_dir=tmp_path)
    five, ten = sample(questions, limit=5), sample(questions, limit=10)
    assert five == ten[:5]  # a larger run contains the smaller one
    assert sample(questions, limit=5) == five
    assert five != questions[:5]


def test_unknown_dataset_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(EvaluationError, match="unknown dataset 'squad'"):
        load_datasets(["squad"], cache_dir=tmp_path, limit=3)
