"""Answers made only of the question's own words, per stage: right or wrong (replay of records).

    python bench/slot_fillers.py docs/results/records/*.jsonl [--out FILE]

An answer with no claim beyond the question ("Zinnia", "温度计测量温度。") counts as no answer unless
it names an option or a slot (`assistant.slots.slot_filler`). Per stage, over the distinct
(question, answer) pairs of the records: how many such answers there are, and how many of them hold
a gold answer, to show at which stage naming the question's own words should count as an answer.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.evaluation.normalise import contains_answer
from assistant.evaluation.question_record import QuestionRecord, read_records
from assistant.refusal import is_refusal
from assistant.signals import adds_claim
from assistant.slots import slot_filler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, help="Also write the table here (Markdown).")
    args = parser.parse_args()
    records = [r for path in args.records for r in read_records(path)]
    lines = [
        f"{len(records)} records from {len(args.records)} files; distinct (question, answer) pairs.",
        "",
        "| stage | no claim beyond the question | naming an option or slot | right | examples (right) "
        "| examples (wrong) |",
        "|---|---:|---:|---:|---|---|",
        _row("closed-book", ((r, r.parametric_answer) for r in records)),
        _row("grounded", ((r, r.grounded_answer) for r in records if r.grounded_support is not None)),
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")


def _row(stage: str, answers: Iterable[tuple[QuestionRecord, str]]) -> str:
    no_claim: set[tuple[str, str]] = set()
    fillers: dict[str, bool] = {}
    for record, answer in answers:
        question = record.understood or record.question
        if not answer or is_refusal(answer) or adds_claim(answer, question=question):
            continue
        no_claim.add((question, answer))
        if slot_filler(answer, question=question):
            right = record.answerable and contains_answer(answer, record.answers)
            fillers[f"{question} -> {answer}"] = right
    right = [pair for pair, ok in fillers.items() if ok]
    wrong = [pair for pair, ok in fillers.items() if not ok]
    return (
        f"| {stage} | {len(no_claim)} | {len(fillers)} | {len(right)} | "
        f"{'; '.join(right[:3])} | {'; '.join(wrong[:3])} |"
    )


if __name__ == "__main__":
    main()
