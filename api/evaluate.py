"""`assistant eval`, `calibrate` and `probe` behind the CLI: load the model and index once, record, report."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from api.eval_corpus import evaluation_retriever
from api.runtime_config import ThresholdStore
from api.settings import Settings
from api.wiring import load_embedder, load_generator
from assistant.evaluation.datasets import load_datasets
from assistant.evaluation.errors import EvaluationError
from assistant.evaluation.metrics import ModeMetrics, mode_metrics
from assistant.evaluation.modes import build_modes
from assistant.evaluation.plot import plot_risk_coverage
from assistant.evaluation.questions import EvalQuestion, read_questions
from assistant.evaluation.recording import record_questions, recording_thresholds
from assistant.evaluation.records import QuestionRecord, append_record, read_records
from assistant.evaluation.replay import Mode
from assistant.evaluation.report import report_json, report_markdown
from assistant.evaluation.sweep import mode_curve, operating_point
from assistant.protocols import Generator
from assistant.thresholds import Thresholds

RECORDS_FILE = "records.jsonl"
REPORT_JSON = "report.json"
REPORT_MD = "report.md"
PLOT_FILE = "risk_coverage.png"


@dataclass(frozen=True)
class EvalRequest:
    out: Path
    questions_file: Path | None = None
    datasets: tuple[str, ...] = ()
    corpus: Path | None = None
    modes: tuple[str, ...] = ("closed", "rag", "fallback")
    limit: int | None = None
    records_file: Path | None = None  # replay an earlier run instead of generating


def run_eval(
    request: EvalRequest, *, settings: Settings, generator: Generator | None = None
) -> list[ModeMetrics]:
    """Record (or reread) every question once, replay each mode, write records, report and plot."""
    modes = build_modes(request.modes, current=current_thresholds(settings))
    if request.records_file is not None:
        records = read_records(request.records_file)
        sources = sorted({r.dataset for r in records})
        model = "(recorded)"
    else:
        questions = load_questions(request, settings=settings)
        model_generator = generator if generator is not None else load_generator(settings)
        records = _record(
            questions, request=request, modes=modes, settings=settings, generator=model_generator
        )
        sources = sorted({q.dataset for q in questions})
        model = model_generator.model_id
    metrics = [mode_metrics(records, mode) for mode in modes]
    run = {"model": model, "questions": len(records), "datasets": sources, "limit": request.limit}
    write_report(request.out, records=records, modes=modes, metrics=metrics, run=run)
    return metrics


def load_questions(request: EvalRequest, *, settings: Settings) -> list[EvalQuestion]:
    questions = load_datasets(list(request.datasets), cache_dir=settings.cache_dir, limit=request.limit)
    if request.questions_file is not None:
        own = read_questions(request.questions_file)
        questions += own[: request.limit] if request.limit is not None else own
    if not questions:
        raise EvaluationError("no questions: give --questions FILE.jsonl or --dataset NAME")
    return questions


def write_report(
    out: Path,
    *,
    records: Sequence[QuestionRecord],
    modes: Sequence[Mode],
    metrics: Sequence[ModeMetrics],
    run: dict[str, Any],
) -> None:
    curves = {mode.name: mode_curve(records, mode) for mode in modes}
    points = {mode.name: operating_point(records, mode) for mode in modes}
    out.mkdir(parents=True, exist_ok=True)
    document = report_json(metrics=metrics, modes=modes, curves=curves, run=run)
    document["operating_points"] = {name: asdict(point) for name, point in points.items()}
    (out / REPORT_JSON).write_text(
        json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (out / REPORT_MD).write_text(report_markdown(metrics=metrics, run=run), encoding="utf-8")
    plot_risk_coverage(out / PLOT_FILE, curves=curves, operating_points=points)


def current_thresholds(settings: Settings) -> Thresholds:
    return ThresholdStore(settings.runtime_config_path, default_profile=settings.profile).current()


def _record(
    questions: Sequence[EvalQuestion],
    *,
    request: EvalRequest,
    modes: Sequence[Mode],
    settings: Settings,
    generator: Generator,
) -> list[QuestionRecord]:
    """Generate once per question, writing each record as it comes so an interrupted run keeps its work."""
    retriever = evaluation_retriever(
        questions, corpus=request.corpus, settings=settings, embedder=load_embedder(settings)
    )
    thresholds = recording_thresholds([mode.thresholds for mode in modes])
    records: list[QuestionRecord] = []
    path = request.out / RECORDS_FILE
    path.unlink(missing_ok=True)
    stream = record_questions(questions, generator=generator, retriever=retriever, thresholds=thresholds)
    for record in stream:
        records.append(record)
        append_record(path, record)
        print(f"\r{len(records)}/{len(questions)} questions", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return records
