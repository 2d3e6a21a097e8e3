"""Skipping decided samples against always sampling, live, through one warm `assistant serve`.

    python bench/sample_skip_latency.py [--rounds 2] [--backend llama-server]

Each question of the serving bench is asked with `skip_decided_samples` true and false in turn (per
request, through `overrides`), `--rounds` times, on the same server, the side that goes first flipping
every round (the second finds the prompts in the cache), so both sides see the same load and cache.
Printed per route: p50 latency of each side, and the mean completion tokens
(`usage.completion_tokens`). The decisions are the same by construction; a question whose route
differs between the two sides is listed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import CORPUS_QUESTIONS, PARAMETRIC_QUESTIONS, REPO_ROOT, ask, serve, server_env

SIDES = (("skip decided", True), ("always sample", False))


Timings = dict[tuple[str, str], list[float]]  # (route, side) -> values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="llama-server")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cache-dir", type=Path, default=REPO_ROOT / ".cache")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-skip-") as temp:
        home, cache = Path(temp) / "home", args.cache_dir.resolve()
        env = server_env(args.backend, home=home, cache_dir=cache, threads=None)
        with serve(env, Path(temp) / "server.log") as running:
            seconds, tokens, moved = measure(running.url, args.rounds)
    print_table(seconds, tokens)
    print(f"\nquestions whose route differs between the sides: {moved or 'none'}")


def measure(url: str, rounds: int) -> tuple[Timings, Timings, list[str]]:
    seconds: Timings = {}
    tokens: Timings = {}
    routes: dict[tuple[str, bool], set[str]] = {}
    with httpx.Client(base_url=url, timeout=600) as client:
        ask(client, PARAMETRIC_QUESTIONS[0])  # warm-up
        for round_number in range(rounds):
            # Whichever side asks second finds the question's prompts in llama-server's cache: the
            # order flips every round.
            order = SIDES if round_number % 2 == 0 else SIDES[::-1]
            for question in PARAMETRIC_QUESTIONS + CORPUS_QUESTIONS:
                for side, skip in order:
                    elapsed, record = ask(client, question, overrides={"skip_decided_samples": skip})
                    key = (record["route"], side)
                    seconds.setdefault(key, []).append(elapsed)
                    tokens.setdefault(key, []).append(record["usage"]["completion_tokens"])
                    routes.setdefault((question, skip), set()).add(record["route"])
                    print(f"  {elapsed:6.2f}s {side:<14} {record['route']:<10} {question}", flush=True)
    moved = [q for (q, skip), seen in routes.items() if skip and seen != routes[(q, False)]]
    return seconds, tokens, moved


def print_table(seconds: Timings, tokens: Timings) -> None:
    head = "| route | n | p50 s, skip | p50 s, always sample | tokens, skip | tokens, always |"
    print("\n" + head)
    print("|---|---:|---:|---:|---:|---:|")
    for route in sorted({route for route, _ in seconds}):
        skip, always = (route, SIDES[0][0]), (route, SIDES[1][0])
        if skip not in seconds or always not in seconds:
            continue
        print(
            f"| {route} | {len(seconds[skip])} | {statistics.median(seconds[skip]):.2f} | "
            f"{statistics.median(seconds[always]):.2f} | {statistics.mean(tokens[skip]):.0f} | "
            f"{statistics.mean(tokens[always]):.0f} |"
        )


if __name__ == "__main__":
    main()
