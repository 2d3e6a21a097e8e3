"""What one decode step costs llama-server for 1 to 8 rows decoding together (one request's samples).

    python bench/decode_rows.py [--binary PATH ...] [--model qwen0.5b-q8_0] [--rows 1,2,3,4,5,6,7,8]

The flow's sampled stages decode 5 rows together (one request with `n=5`, the greedy answer known);
8 concurrent clients make more. Each `--binary` (a llama-server build; default: the one `make install`
built) serves the same grounded prompt; per row count, one request with `n` rows, `ignore_eos` and
32 new tokens at temperature 0.7, after one request that puts the prompt in the cache, and the
server's own `predicted_per_token_ms` (one step of all rows) is kept, the best of `--repeats`.
Rows x 1000 / ms is the generated row-tokens per second. Every number comes from this one run.
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.backends.cpu_flags import available_cores
from assistant.backends.llama_server import LlamaServer, ServerOptions, default_binary
from assistant.backends.model_files import embedded_model_file, large_model_file
from assistant.backends.requantize import pinned_q8_0_copy
from assistant.fakes import StaticPassage
from assistant.prompts import grounded_messages

ROOT = Path(__file__).resolve().parents[1]
NEW_TOKENS = 32


def model_file(name: str, cache_dir: Path) -> Path:
    shipped = {"qwen0.5b": embedded_model_file, "qwen1.5b": large_model_file}[name.removesuffix("-q8_0")]
    path = shipped(cache_dir)
    if name.endswith("-q8_0"):
        return pinned_q8_0_copy(path, server_binary=default_binary(), cache_dir=cache_dir)
    return path


@functools.cache  # one prompt for every request: read and built once
def prompt() -> tuple[dict[str, str], ...]:
    document = (ROOT / "api" / "sample_corpus" / "lumora-robotics.md").read_text(encoding="utf-8")
    messages = grounded_messages(
        "Describe Lumora Robotics and its products in detail.",
        passages=[StaticPassage(text=document, source="lumora-robotics.md", score=1.0)],
    )
    return tuple({"role": m.role, "content": m.content} for m in messages)


def step_ms(client: httpx.Client, url: str, rows: int, seed: int) -> float:
    payload: dict[str, Any] = {
        "messages": list(prompt()),
        "n": rows,
        "max_tokens": NEW_TOKENS,
        "ignore_eos": True,
        "temperature": 0.7 if rows > 1 or seed else 0.0,
        "seed": seed,
    }
    response = client.post(f"{url}/chat/completions", json=payload)
    response.raise_for_status()
    return float(response.json()["timings"]["predicted_per_token_ms"])


def measure(binary: Path, model: Path, rows: list[int], *, threads: int, repeats: int) -> dict[int, float]:
    server = LlamaServer(ServerOptions(binary=binary, model_path=model, threads=threads))
    url = server.start()
    try:
        with httpx.Client(timeout=600) as client:
            step_ms(client, url, 1, 0)  # the prompt into the cache
            return {n: min(step_ms(client, url, n, seed + 1) for seed in range(repeats)) for n in rows}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", type=Path, action="append", help="llama-server builds to compare")
    parser.add_argument("--model", default="qwen0.5b-q8_0", help="qwen0.5b, qwen1.5b, each with -q8_0")
    parser.add_argument("--rows", default="1,2,3,4,5,6,7,8")
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--cache-dir", type=Path, default=Path(".cache"))
    args = parser.parse_args()
    binaries = args.binary or [default_binary()]
    rows = [int(n) for n in args.rows.split(",")]
    threads = args.threads or available_cores()
    model = model_file(args.model, args.cache_dir)
    steps = {
        binary: measure(binary, model, rows, threads=threads, repeats=args.repeats) for binary in binaries
    }
    print(f"model {model.name}; threads {threads}; {NEW_TOKENS} tokens per row; best of {args.repeats}\n")
    print(
        "| rows | "
        + " | ".join(f"ms/step {i + 1} | row-tokens/s {i + 1}" for i in range(len(binaries)))
        + " |"
    )
    print("|---:|" + "---:|---:|" * len(binaries))
    for n in rows:
        cells = " | ".join(f"{steps[b][n]:.1f} | {n * 1000 / steps[b][n]:.1f}" for b in binaries)
        print(f"| {n} | {cells} |")
    for i, binary in enumerate(binaries, start=1):
        print(f"\n{i}: {binary}")


if __name__ == "__main__":
    main()
