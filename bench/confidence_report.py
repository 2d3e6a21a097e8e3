"""The calibrated confidence end to end, from recorded runs: fit, levels, and the test-split table.

    python bench/confidence_report.py runs/m05/records.jsonl [more.jsonl ...] \
        --model-out assistant/confidence_default.json --out docs/results/confidence.md

`--shipped-levels` reports at the levels of `assistant/thresholds.py` instead of choosing them: a
calibrated confidence means the same chance of being right for every model, so another model's own
fit (assistant/confidence_<model>.json) shares the profiles' levels.

Records of the same (dataset, id) in several files count once (the first). `--train-also` adds the
train-split records of other runs (another backend of the same model, say) to the fit only: the
levels and every table come from the positional records alone.

1. Fit both stage models on the train split (a sha256 of dataset and id; `assistant calibrate --fit`
   does the same) - or, without `--fit`, read `--confidence` / the packaged model.
2. Choose each profile's two levels on the train split alone: per stage, the lowest level at which
   that stage's answers reach the profile's precision target (`PRECISION_TARGETS`).
3. Report on the test split only: each signal's AUROC and each stage's ECE, then closed-book, rag and
   the three fallback profiles (accuracy, precision, abstention, tokens, p50), then the risk-coverage
   comparison (best precision of each mode at or above each answer rate).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from assistant.confidence import Calibrator, load_calibrator, save_calibrator
from assistant.evaluation.fitting import fit_calibrator, split_of
from assistant.evaluation.normalise import contains_answer
from assistant.evaluation.question_record import QuestionRecord, read_records
from assistant.evaluation.replay import Mode, closed_confidence, grounded_confidence, grounded_usable
from assistant.evaluation.report import metrics_table
from assistant.evaluation.scores import mode_metrics
from assistant.evaluation.signal_report import report_table, stage_reports
from assistant.evaluation.sweep import CurvePoint, mode_curve
from assistant.thresholds import PROFILES, Thresholds

PRECISION_TARGETS = {"strict": 0.92, "balanced": 0.80, "chatty": 0.70}
COVERAGE_STEPS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
LEVEL_STEPS = 50
MIN_ANSWERS = 5  # a level that keeps fewer train answers than this says nothing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=Path, nargs="+")
    parser.add_argument("--fit", action="store_true", help="Fit on the train split (else read a model).")
    parser.add_argument("--confidence", type=Path, help="The model to read without --fit.")
    parser.add_argument("--model-out", type=Path, help="Write the fitted model here.")
    parser.add_argument("--out", type=Path, help="Also write the report here (Markdown).")
    parser.add_argument(
        "--train-also", type=Path, action="append", default=[], help="More records for the fit only."
    )
    parser.add_argument("--model-name", default="", help="Named first in the fit's `fitted_on`.")
    parser.add_argument("--shipped-levels", action="store_true", help="Use the profiles' levels as shipped.")
    args = parser.parse_args()
    records = _first_of_each([record for path in args.records for record in read_records(path)])
    extra = _first_of_each([record for path in args.train_also for record in read_records(path)])
    train = [r for r in records if split_of(r) == "train"]
    test = [r for r in records if split_of(r) == "test"]
    calibrator = _calibrator(args, [*records, *extra])
    levels = {
        name: PROFILES[name] if args.shipped_levels else _levels(train, PROFILES[name], calibrator, target)
        for name, target in PRECISION_TARGETS.items()
    }
    sections = [
        f"{len(records)} records ({len(train)} train, {len(test)} test): "
        + ", ".join(f"{d} {n}" for d, n in _counts(records))
        + (f"; the fit also read the train split of {len(extra)} more records" if extra else ""),
        f"Confidence model: {calibrator.fitted_on or 'packaged'}",
        "",
        "## Signals and calibration (every split)",
        "",
        report_table(stage_reports(records, calibrator)),
        "",
        "## Profile levels, " + ("as shipped" if args.shipped_levels else "chosen on the train split"),
        "",
        "| profile | precision target (train) | min_confidence_parametric | min_confidence_grounded |",
        "|---|---:|---:|---:|",
        *(
            f"| {name} | {PRECISION_TARGETS[name]:.2f} | {t.min_confidence_parametric:.2f} | "
            f"{t.min_confidence_grounded:.2f} |"
            for name, t in levels.items()
        ),
        "",
        "## Test split",
        "",
        metrics_table([mode_metrics(test, mode) for mode in _modes(levels, calibrator)]),
        "",
        "## Risk-coverage on the test split: best precision at or above each answer rate",
        "",
        _coverage_table(test, _modes(levels, calibrator)),
    ]
    text = "\n".join(sections) + "\n"
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")


def _calibrator(args: argparse.Namespace, records: Sequence[QuestionRecord]) -> Calibrator:
    if not args.fit:
        return load_calibrator(args.confidence)
    names = ", ".join(sorted({r.dataset for r in records}))
    whose = f"{args.model_name}: " if args.model_name else ""
    fitted = fit_calibrator(
        records, fitted_on=f"{whose}{len(records)} records ({names}), train split", base=load_calibrator(None)
    )
    if args.model_out is not None:
        save_calibrator(fitted, args.model_out)
    return fitted


def _levels(
    train: Sequence[QuestionRecord], base: Thresholds, calibrator: Calibrator, target: float
) -> Thresholds:
    """Per stage, the lowest level at which that stage's own train answers reach the target precision.

    Stage by stage rather than the joint sweep of `assistant calibrate`: with few closed-book answers
    right, the joint sweep trades the closed-book level for a few answers and picks the same level for
    every profile; a level per stage says what each number promises.
    """
    mode = Mode("fit", "fallback", base, calibrator)
    closed = [
        (closed_confidence(r, mode), r.answerable and contains_answer(r.parametric_answer, r.answers))
        for r in train
        if not r.refused
    ]
    grounded = [
        (grounded_confidence(r, mode), r.answerable and contains_answer(r.grounded_answer, r.answers))
        for r in train
        if grounded_usable(r, base)
    ]
    return base.model_copy(
        update={
            "min_confidence_parametric": _lowest_level(closed, target),
            "min_confidence_grounded": _lowest_level(grounded, target),
        }
    )


def _lowest_level(scored: Sequence[tuple[float, bool]], target: float) -> float:
    """The lowest grid level whose answers at or above it (at least MIN_ANSWERS) reach `target`.

    When none does (too few train answers that sure), the target itself: the confidence is
    calibrated, so answers at or above it are expected to be right that often; 1.0 would turn the
    stage off for the profile.
    """
    for step in range(LEVEL_STEPS + 1):
        level = step / LEVEL_STEPS
        kept = [right for confidence, right in scored if confidence >= level]
        if len(kept) >= MIN_ANSWERS and sum(kept) / len(kept) >= target:
            return level
    return target


def _modes(levels: dict[str, Thresholds], calibrator: Calibrator) -> list[Mode]:
    balanced = levels["balanced"]
    return [
        Mode("closed", "closed", balanced, calibrator),
        Mode("rag", "rag", balanced, calibrator),
        *(Mode(f"fallback-{name}", "fallback", t, calibrator) for name, t in levels.items()),
    ]


def _coverage_table(records: Sequence[QuestionRecord], modes: Sequence[Mode]) -> str:
    chosen = [m for m in modes if m.name in ("closed", "rag", "fallback-balanced")]
    curves = {m.name: mode_curve(records, m) for m in chosen}
    header = "| answer rate >= | " + " | ".join(curves) + " |"
    lines = [header, "|---:|" + "---:|" * len(curves)]
    for step in COVERAGE_STEPS:
        cells = [_best_precision(points, step) for points in curves.values()]
        lines.append(f"| {step:.1f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _best_precision(points: Sequence[CurvePoint], coverage: float) -> str:
    reached = [p.precision for p in points if p.answer_rate >= coverage and p.precision is not None]
    return f"{max(reached):.3f}" if reached else "-"


def _first_of_each(records: Sequence[QuestionRecord]) -> list[QuestionRecord]:
    """One record per (dataset, id): two runs that both asked a question count it once."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for record in records:
        if (record.dataset, record.id) not in seen:
            seen.add((record.dataset, record.id))
            kept.append(record)
    return kept


def _counts(records: Sequence[QuestionRecord]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for record in records:
        counts[record.dataset] = counts.get(record.dataset, 0) + 1
    return sorted(counts.items())


if __name__ == "__main__":
    main()
