"""How the sample count and temperature shape the confidence, replayed from recorded runs (no model).

    python bench/sample_settings.py RUN.jsonl[,MORE.jsonl] [RUN.jsonl ...] [--label NAME ...] [--counts 1,3,5]

Each argument is one recorded run (`assistant eval`; files joined by commas count as one run), for
instance one per sample temperature; only the
questions that every file holds are compared, so the runs compare like with like. For each run and
sample count n, both stages' agreement is recomputed over the first n recorded samples (as
`assistant.evaluation.replay` does for a profile with fewer samples), and per stage the table gives:
the answers the stage could give and how many are right, the AUROC of agreement alone, the AUROC and
ECE on the test split of the combined confidence refitted on the train split with that agreement, and
the tokens the samples cost per question.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from assistant.confidence import Calibrator, Stage, load_calibrator
from assistant.evaluation.fitting import expected_calibration_error, fit_calibrator, split_of, stage_rows
from assistant.evaluation.question_record import QuestionRecord, read_records
from assistant.evaluation.replay import with_first_samples
from assistant.evaluation.scores import auroc

STAGES: tuple[Stage, ...] = ("parametric", "grounded")
HEADER = (
    "| run | samples | stage | answers | right | AUROC agreement | AUROC test (refit) | ECE test"
    " | sample tokens/q |\n|---|---:|---|---:|---:|---:|---:|---:|---:|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="Records of one run: FILE.jsonl[,FILE.jsonl...].")
    parser.add_argument("--label", action="append", default=[], help="A name per run, in order.")
    parser.add_argument("--counts", default="1,2,3,4,5", help="Sample counts to replay.")
    args = parser.parse_args()
    labels = args.label or [Path(run.split(",")[0]).stem for run in args.runs]
    if len(labels) != len(args.runs):
        parser.error("give one --label per run, or none")
    runs = common_questions([[r for p in run.split(",") for r in read_records(Path(p))] for run in args.runs])
    counts = [int(n) for n in args.counts.split(",")]
    print(f"{len(runs[0])} questions held by every run\n")
    print(HEADER)
    for label, records in zip(labels, runs, strict=True):
        for n in counts:
            replayed = [with_first_samples(record, n) for record in records]
            fitted = fit_calibrator(replayed, fitted_on=f"{label} n={n}", base=load_calibrator(None))
            for stage in STAGES:
                print(row(label, n, stage, replayed, fitted))


def common_questions(runs: Sequence[Sequence[QuestionRecord]]) -> list[list[QuestionRecord]]:
    """Each run cut to the questions all runs hold (one record per question), in one order."""
    keyed = [{(r.dataset, r.id): r for r in records} for records in runs]
    shared = sorted(set.intersection(*(set(k) for k in keyed)))
    return [[run[key] for key in shared] for run in keyed]


def row(label: str, n: int, stage: Stage, records: Sequence[QuestionRecord], fitted: Calibrator) -> str:
    rows = stage_rows(records, stage)
    agreements = [s.get("agreement", 0.0) for s in rows.signals]
    alone = auroc(*_split_by_label(agreements, rows.labels))
    test = stage_rows([r for r in records if split_of(r) == "test"], stage)
    confidences = [fitted.confidence(stage, s) for s in test.signals]
    combined = auroc(*_split_by_label(confidences, test.labels))
    ece = expected_calibration_error(confidences, test.labels)
    tokens = [r.sample_tokens if stage == "parametric" else r.grounded_sample_tokens for r in records]
    per_question = sum(sum(t) for t in tokens) / len(records)
    return (
        f"| {label} | {n} | {stage} | {len(rows.labels)} | {sum(rows.labels)} | {_shown(alone)} | "
        f"{_shown(combined)} | {ece:.3f} | {per_question:.1f} |"
    )


def _split_by_label(values: Sequence[float], labels: Sequence[bool]) -> tuple[list[float], list[float]]:
    right = [v for v, y in zip(values, labels, strict=True) if y]
    wrong = [v for v, y in zip(values, labels, strict=True) if not y]
    return right, wrong


def _shown(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


if __name__ == "__main__":
    main()
