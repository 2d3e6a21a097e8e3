"""How often an answer that names no number, where the question asks for one, is right, in recorded runs.

    python bench/answer_type.py docs/results/records/*.jsonl [--out docs/results/answer-type.md]

Each distinct (stage, question, answer) counts once, refusals left out; "right" is the evaluation's
label (a gold answer contained). A question asks for a number by `assistant.answer_type`.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.answer_type import asks_for_number, lacks_asked_number
from assistant.evaluation.normalise import contains_answer
from assistant.evaluation.question_record import read_records
from assistant.refusal import is_refusal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, help="Also write the table here (Markdown).")
    args = parser.parse_args()
    seen: set[tuple[str, str, str]] = set()
    counts: Counter[tuple[str, bool, bool]] = Counter()
    right_without: list[str] = []
    for record in (r for path in args.records for r in read_records(path)):
        question = record.understood or record.question
        stages = (("closed-book", record.parametric_answer), ("grounded", record.grounded_answer))
        for stage, answer in stages:
            key = (stage, question, answer)
            if not answer or is_refusal(answer) or not asks_for_number(question) or key in seen:
                continue
            seen.add(key)
            right = record.answerable and contains_answer(answer, record.answers)
            lacks = lacks_asked_number(answer, question=question)
            counts[(stage, lacks, right)] += 1
            if lacks and right:
                right_without.append(f"- {stage}: {question} -> {answer} (gold {', '.join(record.answers)})")
    lines = ["| stage | answer names a number | answers | right | share right |", "|---|---|---:|---:|---:|"]
    for stage in ("closed-book", "grounded"):
        for lacks in (False, True):
            total = counts[(stage, lacks, True)] + counts[(stage, lacks, False)]
            right = counts[(stage, lacks, True)]
            share = f"{right / total:.3f}" if total else "-"
            lines.append(f"| {stage} | {'no' if lacks else 'yes'} | {total} | {right} | {share} |")
    text = "\n".join([*lines, "", "Right answers that name no number:", *right_without]) + "\n"
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
