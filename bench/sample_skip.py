"""What skipping decided closed-book samples saves, replayed from recorded runs (no model).

    python bench/sample_skip.py runs/m05/records.jsonl [--confidence FILE] [--profile balanced]

For each record the closed-book confidence is computed at agreement 0 and at agreement 1 (the
confidence is monotone in agreement, so these bound it). When both bounds fall on the same side of
the profile's `min_confidence_parametric`, the samples cannot change the decision and
`parametric_stage(skip_decided_samples=True)` draws none. Tokens counted as the flow spends them:
decided = the greedy answer alone; undecided = the greedy answer alone, then the greedy answer and the
samples again in the sampling call. A refusal is never sampled either way.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.confidence import Calibrator, load_calibrator
from assistant.evaluation.question_record import QuestionRecord, read_records
from assistant.flow import agreement_could_move
from assistant.thresholds import PROFILES, Thresholds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=Path, nargs="+")
    parser.add_argument("--confidence", type=Path, help="A confidence model (default: the packaged one).")
    parser.add_argument("--profile", default="balanced", choices=sorted(PROFILES))
    args = parser.parse_args()
    records = [record for path in args.records for record in read_records(path)]
    calibrator = load_calibrator(args.confidence)
    thresholds = PROFILES[args.profile]
    decided = [r for r in records if not r.refused and not undecided(r, calibrator, thresholds)]
    undecided_records = [r for r in records if not r.refused and undecided(r, calibrator, thresholds)]
    refused = [r for r in records if r.refused]
    always = sum(_sampled_once(r, thresholds) for r in records)
    skipping = sum(r.greedy_tokens for r in decided + refused) + sum(
        r.greedy_tokens + _sampled_once(r, thresholds) for r in undecided_records
    )
    count = len(records)
    print(f"{count} records, profile {args.profile}, model: {calibrator.fitted_on or 'packaged'}")
    print("| closed-book stage | questions | share |")
    print("|---|---:|---:|")
    for name, group in (("refused (never sampled)", refused), ("decided by the greedy answer", decided)):
        print(f"| {name} | {len(group)} | {len(group) / count:.3f} |")
    print(f"| needs its samples | {len(undecided_records)} | {len(undecided_records) / count:.3f} |")
    print()
    print("| closed-book tokens per question | always sample | skip decided | saved |")
    print("|---|---:|---:|---:|")
    print(f"| mean | {always / count:.1f} | {skipping / count:.1f} | {1 - skipping / always:.3f} |")


def undecided(record: QuestionRecord, calibrator: Calibrator, thresholds: Thresholds) -> bool:
    """Whether the samples' agreement could still move this answer across the profile's level."""
    return agreement_could_move(record.closed_signals, calibrator, thresholds)


def _sampled_once(record: QuestionRecord, thresholds: Thresholds) -> int:
    """Tokens of the one call that draws the greedy answer and the profile's samples."""
    return record.greedy_tokens + sum(record.sample_tokens[: thresholds.n_samples])


if __name__ == "__main__":
    main()
