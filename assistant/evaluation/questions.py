"""The evaluation question and the user's own question file (JSONL: question, answers, optional passages)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.evaluation.errors import EvaluationError


@dataclass(frozen=True)
class EvalQuestion:
    """One question; no gold answers means the assistant should abstain."""

    id: str
    question: str
    answers: tuple[str, ...]
    passages: tuple[str, ...] = ()  # evidence that goes into the run's corpus
    dataset: str = "custom"
    # A wrong answer: on a clean question the one to plant (HaluEval's hallucinated answer, NQ's fake
    # entity); on a planted variant the one its message states ("" when the template states none).
    planted: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


def read_questions(path: Path) -> list[EvalQuestion]:
    """Read a JSONL file of `{"question": str, "answers": [str, ...], "passages"?: [str], "id"?: str}`.

    Raises EvaluationError naming the line of the first bad record.
    """
    if not path.is_file():
        raise EvaluationError(f"question file not found: {path}")
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            questions.append(_parse_line(line, where=f"{path}:{number}", default_id=f"{path.stem}-{number}"))
    if not questions:
        raise EvaluationError(f"no questions in {path}")
    return questions


def _parse_line(line: str, *, where: str, default_id: str) -> EvalQuestion:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise EvaluationError(f"{where}: invalid JSON: {error.msg}") from error
    if not isinstance(record, dict):
        raise EvaluationError(f"{where}: expected a JSON object")
    question = record.get("question")
    if not isinstance(question, str) or not question.strip():
        raise EvaluationError(f"{where}: 'question' must be a non-empty string")
    return EvalQuestion(
        id=str(record.get("id", default_id)),
        question=question.strip(),
        answers=_strings(record, "answers", where=where, required=True),
        passages=_strings(record, "passages", where=where, required=False),
        dataset=_dataset(record, where=where),
    )


def _dataset(record: dict[str, Any], *, where: str) -> str:
    """The optional "dataset" name, which records, reports and the fit's split go by."""
    value = record.get("dataset", "custom")
    if not isinstance(value, str) or not value.strip():
        raise EvaluationError(f"{where}: 'dataset' must be a non-empty string")
    return value.strip()


def _strings(record: dict[str, Any], key: str, *, where: str, required: bool) -> tuple[str, ...]:
    value = record.get(key)
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise EvaluationError(f"{where}: '{key}' must be a list of strings (empty = should abstain)")
    return tuple(item for item in value if item.strip())
