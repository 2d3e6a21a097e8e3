"""`assistant probe`: find what the model knows about the user's documents, with no hand labels."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from assistant.evaluation.probe import (
    ProbeResult,
    SourceText,
    containment_judge,
    finetune_rows,
    model_judge,
    probe_question,
    probe_row,
    write_question,
)
from assistant.evaluation.question_record import write_records
from assistant.evaluation.recorder import recording_thresholds
from assistant.evaluation.scores import auroc
from assistant.protocols import Generator, Retriever
from assistant.thresholds import Thresholds, resolve_thresholds

PROBE_FILE = "probe.jsonl"
RECORDS_FILE = "records.jsonl"
FINETUNE_FILE = "finetune.jsonl"
TRIES_PER_QUESTION = 3  # passages tried per wanted question before giving up


@dataclass(frozen=True)
class ProbeSummary:
    labels: dict[str, int]  # known / unknown / mixed
    finetune_rows: int
    passages_tried: int
    # How well the closed-book agreement separates known from unknown questions, and right from
    # wrong main answers; None when one side is empty.
    auroc_known: float | None = None
    auroc_correct: float | None = None


def run_probe(
    *,
    passages: Iterable[SourceText],
    generator: Generator,
    retriever: Retriever,
    thresholds: Thresholds,
    out: Path,
    questions: int,
    samples: int,
    judge_with_model: bool = False,
) -> ProbeSummary:
    """Probe up to `questions` of `passages` (tried in their order); write the labelled set and the
    fine-tuning mix under `out`. `thresholds`: the configured ones; `samples` replaces their n_samples."""
    judge = model_judge(generator) if judge_with_model else containment_judge
    asked = resolve_thresholds(base=thresholds, overrides={"n_samples": samples})
    recording = recording_thresholds([asked])
    results: list[ProbeResult] = []
    tried = 0
    for passage in islice(passages, questions * TRIES_PER_QUESTION):
        if len(results) >= questions:
            break
        tried += 1
        item = write_question(passage, generator=generator)
        if item is not None:
            results.append(
                probe_question(
                    item, generator=generator, retriever=retriever, thresholds=recording, judge=judge
                )
            )
        print(f"\r{len(results)}/{questions} questions from {tried} passages", end="", file=sys.stderr)
    print(file=sys.stderr)
    rows = finetune_rows(results)
    _write_outputs(out, results=results, finetune=rows)
    return ProbeSummary(
        dict(Counter(r.label for r in results)),
        len(rows),
        tried,
        auroc_known=_agreement_auroc(results, lambda r: r.label == "known", lambda r: r.label == "unknown"),
        auroc_correct=_agreement_auroc(results, lambda r: r.correct[0], lambda r: not r.correct[0]),
    )


def _agreement_auroc(
    results: list[ProbeResult],
    positive: Callable[[ProbeResult], bool],
    negative: Callable[[ProbeResult], bool],
) -> float | None:
    return auroc(
        [r.record.agreement for r in results if positive(r)],
        [r.record.agreement for r in results if negative(r)],
    )


def _write_outputs(out: Path, *, results: list[ProbeResult], finetune: list[dict[str, Any]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    _write_jsonl(out / PROBE_FILE, [probe_row(r) for r in results])
    write_records(out / RECORDS_FILE, [r.record for r in results])
    _write_jsonl(out / FINETUNE_FILE, finetune)


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
