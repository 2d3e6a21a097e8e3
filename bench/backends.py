"""Backend benchmark: decode tokens/s against the memory-bandwidth limit, and what k samples cost.

    python bench/backends.py [--models qwen0.5b,smollm2-135m] [--backends llamacpp,openai,transformers]

Every number in the printed table comes from this one run on this machine; the bandwidth is measured
in the same run (numpy copy of a large array), so the "% of limit" column compares like with like.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "assistant"))

from llama_server import llama_server  # tests/assistant: starts llama_cpp.server on a free port

from assistant.llamacpp_generator import LlamaCppGenerator, available_cores
from assistant.model_files import embedded_model_file, tiny_model_file
from assistant.openai_generator import OpenAIGenerator
from assistant.protocols import ChatMessage, Generator

QUESTIONS = (
    "What is the capital of Australia?",
    "Who wrote the novel Pride and Prejudice?",
    "In which year did the Berlin Wall fall?",
    "What is the chemical symbol for gold?",
    "Which planet is known as the Red Planet?",
)
LONG_ANSWER = "Describe the history of the city of Paris in one long paragraph, without line breaks."
SAMPLES = 5


@dataclass(frozen=True)
class Result:
    backend: str
    model: str
    weight_bytes: int
    decode_tokens_per_s: float
    greedy_s: float
    with_samples_s: float
    skipped_samples_s: float

    @property
    def skipped_cost(self) -> float:
        return self.skipped_samples_s / self.greedy_s

    @property
    def samples_cost(self) -> float:
        return self.with_samples_s / self.greedy_s


def _ask(question: str) -> list[ChatMessage]:
    return [ChatMessage(role="user", content=question)]


def memory_bandwidth_gb_s(megabytes: int = 512, repeats: int = 5) -> float:
    """Read + write bytes per second of a large numpy copy (the best of a few)."""
    source = np.ones(megabytes * 2**20 // 8)
    target = np.empty_like(source)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        np.copyto(target, source)
        best = min(best, time.perf_counter() - started)
    return 2 * source.nbytes / best / 1e9


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def decode_tokens_per_s(generator: Generator) -> float:
    """Decode speed: (tokens of a long answer - 1) over its time minus the time of a 1-token answer."""
    messages = _ask(LONG_ANSWER)
    prefill_s = min(_timed(lambda: generator.generate(messages, max_new_tokens=1)) for _ in range(2))
    started = time.perf_counter()
    tokens = generator.generate(messages, max_new_tokens=96).greedy.tokens
    return (tokens - 1) / (time.perf_counter() - started - prefill_s)


def sample_cost(generator: Generator) -> tuple[float, float, float]:
    """Seconds for the greedy answers to QUESTIONS; with SAMPLES samples each; with samples refused.

    "Refused" = `stop_sampling_if` returns True, the path of a greedy answer that is already a refusal.
    """
    greedy_s = sum(_timed(lambda q=q: generator.generate(_ask(q))) for q in QUESTIONS)
    with_samples_s = sum(
        _timed(lambda q=q: generator.generate(_ask(q), n_samples=SAMPLES, temperature=0.7)) for q in QUESTIONS
    )
    skipped_s = sum(
        _timed(lambda q=q: generator.generate(_ask(q), n_samples=SAMPLES, stop_sampling_if=lambda _: True))
        for q in QUESTIONS
    )
    return greedy_s, with_samples_s, skipped_s


def batch_scaling(generator: Generator, rows: tuple[int, ...] = (1, 2, 6, 12)) -> dict[int, float]:
    """Tokens per second summed over all rows of one call, for a growing number of rows.

    If the sum grows about as fast as the rows, merging concurrent requests into one batch would pay.
    """
    messages = _ask(LONG_ANSWER)
    scaling = {}
    for count in rows:
        started = time.perf_counter()
        result = generator.generate(messages, n_samples=count - 1, temperature=0.7, max_new_tokens=32)
        tokens = result.greedy.tokens + sum(sample.tokens for sample in result.samples)
        scaling[count] = tokens / (time.perf_counter() - started)
    return scaling


def measure(backend: str, model: str, generator: Generator, weight_bytes: int) -> Result:
    generator.generate(_ask(QUESTIONS[0]), max_new_tokens=4)  # warm-up: page in the weights
    speed = decode_tokens_per_s(generator)
    return Result(backend, model, weight_bytes, speed, *sample_cost(generator))


def model_files(names: list[str], cache_dir: Path) -> dict[str, Path]:
    known = {"qwen0.5b": lambda: embedded_model_file(cache_dir), "smollm2-135m": tiny_model_file}
    return {name: known[name]() for name in names}


def load_backend(backend: str, path: Path, *, threads: int, cache_dir: Path) -> tuple[Generator, int]:
    """The generator and the bytes of weights one decoding step reads."""
    if backend == "llamacpp":
        llama = LlamaCppGenerator(path, threads=threads, seed=0)
        return llama, llama.weight_bytes
    from assistant.transformers_generator import TransformersGenerator  # optional sibling module

    hf = TransformersGenerator.load(model_path=path, cache_dir=cache_dir, threads=threads)
    parameters = hf._model.parameters()  # bench-only peek: the class does not report its size
    return hf, sum(p.numel() * p.element_size() for p in parameters)


def run_remote(model: str, path: Path, threads: int) -> Result:
    weight_bytes = LlamaCppGenerator(path, threads=1, context_tokens=256).weight_bytes
    with llama_server(path, threads=threads) as base_url:
        remote = OpenAIGenerator(base_url=base_url, model=model, api_key="none", timeout_s=300)
        return measure("openai (llama_cpp.server)", model, remote, weight_bytes)


def print_table(results: list[Result], bandwidth_gb_s: float, threads: int) -> None:
    print(f"\nthreads {threads}; memory bandwidth (numpy copy, read+write) {bandwidth_gb_s:.1f} GB/s")
    header = (
        f"{'backend':<28}{'model':<14}{'weights MB':>11}{'decode tok/s':>13}{'GB/s read':>10}"
        f"{'% of limit':>11}{'greedy s':>10}{f'+{SAMPLES} samples s':>14}{'cost ratio':>11}{'refused':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        read_gb_s = r.weight_bytes * r.decode_tokens_per_s / 1e9
        print(
            f"{r.backend:<28}{r.model:<14}{r.weight_bytes / 1e6:>11.0f}{r.decode_tokens_per_s:>13.1f}"
            f"{read_gb_s:>10.2f}{100 * read_gb_s / bandwidth_gb_s:>10.0f}%{r.greedy_s:>10.2f}"
            f"{r.with_samples_s:>14.2f}{r.samples_cost:>10.2f}x{r.skipped_cost:>8.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="smollm2-135m,qwen0.5b")
    parser.add_argument("--backends", default="llamacpp,openai,transformers")
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores")
    parser.add_argument("--cache-dir", type=Path, default=Path(".cache"))
    args = parser.parse_args()
    threads = args.threads or available_cores()
    backends = args.backends.split(",")
    if "transformers" in backends and importlib.util.find_spec("assistant.transformers_generator") is None:
        backends.remove("transformers")
        print("transformers_generator not present: transformers skipped")
    bandwidth = memory_bandwidth_gb_s()
    results, scaling = [], {}
    for model, path in model_files(args.models.split(","), args.cache_dir).items():
        for backend in backends:
            print(f"measuring {backend} / {model} ...", flush=True)
            if backend == "openai":
                results.append(run_remote(model, path, threads))
            else:
                generator, weights = load_backend(backend, path, threads=threads, cache_dir=args.cache_dir)
                results.append(measure(backend, model, generator, weights))
                scaling[(backend, model)] = batch_scaling(generator)
                print(f"  rows -> summed tokens/s: {scaling[(backend, model)]}", flush=True)
                del generator
            print(f"  {results[-1]}", flush=True)  # progress, in case a later backend fails
    print_table(results, bandwidth, threads)
    print_scaling(scaling)


def print_scaling(scaling: dict[tuple[str, str], dict[int, float]]) -> None:
    print("\ntokens/s summed over the rows of one call (rows = greedy + samples)")
    for (backend, model), by_rows in scaling.items():
        cells = "  ".join(f"{rows} rows: {speed:6.1f}" for rows, speed in by_rows.items())
        print(f"{backend:<14}{model:<14}{cells}")


if __name__ == "__main__":
    main()
