"""How well the rule-based S2A split recovers the question from planted-opinion messages (no model).

For each built-in set: the share of planted variants whose understood question is exactly the clean
question, the share where a planted wrong answer survives in the understood question, and the share of
clean questions the rules leave unchanged (the detector's cost on bare questions is zero when it does).

    python bench/s2a_split.py --limit 200
"""

from __future__ import annotations

import argparse
import os
from collections import defaultdict
from pathlib import Path

from assistant.evaluation.datasets import load_datasets
from assistant.evaluation.planted import planted_variants
from assistant.s2a import split_by_rules

SETS = ("halueval-qa", "nq", "disfl-qa-answerable", "zh-docs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument(
        "--cache-dir", type=Path, default=Path(os.environ.get("ASSISTANT_CACHE_DIR", ".cache"))
    )
    args = parser.parse_args()
    print("| set | template | planted | question recovered | planted answer left | clean unchanged |")
    print("|---|---|---:|---:|---:|---:|")
    for name in SETS:
        clean = load_datasets([name], cache_dir=args.cache_dir, limit=args.limit)
        unchanged = sum(split_by_rules(q.question).question == q.question for q in clean) / len(clean)
        by_template: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
        originals = {q.id: q for q in clean}
        for variant in planted_variants(clean):
            base, _, template = variant.id.partition("-planted-")
            understood = split_by_rules(variant.question).question
            left = bool(variant.planted) and variant.planted in understood
            by_template[template].append((understood == originals[base].question, left))
        for template, rows in sorted(by_template.items()):
            recovered = sum(r for r, _ in rows) / len(rows)
            left = sum(lf for _, lf in rows) / len(rows)
            print(f"| {name} | {template} | {len(rows)} | {recovered:.3f} | {left:.3f} | {unchanged:.3f} |")


if __name__ == "__main__":
    main()
