"""What one question leaves behind in a run: every answer, sample, score and cost, stored as JSONL.

A record holds both stages, run unconditionally, so any threshold combination can be replayed offline.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from assistant.evaluation.errors import EvaluationError
from assistant.signals import text_signals

RECORDS_FORMAT = 2  # 2: the raw confidence signals of both stages


@dataclass(frozen=True)
class QuestionRecord:
    id: str
    dataset: str
    question: str
    answers: tuple[str, ...]  # gold answers; empty = the assistant should abstain
    # Closed-book stage: the greedy answer and the samples drawn beside it.
    parametric_answer: str
    samples: tuple[str, ...]
    refused: bool
    agreement: float  # with all recorded samples
    sampling_ms: float
    greedy_tokens: int
    sample_tokens: tuple[int, ...]
    # Grounded stage, run on the top-k passages whatever their score.
    best_score: float | None  # None when nothing was retrieved
    grounded_answer: str
    grounded_support: float | None  # None when no grounded answer was generated
    grounded_tokens: int
    retrieval_ms: float
    grounded_ms: float
    passage_ids: tuple[str, ...] = ()
    label: str = ""  # probe only: known / unknown / mixed
    # Samples of the grounded answer and their agreement with it; records written before the
    # grounded stage sampled have none, and replay then gates the grounded answer on support alone.
    grounded_samples: tuple[str, ...] = ()
    grounded_agreement: float | None = None
    grounded_sample_tokens: tuple[int, ...] = ()
    # The raw confidence signals of each stage (assistant.signals); empty in records of format 1.
    understood: str = ""  # the question as answered, after S2A ("" in older records: `question`)
    planted: str = ""  # the wrong answer the message suggested (planted-opinion sets), else ""
    closed_signals: dict[str, float] = field(default_factory=dict)
    grounded_signals: dict[str, float] = field(default_factory=dict)
    # What S2A's model rewrite cost (s2a=on), before either stage; 0 when the rules sufficed.
    s2a_tokens: int = 0
    s2a_ms: float = 0.0
    # The recording generator's model_id ("" in records written before session 22): a replay reads
    # the confidence model of the model that answered.
    model: str = ""

    @property
    def answerable(self) -> bool:
        return bool(self.answers)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["format"] = RECORDS_FORMAT
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QuestionRecord:
        values = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        for name in (
            "answers",
            "samples",
            "sample_tokens",
            "passage_ids",
            "grounded_samples",
            "grounded_sample_tokens",
        ):
            values[name] = tuple(values.get(name, ()))
        for name in ("closed_signals", "grounded_signals"):
            values[name] = {str(k): float(v) for k, v in dict(values.get(name) or {}).items()}
        question = values.get("understood") or values.get("question", "")
        stages = (("closed_signals", "parametric_answer"), ("grounded_signals", "grounded_answer"))
        for name, answer in stages:
            if values[name]:  # signals added since the record was written, read from its texts
                values[name] = text_signals(question, values.get(answer, "")) | values[name]
        return cls(**values)


def write_records(path: Path, records: Iterable[QuestionRecord]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")


def append_record(path: Path, record: QuestionRecord) -> None:
    """Add one record, so that an interrupted run keeps what it has done."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")


def read_records(path: Path) -> list[QuestionRecord]:
    """Raises EvaluationError naming the line of a record that is not one of ours."""
    if not path.is_file():
        raise EvaluationError(f"records file not found: {path}")
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(QuestionRecord.from_json(json.loads(line)))
        except (ValueError, TypeError, KeyError) as error:
            raise EvaluationError(f"{path}:{number}: not a question record: {error}") from error
    if not records:
        raise EvaluationError(f"no records in {path}")
    return records
