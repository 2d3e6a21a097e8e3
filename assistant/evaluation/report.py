"""The report of an evaluation run: a JSON document and a Markdown table of every mode's metrics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from assistant.evaluation.replay import Mode
from assistant.evaluation.scores import ModeMetrics
from assistant.evaluation.sweep import CurvePoint

_COLUMNS = (
    ("mode", "mode"),
    ("accuracy", "accuracy"),
    ("answer_rate", "answer rate"),
    ("precision", "precision"),
    ("abstention_rate", "abstention (unans.)"),
    ("hallucination_rate", "hallucination (unans.)"),
    ("retrieval_rate", "retrieval rate"),
    ("planted_repeat_rate", "repeats planted"),
    ("llm_calls", "LLM calls/q"),
    ("tokens", "tokens/q"),
    ("latency_p50_ms", "p50 ms"),
    ("latency_p95_ms", "p95 ms"),
)
_RATES = {
    "accuracy",
    "answer_rate",
    "precision",
    "abstention_rate",
    "hallucination_rate",
    "retrieval_rate",
    "planted_repeat_rate",
}


def report_json(
    *,
    metrics: Sequence[ModeMetrics],
    modes: Sequence[Mode],
    curves: dict[str, list[CurvePoint]],
    run: dict[str, Any],
) -> dict[str, Any]:
    """Everything needed to redraw the table and the plot: run facts, thresholds, metrics, curves."""
    return {
        "run": run,
        "modes": {
            mode.name: {"kind": mode.kind, "thresholds": mode.thresholds.model_dump()} for mode in modes
        },
        "metrics": [asdict(m) for m in metrics],
        "curves": {name: [asdict(p) for p in points] for name, points in curves.items()},
    }


def report_markdown(*, metrics: Sequence[ModeMetrics], run: dict[str, Any]) -> str:
    counts = metrics[0] if metrics else None
    lines = [
        "# Evaluation report",
        "",
        f"Model: `{run.get('model', '?')}`; questions: {run.get('questions', 0)} "
        f"({counts.answerable if counts else 0} answerable, {counts.unanswerable if counts else 0} "
        f"unanswerable); sources: {', '.join(run.get('datasets', []))}.",
        "",
        metrics_table(metrics),
        "",
        "Accuracy, answer rate and precision are over answerable questions; abstention and "
        'hallucination over unanswerable ones; the rest over all questions. "-" = no such question.',
        "",
    ]
    return "\n".join(lines)


def metrics_table(metrics: Sequence[ModeMetrics]) -> str:
    header = "| " + " | ".join(title for _, title in _COLUMNS) + " |"
    rule = "|" + "|".join("---" if key == "mode" else "---:" for key, _ in _COLUMNS) + "|"
    rows = ["| " + " | ".join(_cell(key, getattr(m, key)) for key, _ in _COLUMNS) + " |" for m in metrics]
    return "\n".join([header, rule, *rows])


def curve_table(points: Sequence[CurvePoint], *, chosen: CurvePoint | None = None) -> str:
    """The curve as text for the terminal: one row per point, the chosen one marked."""
    lines = ["parametric  grounded  answer rate  precision", "----------  --------  -----------  ---------"]
    for p in points:
        mark = "  <= chosen" if p == chosen else ""
        precision = "-" if p.precision is None else f"{p.precision:.3f}"
        lines.append(
            f"{p.min_confidence_parametric:10.3f}  {p.min_confidence_grounded:8.3f}  {p.answer_rate:11.3f}  "
            f"{precision:>9}{mark}"
        )
    return "\n".join(lines)


def _cell(key: str, value: object) -> str:
    if value is None:
        return "-"
    if key in _RATES and isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
