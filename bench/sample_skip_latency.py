"""Two values of one threshold side by side, live, through one warm `assistant serve`.

    python bench/sample_skip_latency.py [--rounds 2] [--backend llama-server]
    python bench/sample_skip_latency.py --threshold retrieval_top_k --values 3,4

By default: skipping decided samples against always sampling (`skip_decided_samples` true, false).
Each question of the serving bench is asked with each value in turn (per request, through
`overrides`), `--rounds` times, on the same server, the side that goes first flipping every round
(the second finds the prompts in the cache), so both sides see the same load and cache. Printed per
route: p50 latency of each side, and the mean completion tokens (`usage.completion_tokens`). A
question whose route differs between the two sides is listed (for skipping, the decisions are the
same by construction).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import CORPUS_QUESTIONS, PARAMETRIC_QUESTIONS, REPO_ROOT, ask, serve, server_env

Side = tuple[str, Any]  # (label, value of the threshold)


Timings = dict[tuple[str, str], list[float]]  # (route, side) -> values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="llama-server")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cache-dir", type=Path, default=REPO_ROOT / ".cache")
    parser.add_argument("--threshold", default="skip_decided_samples")
    parser.add_argument("--values", default="true,false", help="Two values, as JSON (true, 3, 0.6).")
    args = parser.parse_args()
    values = [json.loads(value) for value in args.values.split(",")]
    if len(values) != 2:
        raise SystemExit("--values takes exactly two values")
    first, second = ((f"{args.threshold}={value}", value) for value in values)
    sides = (first, second)
    with tempfile.TemporaryDirectory(prefix="bench-skip-") as temp:
        home, cache = Path(temp) / "home", args.cache_dir.resolve()
        env = server_env(args.backend, home=home, cache_dir=cache, threads=None)
        with serve(env, Path(temp) / "server.log") as running:
            seconds, tokens, moved = measure(running.url, args.rounds, args.threshold, sides)
    print_table(seconds, tokens, sides)
    print(f"\nquestions whose route differs between the sides: {moved or 'none'}")


def measure(
    url: str, rounds: int, threshold: str, sides: tuple[Side, Side]
) -> tuple[Timings, Timings, list[str]]:
    seconds: Timings = {}
    tokens: Timings = {}
    routes: dict[tuple[str, str], set[str]] = {}
    with httpx.Client(base_url=url, timeout=600) as client:
        ask(client, PARAMETRIC_QUESTIONS[0])  # warm-up
        for round_number in range(rounds):
            # Whichever side asks second finds the question's prompts in llama-server's cache: the
            # order flips every round.
            order = sides if round_number % 2 == 0 else sides[::-1]
            for question in PARAMETRIC_QUESTIONS + CORPUS_QUESTIONS:
                for side, value in order:
                    elapsed, record = ask(client, question, overrides={threshold: value})
                    key = (record["route"], side)
                    seconds.setdefault(key, []).append(elapsed)
                    tokens.setdefault(key, []).append(record["usage"]["completion_tokens"])
                    routes.setdefault((question, side), set()).add(record["route"])
                    print(f"  {elapsed:6.2f}s {side:<14} {record['route']:<10} {question}", flush=True)
    first, second = (label for label, _ in sides)
    moved = [q for (q, side), seen in routes.items() if side == first and seen != routes[(q, second)]]
    return seconds, tokens, moved


def print_table(seconds: Timings, tokens: Timings, sides: tuple[Side, Side]) -> None:
    first, second = (label for label, _ in sides)
    print(f"\n| route | n | p50 s, {first} | p50 s, {second} | tokens, {first} | tokens, {second} |")
    print("|---|---:|---:|---:|---:|---:|")
    for route in sorted({route for route, _ in seconds}):
        a, b = (route, first), (route, second)
        if a not in seconds or b not in seconds:
            continue
        print(
            f"| {route} | {len(seconds[a])} | {statistics.median(seconds[a]):.2f} | "
            f"{statistics.median(seconds[b]):.2f} | {statistics.mean(tokens[a]):.0f} | "
            f"{statistics.mean(tokens[b]):.0f} |"
        )


if __name__ == "__main__":
    main()
