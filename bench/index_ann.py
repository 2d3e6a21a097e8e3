"""Search latency and recall of flat, HNSW and IVF FAISS indexes on real embedding distributions.

The base set starts from the real USE-multilingual vectors of the 9,936 HaluEval-QA passages (cached by
`bench/index_halueval.py --full-corpus`); larger sets add synthetic points, each a mix of two random real
passage vectors plus Gaussian noise, re-normalised: normalise(0.75 a + 0.25 b + e), |e| ~ 0.25. Queries are
real: the vectors of the sampled HaluEval-QA questions (not in the base set). exact@5 (@50) is the share of
the exact top 5 (50) that an index finds; latencies are per single query, k=5, one thread.

    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python bench/index_ann.py
The table is printed and saved to bench/results/index_ann.txt.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np

from index.faiss_index import build_faiss, search_faiss
from index.vectors import Vectors, normalise_rows

RESULTS = Path(__file__).resolve().parent / "results"
MIX_WEIGHT = 0.75
NOISE_NORM = 0.25
K = 5
DEPTH = 50  # hybrid search fuses the dense top max(4k, 50) with BM25


def real_vectors(name: str, *, cache: Path) -> tuple[Vectors, Vectors]:
    """(passage vectors, question vectors) cached by bench/index_halueval.py --full-corpus."""
    passages, questions = cache / f"embeddings-{name}.npy", cache / f"questions-{name}.npy"
    if not (passages.is_file() and questions.is_file()):
        raise SystemExit(f"no cached vectors: run bench/index_halueval.py --full-corpus --embedders {name}")
    return np.load(passages, allow_pickle=False), np.load(questions, allow_pickle=False)


def grow(real: Vectors, *, size: int, seed: int) -> Vectors:
    """`real` followed by synthetic mixes of its rows up to `size` rows, all of unit length."""
    rng = np.random.default_rng(seed)
    extra = max(0, size - len(real))
    first, second = rng.integers(len(real), size=(2, extra))
    noise = rng.standard_normal((extra, real.shape[1]), dtype=np.float32)
    noise *= NOISE_NORM / np.sqrt(real.shape[1])
    mixed = MIX_WEIGHT * real[first] + (1 - MIX_WEIGHT) * real[second] + noise
    return normalise_rows(np.concatenate([real[:size], mixed]))


def timed(search: Callable[[Vectors], object], queries: Vectors) -> tuple[float, float]:
    """p50 and p99 milliseconds of `search` over single queries, after a short warm-up."""
    for query in queries[:10]:
        search(query)
    times = []
    for query in queries:
        tick = time.perf_counter()
        search(query)
        times.append((time.perf_counter() - tick) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 99))


def overlap(index: faiss.Index, queries: Vectors, exact: np.ndarray) -> tuple[float, float]:  # type: ignore[type-arg]
    """Mean share of the exact top 5 and top 50 (the dense candidates of hybrid search) that `index` finds."""
    _, found = index.search(queries, DEPTH)
    at5, at50 = (
        float(np.mean([len(set(f[:k]) & set(e[:k])) / k for f, e in zip(found, exact, strict=True)]))
        for k in (K, DEPTH)
    )
    return at5, at50


def row(
    size: int, label: str, times: tuple[float, float], numpy_p50: float, agreement: tuple[float, float]
) -> str:
    line = f"{size:>8} {label:<22}{times[0]:>9.3f}{times[1]:>9.3f}{numpy_p50 / times[0]:>9.1f}x"
    line += f"{agreement[0]:>9.3f}{agreement[1]:>9.3f}"
    print(line, flush=True)
    return line


def bench_size(base: Vectors, queries: Vectors, *, ef_values: list[int], probes: list[int]) -> list[str]:
    size = len(base)
    exact = np.argsort(-(queries @ base.T), axis=1)[:, :DEPTH]
    numpy_ms = timed(lambda q: np.argpartition(-(base @ q), K)[:K], queries)
    lines = [row(size, "numpy brute force", numpy_ms, numpy_ms[0], (1.0, 1.0))]
    flat = build_faiss(base, kind="flat")
    lines.append(
        row(size, "faiss flat", timed(lambda q: search_faiss(flat, q, k=K), queries), numpy_ms[0], (1.0, 1.0))
    )
    for kind, values in (("hnsw", ef_values), ("ivf", probes)):
        if not values:
            continue
        tick = time.perf_counter()
        index = build_faiss(base, kind=kind)  # type: ignore[arg-type]
        built_s = time.perf_counter() - tick
        for value in values:
            if kind == "hnsw":
                index.hnsw.efSearch = value
                label = f"hnsw ef={value} ({built_s:.0f}s)"
            else:
                index.nprobe = value
                label = f"ivf{index.nlist} np={value} ({built_s:.0f}s)"
            times = timed(lambda q: search_faiss(index, q, k=K), queries)  # noqa: B023
            lines.append(row(size, label, times, numpy_ms[0], overlap(index, queries, exact)))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="use-multilingual")
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--ann-sizes", default="100000", help="Sizes at which HNSW and IVF are measured too.")
    parser.add_argument("--ef", default="16,32,64,128")
    parser.add_argument("--nprobe", default="4,8,16,32")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=RESULTS / "index_ann.txt")
    parser.add_argument("--cache", type=Path, default=RESULTS, help="Folder of the cached vectors.")
    args = parser.parse_args()
    real, questions = real_vectors(args.embedder, cache=args.cache)
    queries = np.ascontiguousarray(questions[: args.queries])
    header = f"{'vectors':>8} {'index (build s)':<22}{'p50_ms':>9}{'p99_ms':>9}{'vs_numpy':>10}"
    header += f"{'exact@5':>9}{'exact@50':>9}"
    out = [
        f"{args.embedder}: {len(real)} real chunk vectors ({real.shape[1]}-d), rest synthetic mixes; "
        f"{len(queries)} real question vectors; k={K}, 1 thread",
        header,
    ]
    print("\n".join(out), flush=True)
    ann_sizes = {int(size) for size in args.ann_sizes.split(",")}
    for size in (int(size) for size in args.sizes.split(",")):
        base = grow(real, size=size, seed=args.seed)
        with_ann = size in ann_sizes
        ef_values = [int(v) for v in args.ef.split(",") if v] if with_ann else []
        probes = [int(v) for v in args.nprobe.split(",") if v] if with_ann else []
        out += bench_size(base, queries, ef_values=ef_values, probes=probes)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
