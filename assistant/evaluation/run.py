"""`assistant eval` behind the CLI: record every question once, replay each mode, write the report.

The model and the evaluation index come in as callables (api.wiring builds them from settings), so
this package never imports `index` or `api`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.confidence import Calibrator
from assistant.evaluation.datasets import load_datasets
from assistant.evaluation.errors import EvaluationError
from assistant.evaluation.modes import build_modes
from assistant.evaluation.plot import plot_risk_coverage
from assistant.evaluation.question_record import QuestionRecord, append_record, read_records
from assistant.evaluation.questions import EvalQuestion, read_questions
from assistant.evaluation.recorder import record_questions, recording_thresholds
from assistant.evaluation.replay import Mode
from assistant.evaluation.report import report_json, report_markdown
from assistant.evaluation.scores import ModeMetrics, mode_metrics
from assistant.evaluation.sweep import mode_curve, operating_point
from assistant.protocols import Generator, Retriever
from assistant.thresholds import Thresholds

RECORDS_FILE = "records.jsonl"
REPORT_JSON = "report.json"
REPORT_MD = "report.md"
PLOT_FILE = "risk_coverage.png"

# The evaluation index over the questions' passages (and the user's corpus); None means no retrieval.
RetrieverFor = Callable[[Sequence[EvalQuestion], Path | None], Retriever | None]


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
    request: EvalRequest,
    *,
    thresholds: Thresholds,
    cache_dir: Path,
    load_generator: Callable[[], Generator],
    retriever_for: RetrieverFor,
    calibrator: Calibrator | None = None,
) -> list[ModeMetrics]:
    """Record (or reread) every question once, replay each mode, write records, report and plot.

    `thresholds`: the configured ones, the base of every mode; `cache_dir` holds the built-in data sets;
    `calibrator` gives every mode its confidences (default: the packaged model).
    """
    modes = build_modes(request.modes, current=thresholds, calibrator=calibrator)
    if request.records_file is not None:
        records = read_records(request.records_file)
        sources = sorted({r.dataset for r in records})
        model = ", ".join(sorted({r.model for r in records if r.model})) or "(recorded)"
    else:
        questions = load_questions(request, cache_dir=cache_dir)
        generator = load_generator()
        retriever = retriever_for(questions, request.corpus)
        records = _record(questions, request=request, modes=modes, generator=generator, retriever=retriever)
        sources = sorted({q.dataset for q in questions})
        model = generator.model_id
    metrics = [mode_metrics(records, mode) for mode in modes]
    run = {
        "model": model,
        "confidence": modes[0].calibrator.fitted_on if modes else "",
        "questions": len(records),
        "datasets": sources,
        "limit": request.limit,
    }
    write_report(request.out, records=records, modes=modes, metrics=metrics, run=run)
    return metrics


def load_questions(request: EvalRequest, *, cache_dir: Path) -> list[EvalQuestion]:
    questions = load_datasets(list(request.datasets), cache_dir=cache_dir, limit=request.limit)
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


def _record(
    questions: Sequence[EvalQuestion],
    *,
    request: EvalRequest,
    modes: Sequence[Mode],
    generator: Generator,
    retriever: Retriever | None,
) -> list[QuestionRecord]:
    """Generate once per question, writing each record as it comes so an interrupted run keeps its work."""
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
