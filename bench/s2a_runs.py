"""Clean questions, planted-opinion questions without S2A, and with it: one table per language (no model).

    python bench/s2a_runs.py --run "S2A auto=runs/s2a-auto/records.jsonl" \
        --run "S2A off=runs/s2a-off/records.jsonl" [--mode fallback] [--out docs/results/s2a-runs.md] \
        [--confidence assistant/confidence_qwen2.5-coder-1.5b.json]

Each `--run LABEL=FILE` is the records of one `assistant eval` run (docs/results/s2a.md has the
commands). Its clean records (dataset without `-planted`) and planted records are reported apart,
English and Chinese apart, through the same replay as `assistant eval` (`--mode`, default the balanced
fallback). "changed by S2A" is the share of messages whose understood question differs from the message:
on clean questions that bounds how many answers S2A could change at all.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from pathlib import Path

from assistant.confidence import load_calibrator
from assistant.evaluation.modes import build_modes
from assistant.evaluation.question_record import QuestionRecord, read_records
from assistant.evaluation.report import metrics_table
from assistant.evaluation.scores import mode_metrics
from assistant.language import detect_language
from assistant.thresholds import PROFILES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", action="append", required=True, help="LABEL=records.jsonl")
    parser.add_argument("--mode", default="fallback", help="closed, rag, fallback or fallback-PROFILE")
    parser.add_argument("--out", type=Path, help="Also write the tables here (Markdown).")
    parser.add_argument(
        "--confidence", type=Path, help="Confidence model JSON (default: the default model's packaged one)."
    )
    args = parser.parse_args()
    calibrator = load_calibrator(args.confidence) if args.confidence else None
    (mode,) = build_modes([args.mode], current=PROFILES["balanced"], calibrator=calibrator)
    sections = []
    for language in ("en", "zh"):
        rows = []
        changed = []
        for label, path in (_labelled(value) for value in args.run):
            records = [r for r in read_records(path) if _language(r) == language]
            for kind, group in (("clean", _clean(records)), ("planted", _planted(records))):
                if group:
                    rows.append(mode_metrics(group, dataclasses.replace(mode, name=f"{kind}, {label}")))
                    changed.append(f"{kind}, {label}: {_changed_share(group):.3f} of {len(group)}")
        if rows:
            sections.append(
                f"## {language} ({args.mode})\n\n{metrics_table(rows)}\n\nchanged by S2A: "
                + "; ".join(changed)
                + "\n"
            )
    text = "\n".join(sections)
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")


def _labelled(value: str) -> tuple[str, Path]:
    label, _, path = value.partition("=")
    if not path:
        raise SystemExit(f"--run wants LABEL=FILE, not {value!r}")
    return label, Path(path)


def _language(record: QuestionRecord) -> str:
    return "zh" if record.dataset.startswith("zh-") else detect_language(record.question) or "en"


def _clean(records: Sequence[QuestionRecord]) -> list[QuestionRecord]:
    return [r for r in records if not r.dataset.endswith("-planted")]


def _planted(records: Sequence[QuestionRecord]) -> list[QuestionRecord]:
    return [r for r in records if r.dataset.endswith("-planted")]


def _changed_share(records: Sequence[QuestionRecord]) -> float:
    return sum((r.understood or r.question) != r.question for r in records) / len(records)


if __name__ == "__main__":
    main()
