"""How well each signal and the combined confidence separate right from wrong answers, per stage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.confidence import Calibrator, Stage
from assistant.evaluation.fitting import FEATURES, expected_calibration_error, split_of, stage_rows
from assistant.evaluation.question_record import QuestionRecord
from assistant.evaluation.scores import auroc


@dataclass(frozen=True)
class StageReport:
    stage: Stage
    split: str
    answers: int  # answers the stage generated (and could give)
    right: int
    auroc: float | None  # of the combined confidence
    ece: float  # expected calibration error of the combined confidence
    signal_auroc: dict[str, float | None]  # each raw signal alone (higher = more confident)


def stage_reports(records: Sequence[QuestionRecord], calibrator: Calibrator) -> list[StageReport]:
    """Per stage and split (train, test, all): AUROC and ECE of the confidence, AUROC of each signal."""
    reports = []
    for stage in FEATURES:
        for split in ("train", "test", "all"):
            chosen = [r for r in records if split in ("all", split_of(r))]
            reports.append(_report(chosen, stage, split, calibrator))
    return reports


def report_table(reports: Sequence[StageReport]) -> str:
    """A Markdown table: one row per stage and split, the signals' AUROC in the last column."""
    lines = [
        "| stage | split | answers | right | AUROC | ECE | AUROC of each signal |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for r in reports:
        signals = ", ".join(f"{name} {_shown(value)}" for name, value in r.signal_auroc.items())
        counts = f"{r.answers} | {r.right}"
        lines.append(f"| {r.stage} | {r.split} | {counts} | {_shown(r.auroc)} | {r.ece:.3f} | {signals} |")
    return "\n".join(lines)


def _report(
    records: Sequence[QuestionRecord], stage: Stage, split: str, calibrator: Calibrator
) -> StageReport:
    rows = stage_rows(records, stage)
    confidences = [calibrator.confidence(stage, s) for s in rows.signals]
    right = [c for c, y in zip(confidences, rows.labels, strict=True) if y]
    wrong = [c for c, y in zip(confidences, rows.labels, strict=True) if not y]
    per_signal = {}
    for name in FEATURES[stage]:
        present = [(s[name], y) for s, y in zip(rows.signals, rows.labels, strict=True) if name in s]
        per_signal[name] = auroc([v for v, y in present if y], [v for v, y in present if not y])
    return StageReport(
        stage=stage,
        split=split,
        answers=len(rows.labels),
        right=sum(rows.labels),
        auroc=auroc(right, wrong),
        ece=expected_calibration_error(confidences, rows.labels),
        signal_auroc=per_signal,
    )


def _shown(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
