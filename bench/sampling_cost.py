"""What sampling costs: greedy + k samples in one batched call, against greedy alone and sequential calls.

    python bench/sampling_cost.py --dtypes bfloat16 float32 --k 5 --threads 1 --questions 12

Per question it times, for each dtype in turn: one greedy answer (n_samples=0), the greedy answer with k
samples in the same batch (the adapter's path), and the naive alternative of the greedy answer followed
by k separate calls that each draw one sample (--skip-sequential leaves that out). Ratios are against the
greedy time of the same run; dtypes take turns per question so that changes in machine load hit them alike."""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.backends.transformers_generator import TransformersGenerator
from assistant.protocols import ChatMessage

QUESTIONS = [
    "What is the capital of France?",
    "Who wrote Romeo and Juliet?",
    "What is the chemical symbol for gold?",
    "How many continents are there?",
    "What planet is known as the Red Planet?",
    "Who painted the Mona Lisa?",
    "What is the largest ocean on Earth?",
    "In which year did the Second World War end?",
    "What is the boiling point of water in Celsius at sea level?",
    "Who developed the theory of relativity?",
    "What is the capital of Japan?",
    "How many legs does a spider have?",
    "What gas do plants absorb from the air?",
    "What is the tallest mountain in the world?",
    "Which language has the most native speakers?",
    "What is the currency of the United Kingdom?",
    "Who was the first person to walk on the Moon?",
    "What is the square root of 81?",
    "Which organ pumps blood through the human body?",
    "What is the longest river in Africa?",
]
SYSTEM = "Answer the question in one short sentence."
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Row:
    dtype: str
    load_s: float
    greedy_s: float
    batched_s: float
    sequential_s: float
    batched_ratio: float
    sequential_ratio: float
    median_batched_ratio: float
    greedy_tokens_per_s: float
    greedy_tokens: float
    longest_row_tokens: float


def _messages(question: str) -> list[ChatMessage]:
    return [ChatMessage("system", SYSTEM), ChatMessage("user", question)]


@dataclass
class Timings:
    """What one dtype's generator measured so far."""

    dtype: str
    load_s: float
    greedy: list[float] = field(default_factory=list)
    batched: list[float] = field(default_factory=list)
    sequential: list[float] = field(default_factory=list)
    greedy_tokens: list[int] = field(default_factory=list)
    longest: list[int] = field(default_factory=list)

    def row(self) -> Row:
        greedy = sum(self.greedy)
        return Row(
            dtype=self.dtype,
            load_s=self.load_s,
            greedy_s=greedy,
            batched_s=sum(self.batched),
            sequential_s=sum(self.sequential),
            batched_ratio=sum(self.batched) / greedy,
            sequential_ratio=sum(self.sequential) / greedy,
            median_batched_ratio=statistics.median(
                b / g for b, g in zip(self.batched, self.greedy, strict=True)
            ),
            greedy_tokens_per_s=sum(self.greedy_tokens) / greedy,
            greedy_tokens=statistics.mean(self.greedy_tokens),
            longest_row_tokens=statistics.mean(self.longest),
        )


def load(dtype: str, *, k: int, threads: int, cache_dir: Path) -> tuple[TransformersGenerator, Timings]:
    started = time.perf_counter()
    generator = TransformersGenerator.load(model_path=None, cache_dir=cache_dir, dtype=dtype, threads=threads)
    timings = Timings(dtype=dtype, load_s=time.perf_counter() - started)
    generator.generate(_messages("Warm-up: say hello."), n_samples=k, max_new_tokens=8)
    return generator, timings


def measure_question(
    generator: TransformersGenerator,
    timings: Timings,
    question: str,
    *,
    k: int,
    max_new_tokens: int,
    sequential: bool,
) -> None:
    """Greedy alone, greedy + k batched, and (optionally) greedy + k one-sample calls, back to back."""
    messages = _messages(question)
    started = time.perf_counter()
    answer = generator.generate(messages, max_new_tokens=max_new_tokens)
    timings.greedy.append(time.perf_counter() - started)
    timings.greedy_tokens.append(answer.greedy.tokens)
    started = time.perf_counter()
    result = generator.generate(messages, n_samples=k, temperature=0.7, max_new_tokens=max_new_tokens)
    timings.batched.append(time.perf_counter() - started)
    timings.longest.append(max(c.tokens for c in (result.greedy, *result.samples)))
    started = time.perf_counter()
    for _ in range(k if sequential else 0):
        generator.generate(messages, n_samples=1, temperature=0.7, max_new_tokens=max_new_tokens)
    spent = time.perf_counter() - started
    timings.sequential.append(timings.greedy[-1] + spent if sequential else float("nan"))
    print(
        f"  {timings.dtype:8s} {question[:40]:40s} greedy {timings.greedy[-1]:.2f}s "
        f"batched {timings.batched[-1]:.2f}s",
        flush=True,
    )


def _or_dash(value: float, pattern: str) -> str:
    return "-" if math.isnan(value) else pattern.format(value)


def print_table(rows: list[Row], *, k: int, threads: int) -> str:
    header = (
        f"| dtype | load s | greedy s | greedy+{k} batched s | ratio | median ratio "
        f"| greedy+{k} sequential s | ratio | greedy tok/s | greedy tokens | longest row tokens |"
    )
    lines = [header, "|" + "---|" * 11]
    for row in rows:
        sequential_s = _or_dash(row.sequential_s, "{:.1f}")
        sequential_ratio = _or_dash(row.sequential_ratio, "{:.2f}x")
        lines.append(
            f"| {row.dtype} | {row.load_s:.1f} | {row.greedy_s:.1f} | {row.batched_s:.1f} "
            f"| {row.batched_ratio:.2f}x | {row.median_batched_ratio:.2f}x | {sequential_s} "
            f"| {sequential_ratio} | {row.greedy_tokens_per_s:.1f} | {row.greedy_tokens:.1f} "
            f"| {row.longest_row_tokens:.1f} |"
        )
    table = "\n".join(lines) + f"\n\n(threads={threads}, load average {os.getloadavg()[0]:.1f})"
    print(table)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtypes", nargs="+", default=["float32", "bfloat16"])
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores")
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--cache-dir", type=Path, default=REPO_ROOT / ".cache")
    parser.add_argument("--questions", type=int, default=len(QUESTIONS), help="use the first N questions")
    parser.add_argument("--skip-sequential", action="store_true", help="do not time k sequential calls")
    args = parser.parse_args()
    # Every dtype answers each question in turn, so a change in machine load hits them alike.
    loaded = [load(dtype, k=args.k, threads=args.threads, cache_dir=args.cache_dir) for dtype in args.dtypes]
    for question in QUESTIONS[: args.questions]:
        for generator, timings in loaded:
            measure_question(
                generator,
                timings,
                question,
                k=args.k,
                max_new_tokens=args.max_new_tokens,
                sequential=not args.skip_sequential,
            )
    rows = [timings.row() for _, timings in loaded]
    table = print_table(rows, k=args.k, threads=args.threads)
    results = REPO_ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (results / f"sampling_cost-{stamp}.json").write_text(json.dumps([asdict(r) for r in rows], indent=2))
    (results / f"sampling_cost-{stamp}.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
