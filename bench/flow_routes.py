"""Which route the real default model takes per question, and at what agreement, under each profile.

    python bench/flow_routes.py [--embedder use-multilingual] [--seed 0]

One closed-book call per question draws the largest n_samples of the three profiles (7); each profile
is judged on the first n of those samples (samples are independent draws, so the first n are a draw
of n). The grounded stage runs once per question that any profile sends to retrieval, with the
passage-score and support filters open; each profile's route then applies its own
min_retrieval_score and support_threshold to the measured best score and support. Every number
printed comes from this one run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import index
from assistant.agreement import agreement
from assistant.backends.transformers_generator import TransformersGenerator
from assistant.flow import grounded_stage, parametric_stage
from assistant.thresholds import PROFILES, Thresholds

DOCUMENTS = {
    "vellmar.md": "Vellmar Robotics is a small engineering firm based in Tallinn, Estonia. It was founded "
    "in 1987 by the engineer Oskar Lind. The company builds warehouse robots.",
    "orvane.md": "The Orvane river flows through three valleys and is known for its trout. The fishing "
    "season opens in April and closes in October.",
    "qingsong.md": "青松科技公司是一家位于杭州的软件公司，成立于2003年，创始人是林晓峰。"
    "公司主要开发办公软件。",
}
QUESTIONS = [
    ("well-known", "What is the capital of France?"),
    ("well-known", "Who wrote Pride and Prejudice?"),
    ("well-known", "In what year did World War II end?"),
    ("in-docs", "In what year was Vellmar Robotics founded?"),
    ("in-docs", "Who founded Vellmar Robotics?"),
    ("in-docs", "青松科技公司是哪一年成立的？"),
    ("made-up", "When was Zorbelia Quantrix born?"),
    ("made-up", "张伟明教授出生于哪一年？"),
]
OPEN_FILTERS = {"min_retrieval_score": -1.0, "support_threshold": 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="use-multilingual")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    generator = TransformersGenerator.load(model_path=None, cache_dir=Path(".cache"))
    with tempfile.TemporaryDirectory() as tmp:
        retriever = build_retriever(Path(tmp), args.embedder)
        widest = max(PROFILES.values(), key=lambda t: t.n_samples)
        print(f"{'question':44} {'profile':9} {'agree':>5} {'score':>5} {'supp':>5} route      answer")
        for category, question in QUESTIONS:
            torch.manual_seed(args.seed)
            started = time.perf_counter()
            closed = parametric_stage(
                question, generator=generator, thresholds=widest, skip_decided_samples=False
            )
            grounded = None
            for name, profile in PROFILES.items():
                score = (
                    0.0
                    if closed.refused
                    else agreement(closed.answer, closed.samples[: profile.n_samples], question=question)
                )
                if not closed.refused and score >= profile.agreement_threshold:
                    row(question, name, score, None, None, "parametric", closed.answer)
                    continue
                if grounded is None:
                    grounded = measure_grounded(question, generator, retriever, profile)
                best, support, text = grounded
                route = "retrieval"
                if best < profile.min_retrieval_score or support < profile.support_threshold:
                    route = "abstain"
                row(question, name, score, best, support, route, text)
            print(f"  [{category}] closed-book: {closed.answer!r} ({time.perf_counter() - started:.1f} s)")


def measure_grounded(
    question: str, generator: TransformersGenerator, retriever: index.Searcher, profile: Thresholds
) -> tuple[float, float, str]:
    hits = retriever.retrieve(question, k=profile.retrieval_top_k)
    best = max((h.score for h in hits), default=-1.0)
    opened = profile.model_copy(update=OPEN_FILTERS)
    result = grounded_stage(question, generator=generator, retriever=retriever, thresholds=opened)
    return best, result.support or 0.0, result.answer


def build_retriever(tmp: Path, embedder_name: str) -> index.Searcher:
    source = tmp / "corpus"
    source.mkdir()
    for name, text in DOCUMENTS.items():
        (source / name).write_text(text, encoding="utf-8")
    embedder = index.open_embedder(embedder_name)
    index.build_index(source=source, index_dir=tmp / "index", embedder=embedder, options=index.IndexOptions())
    return index.open_index(tmp / "index", embedder=embedder)


def row(
    question: str,
    profile: str,
    score: float,
    best: float | None,
    support: float | None,
    route: str,
    text: str,
) -> None:
    cells = f"{question[:44]:44} {profile:9} {score:5.2f} {shown(best):>5} {shown(support):>5}"
    print(f"{cells} {route:10} {text[:70]}")


def shown(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


if __name__ == "__main__":
    main()
