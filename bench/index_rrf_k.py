"""Choose the RRF constant of hybrid search: recall of dense, BM25 and their fusion at several k.

Uses the full HaluEval-QA corpus and the vectors cached by `bench/index_halueval.py --full-corpus`.
`--split tune` scores 1,000 questions outside the benchmark's sample (seed 1; their vectors are embedded
and cached on the first run), `--split report` the benchmark's own 2,000 (seed 0).

    OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 python bench/index_rrf_k.py --split tune
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from index_embedding_cache import CachedEmbedder
from index_halueval import RESULTS, halueval_path, load_questions, write_corpus

from index import IndexOptions, build_index, open_embedder
from index.fusion import reciprocal_rank_fusion
from index.lexical import Bm25
from index.store import ChunkStore
from index.vectors import load_vectors
from index.versions import current_version, version_dir

DEPTH = 50  # the candidates per ranking that hybrid search fuses for k=5
TUNING_QUESTIONS = 1000


def tuning_questions(passages: list[str], used: set[str]) -> list[tuple[str, int]]:
    rows = [json.loads(line) for line in halueval_path().read_text(encoding="utf-8").splitlines()]
    position = {text: i for i, text in enumerate(passages)}
    rest = [row for row in rows if row["question"] not in used]
    return [
        (r["question"], position[r["knowledge"]]) for r in random.Random(1).sample(rest, TUNING_QUESTIONS)
    ]


def recall(rankings: list[list[int]], sources: list[str], questions: list[tuple[str, int]]) -> str:
    targets = [f"corpus.jsonl#p{gold}" for _, gold in questions]
    at1 = np.mean([bool(r) and sources[r[0]] == t for r, t in zip(rankings, targets, strict=True)])
    at5 = np.mean([t in {sources[row] for row in r[:5]} for r, t in zip(rankings, targets, strict=True)])
    return f"{at1:>7.3f}{at5:>7.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tune", "report"), default="tune")
    parser.add_argument("--embedder", default="use-multilingual")
    parser.add_argument("--ks", default="5,10,15,20,30,60")
    args = parser.parse_args()
    passages, questions = load_questions(count=2000, seed=0, distractors=0, full_corpus=True)
    model = open_embedder(args.embedder)
    if args.split == "tune":
        questions = tuning_questions(passages, {question for question, _ in questions})
    stem = f"questions-tune-{args.embedder}" if args.split == "tune" else f"questions-{args.embedder}"
    question_cache = CachedEmbedder(model, stem=RESULTS / stem)
    query = question_cache.embed_documents([question for question, _ in questions])
    question_cache.save()
    with tempfile.TemporaryDirectory() as work:
        embedder = CachedEmbedder(model, stem=RESULTS / f"embeddings-{args.embedder}")
        index_dir = Path(work) / "index"
        build_index(
            source=write_corpus(Path(work), passages),
            index_dir=index_dir,
            embedder=embedder,
            options=IndexOptions(),
        )
        directory = version_dir(index_dir, current_version(index_dir))
        store = ChunkStore(directory / "chunks.sqlite")
        texts = list(store.texts())
        sources = [chunk.source for chunk in store.chunks(range(len(texts)))]
        dense = [
            list(row)
            for row in np.argsort(-(query @ np.asarray(load_vectors(directory)).T), axis=1)[:, :DEPTH]
        ]
        store.close()
    bm25 = Bm25(texts)
    lexical = [bm25.top(question, k=DEPTH) for question, _ in questions]
    print(f"{args.embedder}, {len(questions)} questions ({args.split}); R@1 R@5")
    print(f"{'dense':<12}{recall(dense, sources, questions)}")
    print(f"{'bm25':<12}{recall(lexical, sources, questions)}")
    for k in (int(value) for value in args.ks.split(",")):
        fused = [reciprocal_rank_fusion([d, b], k=k) for d, b in zip(dense, lexical, strict=True)]
        print(f"{f'rrf k={k}':<12}{recall(fused, sources, questions)}", flush=True)


if __name__ == "__main__":
    main()
