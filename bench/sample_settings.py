"""How the sample count and temperature shape the confidence, replayed from recorded runs (no model).

    python bench/sample_settings.py RUN.jsonl[,MORE.jsonl] [RUN.jsonl ...] [--label NAME ...] [--counts 1,3,5]

Each argument is one recorded run (`assistant eval`; files joined by commas count as one run), for
instance one per sample temperature; only the questions that every run holds are compared, so the
runs compare like with like. For each run and
sample count n, both stages' agreement is recomputed over the first n recorded samples (as
`assistant.evaluation.replay` does for a profile with fewer samples), and per stage the table gives:
the answers the stage could give and how many are right, the AUROC of agreement alone, the AUROC and
ECE of the combined confidence refitted with that agreement, read out of fold (5 folds over the
stage's answers: each answer scored by a model fitted without it; a run of a few dozen questions is
too small for a fixed train/test split), and the tokens the samples cost per question.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from assistant.confidence import Stage
from assistant.evaluation.fitting import (
    FEATURES,
    StageRows,
    expected_calibration_error,
    fit_stage,
    stage_rows,
)
from assistant.evaluation.question_record import QuestionRecord, read_records, write_records
from assistant.evaluation.replay import with_first_samples
from assistant.evaluation.scores import auroc

STAGES: tuple[Stage, ...] = ("parametric", "grounded")
FOLDS = 5
HEADER = (
    "| run | samples | stage | answers | right | AUROC agreement | AUROC out of fold | ECE out of fold"
    " | sample tokens/q |\n|---|---:|---|---:|---:|---:|---:|---:|---:|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="Records of one run: FILE.jsonl[,FILE.jsonl...].")
    parser.add_argument("--label", action="append", default=[], help="A name per run, in order.")
    parser.add_argument("--counts", default="1,2,3,4,5", help="Sample counts to replay.")
    parser.add_argument("--write", type=Path, help="Also write each file cut to n samples as DIR/nN/NAME.")
    args = parser.parse_args()
    labels = args.label or [Path(run.split(",")[0]).stem for run in args.runs]
    if len(labels) != len(args.runs):
        parser.error("give one --label per run, or none")
    runs = common_questions([[r for p in run.split(",") for r in read_records(Path(p))] for run in args.runs])
    counts = [int(n) for n in args.counts.split(",")]
    if args.write is not None:
        write_cut(args.runs, counts, args.write)
    if not runs[0]:
        raise SystemExit("no question is held by every run (join one run's files with commas)")
    print(f"{len(runs[0])} questions held by every run\n")
    print(HEADER)
    for label, records in zip(labels, runs, strict=True):
        for n in counts:
            replayed = [with_first_samples(record, n) for record in records]
            for stage in STAGES:
                print(row(label, n, stage, replayed))


def write_cut(runs: Sequence[str], counts: Sequence[int], folder: Path) -> None:
    """Every named file, whole, cut to each count: records to replay or fit as if n were drawn."""
    for n in counts:
        (folder / f"n{n}").mkdir(parents=True, exist_ok=True)
        for name in (p for run in runs for p in run.split(",")):
            cut = [with_first_samples(record, n) for record in read_records(Path(name))]
            write_records(folder / f"n{n}" / Path(name).name, cut)


def common_questions(runs: Sequence[Sequence[QuestionRecord]]) -> list[list[QuestionRecord]]:
    """Each run cut to the questions all runs hold (one record per question), in one order."""
    keyed = [{(r.dataset, r.id): r for r in records} for records in runs]
    shared = sorted(set.intersection(*(set(k) for k in keyed)))
    return [[run[key] for key in shared] for run in keyed]


def row(label: str, n: int, stage: Stage, records: Sequence[QuestionRecord]) -> str:
    rows = stage_rows(records, stage)
    agreements = [s.get("agreement", 0.0) for s in rows.signals]
    alone = auroc(*_split_by_label(agreements, rows.labels))
    confidences = out_of_fold(rows, stage)
    combined = auroc(*_split_by_label(confidences, rows.labels))
    ece = expected_calibration_error(confidences, rows.labels)
    tokens = [r.sample_tokens if stage == "parametric" else r.grounded_sample_tokens for r in records]
    per_question = sum(sum(t) for t in tokens) / len(records)
    return (
        f"| {label} | {n} | {stage} | {len(rows.labels)} | {sum(rows.labels)} | {_shown(alone)} | "
        f"{_shown(combined)} | {ece:.3f} | {per_question:.1f} |"
    )


def out_of_fold(rows: StageRows, stage: Stage) -> list[float]:
    """Each answer's confidence from the stage model fitted on the other folds (row i in fold i mod k)."""
    confidences = [0.0] * len(rows.labels)
    for fold in range(FOLDS):
        inside = [i for i in range(len(rows.labels)) if i % FOLDS != fold]
        part = StageRows([rows.signals[i] for i in inside], [rows.labels[i] for i in inside])
        if len(set(part.labels)) < 2:
            continue  # all right or all wrong: nothing to fit, those answers read 0
        model = fit_stage(part, FEATURES[stage], stage=stage)
        for i in range(fold, len(rows.labels), FOLDS):
            confidences[i] = model.probability(rows.signals[i])
    return confidences


def _split_by_label(values: Sequence[float], labels: Sequence[bool]) -> tuple[list[float], list[float]]:
    right = [v for v, y in zip(values, labels, strict=True) if y]
    wrong = [v for v, y in zip(values, labels, strict=True) if not y]
    return right, wrong


def _shown(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


if __name__ == "__main__":
    main()
