"""Two models' recorded runs over the same questions, side by side (no model: replay of records).

    python bench/models_side_by_side.py --run "0.5B=a.jsonl" --run "1.5B=b.jsonl" \
        [--confidence "1.5B=assistant/confidence_qwen2.5-coder-1.5b.json"] [--test-split] [--out FILE]

Only questions recorded in every run are compared (with `--test-split`, only those of the test split,
which no fit sees). Per run: how often each stage's own answer holds a gold answer before any gate
(closed-book over answerable questions; grounded over answerable questions that got a grounded
answer), then closed, rag and the balanced fallback replayed with the packaged levels and the run's
`--confidence` model (default: the packaged default), as `assistant eval` reports them.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.confidence import load_calibrator
from assistant.evaluation.fitting import split_of
from assistant.evaluation.modes import build_modes
from assistant.evaluation.normalise import contains_answer
from assistant.evaluation.question_record import QuestionRecord, read_records
from assistant.evaluation.report import metrics_table
from assistant.evaluation.scores import mode_metrics
from assistant.thresholds import PROFILES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", action="append", required=True, help="LABEL=records.jsonl (repeatable)")
    parser.add_argument("--confidence", action="append", default=[], help="LABEL=model.json (repeatable)")
    parser.add_argument("--test-split", action="store_true", help="Only the test split's questions.")
    parser.add_argument("--out", type=Path, help="Also write the tables here (Markdown).")
    args = parser.parse_args()
    runs = dict(_labelled(value) for value in args.run)
    models = dict(_pair(value) for value in args.confidence)
    for path in models.values():
        if not Path(path).is_file():
            raise SystemExit(f"no confidence model at {path}")
    shared = set.intersection(*({(r.dataset, r.id) for r in records} for records in runs.values()))
    runs = {
        label: [
            r
            for r in records
            if (r.dataset, r.id) in shared and (not args.test_split or split_of(r) == "test")
        ]
        for label, records in runs.items()
    }
    count = len(next(iter(runs.values())))
    lines = [
        f"{count} questions recorded in every run" + (" (test split)." if args.test_split else "."),
        "",
        "| run | closed-book answer right (answerable) | grounded answer right (answerable, answered) |",
        "|---|---:|---:|",
        *(f"| {label} | {_right_share(records)} |" for label, records in runs.items()),
        "",
        *_same_answers(runs),
    ]
    rows = []
    for label, records in runs.items():
        calibrator = load_calibrator(Path(models[label])) if label in models else None
        modes = build_modes(
            ["closed", "rag", "fallback"], current=PROFILES["balanced"], calibrator=calibrator
        )
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
    label, path = _pair(value)
    return label, read_records(Path(path))


def _pair(value: str) -> tuple[str, str]:
    label, _, path = value.partition("=")
    if not path:
        raise SystemExit(f"--run and --confidence want LABEL=FILE, not {value!r}")
    return label, path


if __name__ == "__main__":
    main()
