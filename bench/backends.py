"""Backend benchmark: decode tokens/s against the memory-bandwidth limit, and what k samples cost.

    python bench/backends.py [--models qwen0.5b,qwen1.5b,smollm2-135m]
        [--backends llamacpp,openai,transformers]
    python bench/backends.py --cap-ab [--plain] --models qwen0.5b --backends llamacpp,transformers

    python bench/backends.py --contexts --questions 6

--contexts compares, for the same requests (parametric prompt, k samples), one llama.cpp context
with every core taking them in turn against one context per core (1 thread each) taking them in
parallel: the two ways of running concurrent requests on this CPU.
--cap-ab measures only the sample-length cap: per question, greedy alone, greedy + k samples with the
cap and without it (interleaved, same generator), on the flow's own parametric prompt.

Every number in the printed table comes from this one run on this machine; the bandwidth is measured
in the same run (numpy copy of a large array), so the "% of limit" column compares like with like.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import assistant.backends._completion_rows as completion_rows
from assistant.backends.cpu_flags import available_cores
from assistant.backends.llamacpp_generator import LlamaCppGenerator
from assistant.backends.model_files import embedded_model_file, large_model_file, tiny_model_file
from assistant.backends.openai_generator import OpenAIGenerator
from assistant.prompts import parametric_messages
from assistant.protocols import ChatMessage, Generator
from tests.support.llama_server import llama_server  # starts llama_cpp.server on a free port

QUESTIONS = (
    "What is the capital of Australia?",
    "Who wrote the novel Pride and Prejudice?",
    "In which year did the Berlin Wall fall?",
    "What is the chemical symbol for gold?",
    "Which planet is known as the Red Planet?",
)
CAP_QUESTIONS = (
    *QUESTIONS,
    "In what year was the University of Tartu founded?",
    "Who was the architect of the Chrysler Building?",
    "Who won the 1987 Tour de France?",
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


@dataclass(frozen=True)
class CapResult:
    backend: str
    greedy_s: float
    capped_s: float
    uncapped_s: float
    capped_longest: float  # mean tokens of the longest row per call
    uncapped_longest: float


def cap_ab(backend: str, generator: Generator, *, plain: bool, max_new_tokens: int = 64) -> CapResult:
    """Greedy, then greedy + SAMPLES with the sample-length cap and without, per question in turn.

    `plain`: the bare question (as in `sample_cost`) instead of the flow's parametric prompt, whose
    system message asks for one short sentence.
    """
    greedy_s = capped_s = uncapped_s = 0.0
    longest: dict[bool, list[int]] = {True: [], False: []}
    margin = completion_rows.SAMPLE_TOKEN_MARGIN
    generator.generate(parametric_messages(QUESTIONS[0]), max_new_tokens=4)  # warm-up
    for question in CAP_QUESTIONS:
        messages = _ask(question) if plain else parametric_messages(question)
        started = time.perf_counter()
        generator.generate(messages, max_new_tokens=max_new_tokens)
        greedy_s += time.perf_counter() - started
        for capped in (True, False):
            # Bench-only switch: a margin this large never binds, which is the behaviour before the cap.
            completion_rows.SAMPLE_TOKEN_MARGIN = margin if capped else 10**6
            started = time.perf_counter()
            result = generator.generate(
                messages, n_samples=SAMPLES, temperature=0.7, max_new_tokens=max_new_tokens
            )
            elapsed = time.perf_counter() - started
            longest[capped].append(max(c.tokens for c in (result.greedy, *result.samples)))
            if capped:
                capped_s += elapsed
            else:
                uncapped_s += elapsed
        completion_rows.SAMPLE_TOKEN_MARGIN = margin
        print(f"  {question[:45]:45s} longest row capped {longest[True][-1]} uncapped {longest[False][-1]}")
    mean = {key: sum(values) / len(values) for key, values in longest.items()}
    return CapResult(backend, greedy_s, capped_s, uncapped_s, mean[True], mean[False])


def print_cap_table(results: list[CapResult]) -> None:
    print(f"\n{len(CAP_QUESTIONS)} questions, k = {SAMPLES}, max_new_tokens 64")
    print("| backend | greedy s | +samples capped s | ratio | +samples uncapped s | ratio ", end="")
    print("| longest row capped / uncapped |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r.backend} | {r.greedy_s:.1f} | {r.capped_s:.1f} | {r.capped_s / r.greedy_s:.2f}x "
            f"| {r.uncapped_s:.1f} | {r.uncapped_s / r.greedy_s:.2f}x "
            f"| {r.capped_longest:.1f} / {r.uncapped_longest:.1f} |"
        )


def measure(backend: str, model: str, generator: Generator, weight_bytes: int) -> Result:
    generator.generate(_ask(QUESTIONS[0]), max_new_tokens=4)  # warm-up: page in the weights
    speed = decode_tokens_per_s(generator)
    return Result(backend, model, weight_bytes, speed, *sample_cost(generator))


def model_files(names: list[str], cache_dir: Path) -> dict[str, Path]:
    known = {
        "qwen0.5b": lambda: embedded_model_file(cache_dir),
        "qwen1.5b": lambda: large_model_file(cache_dir),  # installed by `make install`
        "smollm2-135m": tiny_model_file,
    }
    return {name: known[name]() for name in names}


def load_backend(
    backend: str, path: Path, *, threads: int, cache_dir: Path, dtype: str = "float32"
) -> tuple[Generator, int]:
    """The generator and the bytes of weights one decoding step reads."""
    if backend == "llamacpp":
        llama = LlamaCppGenerator(path, threads=threads, seed=0)
        return llama, llama.weight_bytes
    from assistant.backends.transformers_generator import TransformersGenerator  # optional sibling module

    hf = TransformersGenerator.load(model_path=path, cache_dir=cache_dir, threads=threads, dtype=dtype)
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
    parser.add_argument("--cap-ab", action="store_true", help="only the sample-length cap, on and off")
    parser.add_argument("--contexts", action="store_true", help="one shared context vs one per core")
    parser.add_argument("--questions", type=int, default=len(CAP_QUESTIONS), help="--contexts: requests")
    parser.add_argument("--plain", action="store_true", help="--cap-ab on bare questions, no system prompt")
    args = parser.parse_args()
    threads = args.threads or available_cores()
    backends = args.backends.split(",")
    if (
        "transformers" in backends
        and importlib.util.find_spec("assistant.backends.transformers_generator") is None
    ):
        backends.remove("transformers")
        print("transformers_generator not present: transformers skipped")
    if args.contexts:
        run_contexts(embedded_model_file(args.cache_dir), questions=args.questions)
        return
    if args.cap_ab:
        run_cap_ab(
            args.models.split(","), backends, threads=threads, cache_dir=args.cache_dir, plain=args.plain
        )
        return
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


def run_cap_ab(models: list[str], backends: list[str], *, threads: int, cache_dir: Path, plain: bool) -> None:
    results = []
    for model, path in model_files(models, cache_dir).items():
        for backend in [b for b in backends if b != "openai"]:
            print(f"cap on/off: {backend} / {model} ...", flush=True)
            # auto: the transformers dtype the server uses by default (Settings.torch_dtype).
            generator, _ = load_backend(backend, path, threads=threads, cache_dir=cache_dir, dtype="auto")
            results.append(cap_ab(f"{backend} {model}", generator, plain=plain))
            del generator
    print_cap_table(results)
    print(f"(threads {threads}, load average {os.getloadavg()[0]:.1f} at the end)")


def run_requests(generators: list[LlamaCppGenerator], questions: tuple[str, ...]) -> float:
    """Seconds for `questions` (k samples each), one worker thread per generator taking them in turn."""
    shares = [questions[i :: len(generators)] for i in range(len(generators))]

    def work(pair: tuple[LlamaCppGenerator, tuple[str, ...]]) -> None:
        generator, share = pair
        for question in share:
            generator.generate(parametric_messages(question), n_samples=SAMPLES, max_new_tokens=64)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(generators)) as pool:
        list(pool.map(work, zip(generators, shares, strict=True)))
    return time.perf_counter() - started


def run_contexts(path: Path, *, questions: int) -> None:
    """One context x all cores in turn, one context per core in parallel, one context x 1 thread."""
    cores = available_cores()
    asked = CAP_QUESTIONS[:questions]
    shared = [LlamaCppGenerator(path, threads=cores, seed=0)]
    per_core = [LlamaCppGenerator(path, threads=1, seed=n) for n in range(cores)]
    for generator in (*shared, *per_core):
        generator.generate(_ask(QUESTIONS[0]), max_new_tokens=4)  # warm-up
    print(f"| {len(asked)} requests, k = {SAMPLES} | 1 ctx x {cores} threads, in turn ", end="")
    print(f"| {cores} ctx x 1 thread, parallel | 1 ctx x 1 thread, in turn | load average |")
    print("|---|---:|---:|---:|---:|")
    for repeat in (1, 2):
        together = run_requests(shared, asked)
        parallel = run_requests(per_core, asked)
        single = run_requests(per_core[:1], asked)
        print(
            f"| repeat {repeat} | {together:.1f} s | {parallel:.1f} s | {single:.1f} s "
            f"| {os.getloadavg()[0]:.1f} |",
            flush=True,
        )


def print_scaling(scaling: dict[tuple[str, str], dict[int, float]]) -> None:
    print("\ntokens/s summed over the rows of one call (rows = greedy + samples)")
    for (backend, model), by_rows in scaling.items():
        cells = "  ".join(f"{rows} rows: {speed:6.1f}" for rows, speed in by_rows.items())
        print(f"{backend:<14}{model:<14}{cells}")


if __name__ == "__main__":
    main()
