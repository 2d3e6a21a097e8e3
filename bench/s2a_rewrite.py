"""S2A by rules against the paper's model rewrite (`s2a=on`) on planted-opinion messages: what each
recovers of the question and what the rewrite costs (one greedy call per message with more than one
sentence).

    python bench/s2a_rewrite.py --limit 10 --out docs/results/s2a-rewrite-0.5b.md

The model is the configured one (`Settings`: ASSISTANT_MODEL, ASSISTANT_BACKEND, ...). Per set and
method: "question kept" = the understood question holds every content term of the clean question;
"exact" = it is the clean question; "planted left" = the planted wrong answer survives in it; tokens and
milliseconds are the rewrite call's (0 for the rules).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from api.settings import Settings
from api.wiring import load_generator
from assistant.claims import text_features
from assistant.evaluation.counting import CountingGenerator
from assistant.evaluation.datasets import load_datasets
from assistant.evaluation.planted import planted_variants
from assistant.evaluation.questions import EvalQuestion
from assistant.s2a import Understood, split_by_rules, understand

SETS = ("halueval-qa", "nq", "zh-docs", "disfl-qa-answerable")


@dataclass(frozen=True)
class Row:
    kept: bool
    exact: bool
    planted_left: bool
    tokens: int
    ms: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    settings = Settings()
    generator = CountingGenerator(load_generator(settings))
    lines = [
        f"Model: {generator.model_id}; {args.limit} planted messages per set.",
        "",
        "| set | method | messages | question kept | exact | planted left | tokens/msg | ms/msg |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in SETS:
        clean = load_datasets([name], cache_dir=settings.cache_dir, limit=args.limit)
        pairs = list(zip(clean, planted_variants(clean), strict=True))
        methods: dict[str, Callable[[str], Understood]] = {
            "rules (auto)": split_by_rules,
            "model (on)": lambda message: understand(message, mode="on", generator=generator),
        }
        for method, split in methods.items():
            rows = [_measure(split, generator, original, variant) for original, variant in pairs]
            lines.append(_line(name, method, rows))
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")


def _measure(
    split: Callable[[str], Understood],
    generator: CountingGenerator,
    original: EvalQuestion,
    variant: EvalQuestion,
) -> Row:
    generator.reset()
    started = time.perf_counter()
    understood = split(variant.question).question
    elapsed = (time.perf_counter() - started) * 1000.0
    wanted = text_features(original.question)
    got = text_features(understood)
    kept = wanted.numbers <= got.numbers and wanted.terms <= got.terms
    left = bool(variant.planted) and variant.planted.casefold() in understood.casefold()
    return Row(kept, understood == original.question, left, generator.last_greedy_tokens, elapsed)


def _line(name: str, method: str, rows: Sequence[Row]) -> str:
    count = len(rows)

    def share(values: Sequence[bool]) -> str:
        return f"{sum(values) / count:.3f}"

    tokens = sum(r.tokens for r in rows) / count
    ms = sum(r.ms for r in rows) / count
    return (
        f"| {name} | {method} | {count} | {share([r.kept for r in rows])} | "
        f"{share([r.exact for r in rows])} | {share([r.planted_left for r in rows])} | "
        f"{tokens:.1f} | {ms:.0f} |"
    )


if __name__ == "__main__":
    main()
