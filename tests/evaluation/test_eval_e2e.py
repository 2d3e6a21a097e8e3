"""eval and probe end to end: the tiny real model, the real embedder, a real FAISS index on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib.image
import pytest
import torch

from api.runtime_config import ThresholdStore
from api.settings import Settings
from api.wiring.components import index_options, load_embedder, open_retriever, threshold_store
from api.wiring.eval_corpus import evaluation_retriever, probe_passages
from assistant.evaluation.probing import run_probe
from assistant.evaluation.question_record import read_records
from assistant.evaluation.run import EvalRequest, run_eval
from assistant.protocols import Generator
from index import build_index

pytestmark = pytest.mark.slow

SEED = 0  # samples are drawn at temperature 0.7: a fixed seed makes each run draw the same ones
# Few samples and short answers: the tiny model runs on a shared 2-core machine.
FAST = {"n_samples": 2, "max_new_tokens": 24, "retrieval_top_k": 2}
QUESTIONS = [
    {
        "question": "Who founded Vellmar Robotics?",
        "answers": ["Oskar Lind"],
        "passages": ["Vellmar Robotics is an engineering firm in Tallinn, founded in 1987 by Oskar Lind."],
    },
    {"question": "What colour is the Orvane river's bridge?", "answers": []},
]
DOCUMENT = "The Orvane river flows through three valleys. The fishing season opens in April.\n"


def _settings(root: Path) -> Settings:
    settings = Settings(home=root / "home", cache_dir=root / "cache", hybrid=False)
    ThresholdStore(settings.runtime_config_path, default_profile="balanced").update(FAST)
    return settings


def _wiring(settings: Settings, generator: Generator) -> dict[str, Any]:
    """What the CLI passes to run_eval, built as api/cli/_eval.py builds it."""
    return {
        "thresholds": threshold_store(settings).current(),
        "cache_dir": settings.cache_dir,
        "load_generator": lambda: generator,
        "retriever_for": lambda questions, corpus: evaluation_retriever(
            questions, corpus=corpus, settings=settings, embedder=load_embedder(settings)
        ),
    }


def test_eval_writes_parsable_report_plot_and_records(tmp_path: Path, tiny_generator: Generator) -> None:
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), encoding="utf-8")
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "orvane.md").write_text(DOCUMENT, encoding="utf-8")
    settings = _settings(tmp_path)
    request = EvalRequest(
        out=tmp_path / "out", questions_file=questions, corpus=corpus, modes=("closed", "rag", "fallback")
    )
    torch.manual_seed(SEED)
    metrics = run_eval(request, **_wiring(settings, tiny_generator))

    assert [m.mode for m in metrics] == ["closed", "rag", "fallback"]
    assert (metrics[0].answerable, metrics[0].unanswerable) == (1, 1)
    report = json.loads((request.out / "report.json").read_text(encoding="utf-8"))
    assert report["run"]["questions"] == 2 and report["modes"]["fallback"]["thresholds"]["n_samples"] == 2
    assert "| closed |" in (request.out / "report.md").read_text(encoding="utf-8")
    image = matplotlib.image.imread(request.out / "risk_coverage.png")
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    records = read_records(request.out / "records.jsonl")
    assert [r.answerable for r in records] == [True, False]
    for record in records:
        assert record.parametric_answer and record.best_score is not None
        assert len(record.samples) == (0 if record.refused else 2)
        assert record.grounded_support is not None and record.grounded_tokens > 0
    # The corpus (the questions' passage and the document) is indexed once and reused.
    (built,) = (settings.cache_dir / "eval-corpus").iterdir()
    assert 0.2 < records[0].best_score <= 1.0  # the passage itself is in the index
    stamp = (built / "index").stat().st_mtime_ns
    replayed = run_eval(
        EvalRequest(out=tmp_path / "again", records_file=request.out / "records.jsonl", modes=("fallback",)),
        **_wiring(settings, tiny_generator),
    )
    assert replayed[0] == metrics[2]
    assert (built / "index").stat().st_mtime_ns == stamp


PASSAGES = [
    "Vellmar Robotics is a small engineering firm based in Tallinn, Estonia. It was founded in 1987 by "
    "the engineer Oskar Lind. The company builds warehouse robots.",
    "Paris is the capital and largest city of France. The Eiffel Tower was completed in 1889 and is "
    "324 metres tall.",
    "The Orvane river flows through three valleys and is known for its trout. The fishing season opens "
    "in April and closes in October.",
]


def test_probe_writes_labelled_set_and_finetune_mix(tmp_path: Path, tiny_generator: Generator) -> None:
    settings = _settings(tmp_path)
    source = tmp_path / "docs"
    source.mkdir()
    for number, text in enumerate(PASSAGES):
        (source / f"doc{number}.txt").write_text(text, encoding="utf-8")
    embedder = load_embedder(settings)
    build_index(
        source=source, index_dir=settings.index_dir, embedder=embedder, options=index_options(settings)
    )
    torch.manual_seed(SEED)
    out = tmp_path / "probe"
    summary = run_probe(
        passages=probe_passages(settings.index_dir),
        generator=tiny_generator,
        retriever=open_retriever(settings, embedder),
        thresholds=threshold_store(settings).current(),
        out=out,
        questions=2,
        samples=2,
    )

    assert 1 <= summary.passages_tried <= len(PASSAGES)
    labelled = [json.loads(line) for line in (out / "probe.jsonl").read_text(encoding="utf-8").splitlines()]
    assert labelled, "the tiny model wrote no usable question"
    assert len(labelled) == sum(summary.labels.values())
    both_labels = {"known", "unknown"} <= {row["label"] for row in labelled}
    assert (summary.auroc_known is not None) == both_labels
    right = [row["correct"][0] for row in labelled]
    assert (summary.auroc_correct is not None) == (any(right) and not all(right))
    for row in labelled:
        assert row["label"] in {"known", "unknown", "mixed"}
        assert row["answer"] and row["question"].endswith("?")
        assert row["passage"] in PASSAGES
        assert len(row["correct"]) == 1 + len(row["samples"])
    records = read_records(out / "records.jsonl")
    assert [r.label for r in records] == [row["label"] for row in labelled]
    finetune = [
        json.loads(line) for line in (out / "finetune.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(finetune) == summary.finetune_rows
    assert sum(r["label"] == "known" for r in finetune) == sum(r["label"] == "unknown" for r in finetune)
