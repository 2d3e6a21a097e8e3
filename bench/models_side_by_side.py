"""Two models' recorded runs over the same questions, side by side (no model: replay of records).

    python bench/models_side_by_side.py --run "0.5B=a.jsonl" --run "1.5B=b.jsonl" [--out FILE]

Only questions recorded in every run are compared. Per run: how often each stage's own answer holds a
gold answer before any gate (closed-book over answerable questions; grounded over answerable
questions that got a grounded answer), then closed, rag and the balanced fallback replayed with the
packaged confidence model and levels, as `assistant eval` reports them.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.evaluation.modes import build_modes
from assistant.evaluation.normalise import contains_answer
from assistant.evaluation.question_record import QuestionRecord, read_records
from assistant.evaluation.report import metrics_table
from assistant.evaluation.scores import mode_metrics
from assistant.thresholds import PROFILES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", action="append", required=True, help="LABEL=records.jsonl (repeatable)")
    parser.add_argument("--out", type=Path, help="Also write the tables here (Markdown).")
    args = parser.parse_args()
    runs = dict(_labelled(value) for value in args.run)
    shared = set.intersection(*({(r.dataset, r.id) for r in records} for records in runs.values()))
    runs = {label: [r for r in records if (r.dataset, r.id) in shared] for label, records in runs.items()}
    modes = build_modes(["closed", "rag", "fallback"], current=PROFILES["balanced"])
    lines = [
        f"{len(shared)} questions recorded in every run.",
        "",
        "| run | closed-book answer right (answerable) | grounded answer right (answerable, answered) |",
        "|---|---:|---:|",
        *(f"| {label} | {_right_share(records)} |" for label, records in runs.items()),
        "",
        *_same_answers(runs),
    ]
    rows = []
    for label, records in runs.items():
        for metrics in (mode_metrics(records, mode) for mode in modes):
            rows.append(dataclasses.replace(metrics, mode=f"{metrics.mode}, {label}"))
    lines.append(metrics_table(rows))
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")


def _right_share(records: Sequence[QuestionRecord]) -> str:
    answerable = [r for r in records if r.answerable]
    closed = sum(contains_answer(r.parametric_answer, r.answers) for r in answerable)
    grounded = [r for r in answerable if r.grounded_support is not None]
    right = sum(contains_answer(r.grounded_answer, r.answers) for r in grounded)
    return f"{closed} of {len(answerable)} | {right} of {len(grounded)}"


def _same_answers(runs: dict[str, list[QuestionRecord]]) -> list[str]:
    """Per later run: how many greedy answers are word for word the first run's (same weights, other
    precision should keep nearly all)."""
    (first_label, first), *others = runs.items()
    key = {(r.dataset, r.id): r for r in first}
    lines = []
    for label, records in others:
        pairs = [(key[(r.dataset, r.id)], r) for r in records]
        closed = sum(a.parametric_answer == b.parametric_answer for a, b in pairs)
        grounded = [
            (a, b) for a, b in pairs if a.grounded_support is not None and b.grounded_support is not None
        ]
        same = sum(a.grounded_answer == b.grounded_answer for a, b in grounded)
        lines.append(
            f"{label} against {first_label}: the same closed-book answer for {closed} of {len(pairs)}, "
            f"the same grounded answer for {same} of {len(grounded)}."
        )
    return [*lines, ""] if lines else []


def _labelled(value: str) -> tuple[str, list[QuestionRecord]]:
    label, _, path = value.partition("=")
    if not path:
        raise SystemExit(f"--run wants LABEL=records.jsonl, not {value!r}")
    return label, read_records(Path(path))


if __name__ == "__main__":
    main()
