"""What skipping decided samples saves, per stage, replayed from recorded runs (no model).

    python bench/sample_skip.py runs/m05/records.jsonl [--confidence FILE] [--profile balanced]

For each record and stage the confidence is computed at agreement 0 and at agreement 1 (the
confidence is monotone in agreement, so these bound it). When both bounds fall on the same side of
the profile's level for that stage, the samples cannot change the decision and the flow
(`skip_decided_samples=True`) draws none. Tokens counted as the flow spends them: decided = the
greedy answer alone; undecided = the greedy answer alone, then the greedy answer and the samples
again in the sampling call. A refusal is never sampled either way. The grounded stage counts only
records whose grounded answer was generated with its samples recorded.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.confidence import Calibrator, Stage, load_calibrator
from assistant.drawing import agreement_could_move
from assistant.evaluation.question_record import QuestionRecord, read_records
from assistant.refusal import is_refusal
from assistant.thresholds import PROFILES, Thresholds


@dataclass(frozen=True)
class StageView:
    """One stage of a record, as the skip decision sees it."""

    signals: Mapping[str, float]
    refused: bool
    greedy_tokens: int
    sample_tokens: Sequence[int]


def closed_view(record: QuestionRecord) -> StageView:
    return StageView(record.closed_signals, record.refused, record.greedy_tokens, record.sample_tokens)


def grounded_view(record: QuestionRecord) -> StageView | None:
    if not record.grounded_signals or record.grounded_agreement is None:
        return None
    refused = is_refusal(record.grounded_answer)
    return StageView(record.grounded_signals, refused, record.grounded_tokens, record.grounded_sample_tokens)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=Path, nargs="+")
    parser.add_argument("--confidence", type=Path, help="A confidence model (default: the packaged one).")
    parser.add_argument("--profile", default="balanced", choices=sorted(PROFILES))
    args = parser.parse_args()
    records = [record for path in args.records for record in read_records(path)]
    calibrator = load_calibrator(args.confidence)
    thresholds = PROFILES[args.profile]
    print(f"{len(records)} records, profile {args.profile}, model: {calibrator.fitted_on or 'packaged'}")
    closed = [closed_view(r) for r in records]
    grounded = [view for r in records if (view := grounded_view(r)) is not None]
    for stage, views in (("parametric", closed), ("grounded", grounded)):
        print()
        print_stage(stage, views, calibrator, thresholds)
    print()
    print_grounded_by_outcome(records, calibrator, thresholds)


def print_stage(stage: Stage, views: list[StageView], calibrator: Calibrator, thresholds: Thresholds) -> None:
    refused = [v for v in views if v.refused]
    undecided = [
        v for v in views if not v.refused and agreement_could_move(stage, v.signals, calibrator, thresholds)
    ]
    decided_count = len(views) - len(refused) - len(undecided)
    always = sum(_sampled_once(v, thresholds) for v in views)
    skipping = sum(v.greedy_tokens for v in views) + sum(_sampled_once(v, thresholds) for v in undecided)
    count = len(views)
    print(f"| {stage} stage | questions | share |")
    print("|---|---:|---:|")
    for name, size in (
        ("refused (never sampled)", len(refused)),
        ("decided by the greedy answer", decided_count),
        ("needs its samples", len(undecided)),
    ):
        print(f"| {name} | {size} | {size / count:.3f} |")
    print()
    print(f"| {stage} tokens per question | always sample | skip decided | saved |")
    print("|---|---:|---:|---:|")
    print(f"| mean | {always / count:.1f} | {skipping / count:.1f} | {1 - skipping / always:.3f} |")


def print_grounded_by_outcome(
    records: list[QuestionRecord], calibrator: Calibrator, thresholds: Thresholds
) -> None:
    """Among the questions the live flow takes to the grounded stage (closed-book confidence under its
    level): how many of the answers it keeps, and of those it abstains on, still need their samples."""
    print("| grounded stage, as the flow decides | questions | need their samples | share |")
    print("|---|---:|---:|---:|")
    reached = [
        r
        for r in records
        if grounded_view(r) is not None
        and calibrator.confidence("parametric", r.closed_signals) < thresholds.min_confidence_parametric
    ]
    for name, keep in (("kept from the passages", True), ("abstained", False)):
        group = [
            r
            for r in reached
            if (calibrator.confidence("grounded", r.grounded_signals) >= thresholds.min_confidence_grounded)
            == keep
        ]
        needing = sum(
            agreement_could_move("grounded", r.grounded_signals, calibrator, thresholds) for r in group
        )
        print(f"| {name} | {len(group)} | {needing} | {needing / max(1, len(group)):.2f} |")


def _sampled_once(view: StageView, thresholds: Thresholds) -> int:
    """Tokens of the one call that draws the greedy answer and the profile's samples."""
    return view.greedy_tokens + sum(view.sample_tokens[: thresholds.n_samples])


if __name__ == "__main__":
    main()
