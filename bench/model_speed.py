"""Prompt evaluation and decode speed per backend, against this machine's matmul throughput and bandwidth.

    python bench/model_speed.py [--models qwen0.5b,qwen1.5b,qwen0.5b-q8_0,qwen1.5b-q8_0] [--backends ...]
        [--binary PATH/llama-server ...]   (llama-server builds to compare; default: the installed one)

Prompt evaluation: the flow's own grounded prompt (five 1,200-character passages of the project's
own docs, about 1,500 tokens), with a fresh first line each time so that no backend serves it from a
prompt cache; tokens/s = prompt tokens / the backend's measured prefill time
(`Generation.model_time`), and its FLOP/s = 2 x parameters (all but the embedding table) x tokens/s,
compared with the float32 matmul throughput numpy reaches on the same threads in the same run.
Decode: a long answer's tokens / the backend's measured decode time; the bytes of weights each token
reads x tokens/s, compared with the memory bandwidth of a large numpy copy. Best of `--repeats`.
Every number comes from this one run on this machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.backends.cpu_flags import available_cores
from assistant.backends.llama_server import LlamaServer, ManagedServerGenerator, ServerOptions, default_binary
from assistant.backends.llamacpp_generator import LlamaCppGenerator
from assistant.fakes import StaticPassage
from assistant.prompts import PASSAGE_CHARS, grounded_messages
from assistant.protocols import ChatMessage, Generator
from bench.backends import LONG_ANSWER, memory_bandwidth_gb_s
from bench.decode_rows import model_file

ROOT = Path(__file__).resolve().parents[1]
PROSE = (ROOT / "README.md", ROOT / "docs" / "architecture.md")  # plenty of English text
PASSAGES = 5


@dataclass(frozen=True)
class Speed:
    backend: str
    model: str
    parameters: int
    weight_bytes: int  # read once per decoded token
    prompt_tokens: int
    prefill_tokens_per_s: float
    decode_tokens_per_s: float


def matmul_gflops(size: int = 2048, repeats: int = 5) -> float:
    """float32 matrix-multiply throughput numpy's BLAS reaches here (the best of a few)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - started)
    return 2 * size**3 / best / 1e9


def grounded_prompt(nonce: int) -> list[ChatMessage]:
    text = " ".join(path.read_text(encoding="utf-8") for path in PROSE)
    words = " ".join(text.split())
    passages = [
        StaticPassage(
            words[i * PASSAGE_CHARS : (i + 1) * PASSAGE_CHARS], source="corpus", chunk_id=str(i), score=0.5
        )
        for i in range(PASSAGES)
    ]
    messages = grounded_messages("When was Lumora Robotics founded?", passages=passages)
    first = messages[0]
    return [ChatMessage(first.role, f"Request {nonce}. {first.content}"), *messages[1:]]


def measure(
    backend: str, model: str, generator: Generator, parameters: int, weight_bytes: int, repeats: int
) -> Speed:
    generator.generate(grounded_prompt(-1), max_new_tokens=2)  # warm-up: page in the weights
    prefill: list[float] = []
    prompt_tokens = 0
    for n in range(repeats):
        result = generator.generate(grounded_prompt(n), max_new_tokens=1)
        prompt_tokens = result.prompt_tokens
        prefill.append(result.prompt_tokens / (result.model_time.prefill_ms / 1000.0))
    decode: list[float] = []
    for _ in range(repeats):
        result = generator.generate([ChatMessage("user", LONG_ANSWER)], max_new_tokens=96)
        decode.append(result.greedy.tokens / (result.model_time.decode_ms / 1000.0))
    return Speed(backend, model, parameters, weight_bytes, prompt_tokens, max(prefill), max(decode))


@contextmanager
def backend_generator(
    backend: str, path: Path, *, threads: int, cache_dir: Path, gguf_bytes: int
) -> Iterator[tuple[Generator, int]]:
    """The generator and the bytes of weights one decoded token reads (`gguf_bytes` for llama.cpp)."""
    if backend.startswith("llama-server"):
        binary = Path(backend.partition("=")[2] or default_binary())
        server = ManagedServerGenerator(LlamaServer(ServerOptions(binary, path, threads)))
        try:
            yield server, gguf_bytes
        finally:
            server.close()
    elif backend == "llamacpp":
        llama = LlamaCppGenerator(path, threads=threads, seed=0)
        try:
            yield llama, gguf_bytes
        finally:
            llama.close()
    else:
        from assistant.backends.transformers_generator import TransformersGenerator

        hf = TransformersGenerator.load(
            model_path=path, cache_dir=cache_dir, threads=threads, dtype="float32"
        )
        weights = hf._model.parameters()  # bench-only peek: the class does not report its size
        yield hf, sum(p.numel() * p.element_size() for p in weights)


def print_table(speeds: list[Speed], *, gflops: float, bandwidth: float, threads: int) -> None:
    print(f"\nthreads {threads}; float32 matmul (numpy, 2048^2) {gflops:.1f} GFLOP/s; ", end="")
    print(f"memory bandwidth (numpy copy, read+write) {bandwidth:.1f} GB/s\n")
    print(
        "| backend | model | parameters M | weights MB | prompt tokens | prefill tok/s | prefill GFLOP/s ",
        end="",
    )
    print("| % of matmul | decode tok/s | GB/s read | % of bandwidth |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in speeds:
        prefill_gflops = 2 * s.parameters * s.prefill_tokens_per_s / 1e9
        read = s.weight_bytes * s.decode_tokens_per_s / 1e9
        print(
            f"| {s.backend} | {s.model} | {s.parameters / 1e6:.0f} | {s.weight_bytes / 1e6:.0f} "
            f"| {s.prompt_tokens} "
            f"| {s.prefill_tokens_per_s:.0f} | {prefill_gflops:.1f} | {100 * prefill_gflops / gflops:.0f}% "
            f"| {s.decode_tokens_per_s:.1f} | {read:.2f} | {100 * read / bandwidth:.0f}% |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="qwen0.5b,qwen1.5b")
    parser.add_argument("--backends", default="llama-server,llamacpp,transformers")
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cache-dir", type=Path, default=Path(".cache"))
    parser.add_argument("--binary", action="append", default=[], help="llama-server builds to compare")
    args = parser.parse_args()
    threads = args.threads or available_cores()
    backends = [
        f"llama-server={binary}" if binary else backend
        for backend in args.backends.split(",")
        for binary in (args.binary if backend == "llama-server" and args.binary else [""])
    ]
    gflops, bandwidth = matmul_gflops(), memory_bandwidth_gb_s()
    speeds = []
    for model in args.models.split(","):
        path = model_file(model, args.cache_dir)  # the 1.5B comes with `make install`
        probe = LlamaCppGenerator(path, threads=1, context_tokens=256)  # sizes only, read once per model
        parameters, gguf_bytes = probe.matmul_parameters, probe.weight_bytes
        probe.close()
        for backend in backends:
            print(f"measuring {backend} / {model} ...", flush=True)
            loaded = backend_generator(
                backend, path, threads=threads, cache_dir=args.cache_dir, gguf_bytes=gguf_bytes
            )
            with loaded as (generator, weights):
                speeds.append(measure(backend, model, generator, parameters, weights, args.repeats))
            print(f"  {speeds[-1]}", flush=True)
    print_table(speeds, gflops=gflops, bandwidth=bandwidth, threads=threads)


if __name__ == "__main__":
    main()
