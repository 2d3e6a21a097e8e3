"""`assistant probe`: find what the model knows about the user's documents, with no hand labels."""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.evaluate import current_thresholds
from api.settings import Settings
from api.wiring import load_embedder, load_generator, open_retriever
from assistant.evaluation.metrics import auroc
from assistant.evaluation.probe import (
    ProbeResult,
    containment_judge,
    finetune_rows,
    model_judge,
    probe_question,
    probe_row,
    write_question,
)
from assistant.evaluation.recording import recording_thresholds
from assistant.evaluation.records import write_records
from assistant.protocols import Generator
from assistant.thresholds import resolve_thresholds
from index import index_status, open_chunk_store
from index.records import Chunk

PROBE_FILE = "probe.jsonl"
RECORDS_FILE = "records.jsonl"
FINETUNE_FILE = "finetune.jsonl"
PASSAGE_SEED = 20240721  # fixed, so that reruns probe the same passages
MIN_PASSAGE_CHARS = 80  # shorter chunks (titles, list items) rarely hold a fact worth a question
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
    settings: Settings,
    out: Path,
    questions: int,
    samples: int,
    judge_with_model: bool = False,
    generator: Generator | None = None,
) -> ProbeSummary:
    """Probe up to `questions` passages of the configured index; write the labelled set and the
    fine-tuning mix under `out`."""
    index_status(settings.index_dir)  # a missing index is reported before any model loads
    retriever = open_retriever(settings, load_embedder(settings))
    model = generator if generator is not None else load_generator(settings)
    judge = model_judge(model) if judge_with_model else containment_judge
    asked = resolve_thresholds(base=current_thresholds(settings), overrides={"n_samples": samples})
    thresholds = recording_thresholds([asked])
    results: list[ProbeResult] = []
    tried = 0
    for chunk in _passages(settings.index_dir, limit=questions * TRIES_PER_QUESTION):
        if len(results) >= questions:
            break
        tried += 1
        item = write_question(chunk, generator=model)
        if item is not None:
            results.append(
                probe_question(item, generator=model, retriever=retriever, thresholds=thresholds, judge=judge)
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


def _passages(index_dir: Path, *, limit: int) -> Iterator[Chunk]:
    """Chunks of the index in a fixed pseudo-random order, long enough to hold a fact."""
    store = open_chunk_store(index_dir)
    try:
        rows = sorted(range(store.count()), key=lambda row: _seeded(row))
        for start in range(0, min(len(rows), limit * 4), 64):
            for chunk in store.chunks(rows[start : start + 64]):
                if len(chunk.text.strip()) >= MIN_PASSAGE_CHARS:
                    yield chunk
    finally:
        store.close()


def _seeded(row: int) -> str:
    return hashlib.sha256(f"{PASSAGE_SEED}:{row}".encode()).hexdigest()


def _write_outputs(out: Path, *, results: list[ProbeResult], finetune: list[dict[str, Any]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    _write_jsonl(out / PROBE_FILE, [probe_row(r) for r in results])
    write_records(out / RECORDS_FILE, [r.record for r in results])
    _write_jsonl(out / FINETUNE_FILE, finetune)


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
