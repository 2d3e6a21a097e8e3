"""Where the time of a `retrieval`-route answer goes, stage by stage, for each local backend.

    python bench/route_profile.py [--backends llamacpp,transformers] [--threads 0]

Each question of the sample corpus (answered only by the documents, so it takes the retrieval route)
is run through the flow's stages separately, on the same generator, in one run:

- closed-book: the parametric stage (greedy + k samples, one call), as the flow runs it;
- retrieval: the query embedding plus the hybrid search over the real on-disk index;
- grounded prefill: the grounded prompt with a 1-token budget (prompt evaluation alone);
- grounded greedy decode: the greedy grounded answer, minus the prefill;
- grounded samples: the grounded call with its k samples, minus the greedy-only call.

The sum of the stages is what one `retrieval` answer costs; the table gives each stage's share, and
cProfile's top functions of one whole flow call show which code runs inside them.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from serving import CORPUS_QUESTIONS  # bench/serving.py: the same retrieval-route questions

import index
from api.settings import Settings
from api.wiring import load_generator
from api.wiring.components import index_options, load_embedder
from assistant.flow import (
    GROUNDED_TOKEN_ALLOWANCE,
    answer_question,
    parametric_stage,
    retrieval_query,
)
from assistant.prompts import grounded_messages
from assistant.protocols import Generator, Retriever
from assistant.refusal import is_refusal
from assistant.thresholds import PROFILES

SAMPLE_CORPUS = Path(__file__).resolve().parents[1] / "api" / "sample_corpus"
QUESTIONS = CORPUS_QUESTIONS  # answered by api/sample_corpus/, unknown to the model
STAGES = ("closed-book", "retrieval", "grounded prefill", "grounded greedy decode", "grounded samples")
THRESHOLDS = PROFILES["balanced"]


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def stage_seconds(question: str, generator: Generator, retriever: Retriever) -> dict[str, float]:
    t = THRESHOLDS
    budget = t.max_new_tokens + GROUNDED_TOKEN_ALLOWANCE
    closed = _timed(lambda: parametric_stage(question, generator=generator, thresholds=t))
    started = time.perf_counter()
    passages = retriever.retrieve(retrieval_query(question, ()), k=t.retrieval_top_k)
    retrieval = time.perf_counter() - started
    messages = grounded_messages(question, passages=passages)
    prefill = _timed(lambda: generator.generate(messages, max_new_tokens=1))
    greedy = _timed(lambda: generator.generate(messages, max_new_tokens=budget))
    sampled = _timed(
        lambda: generator.generate(
            messages,
            n_samples=t.n_samples,
            temperature=t.sample_temperature,
            max_new_tokens=budget,
            stop_sampling_if=lambda greedy: is_refusal(greedy.text),
        )
    )
    return {
        "closed-book": closed,
        "retrieval": retrieval,
        "grounded prefill": prefill,
        "grounded greedy decode": max(greedy - prefill, 0.0),
        "grounded samples": max(sampled - greedy, 0.0),
        "prompt chars": float(sum(len(m.content) for m in messages)),
    }


def top_functions(question: str, generator: Generator, retriever: Retriever, count: int = 12) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    answer_question(question, generator=generator, retriever=retriever, thresholds=THRESHOLDS)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(count)
    return out.getvalue()


def profile_backend(backend: str, *, threads: int, cache_dir: Path, index_dir: Path) -> None:
    settings = Settings(backend=backend, threads=threads, cache_dir=cache_dir, seed=0)  # type: ignore[arg-type]
    generator = load_generator(settings)
    embedder = load_embedder(settings)
    if not (index_dir / "CURRENT").exists():
        index.build_index(
            source=SAMPLE_CORPUS, index_dir=index_dir, embedder=embedder, options=index_options(settings)
        )
    retriever: Retriever = index.open_index(index_dir, embedder=embedder)
    generator.generate(grounded_messages(QUESTIONS[0], passages=()), max_new_tokens=2)  # warm-up
    rows = [stage_seconds(q, generator, retriever) for q in QUESTIONS]
    totals = [sum(row[s] for s in STAGES) for row in rows]
    print(f"\n{backend}, threads {threads}, {len(QUESTIONS)} questions, k = {THRESHOLDS.n_samples}")
    print(f"median grounded prompt: {median(r['prompt chars'] for r in rows):.0f} characters")
    print("| stage | median s | share of the summed total |")
    print("|---|---:|---:|")
    grand = sum(totals)
    for stage in STAGES:
        values = [row[stage] for row in rows]
        print(f"| {stage} | {median(values):.2f} | {100 * sum(values) / grand:.0f}% |")
    print(f"| **retrieval route, sum of stages** | {median(totals):.2f} | 100% |")
    print(f"\ncProfile of one whole flow call ({backend}), top functions by own time:")
    print(top_functions(QUESTIONS[0], generator, retriever))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="llamacpp,transformers")
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores")
    parser.add_argument("--cache-dir", type=Path, default=Path(".cache"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as index_dir:
        for backend in args.backends.split(","):
            profile_backend(
                backend, threads=args.threads, cache_dir=args.cache_dir, index_dir=Path(index_dir)
            )


if __name__ == "__main__":
    main()
