"""What the evaluation reads from the index: the corpus of a run (the questions' evidence passages plus
the user's documents, indexed once under the cache and reused by every later run over the same content),
and the passages a probe writes its questions from."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

from api.settings import Settings
from api.wiring.components import index_options, open_retriever
from assistant.evaluation.questions import EvalQuestion
from index import (
    Embedder,
    IndexNotFound,
    Searcher,
    build_index,
    index_status,
    open_chunk_store,
    source_files,
)
from index.shapes import Chunk

PASSAGES_FILE = "passages.jsonl"
PASSAGE_SEED = 20240721  # fixed, so that reruns probe the same passages
MIN_PASSAGE_CHARS = 80  # shorter chunks (titles, list items) rarely hold a fact worth a question


def evaluation_retriever(
    questions: Sequence[EvalQuestion], *, corpus: Path | None, settings: Settings, embedder: Embedder
) -> Searcher | None:
    """An index over the union of the questions' passages and `corpus`, built on first use.

    With neither, the configured index (settings.index_dir) if one exists, else None (no retrieval).
    """
    passages = sorted({p for q in questions for p in q.passages})
    if not passages and corpus is None:
        return _configured_index(settings, embedder)
    key = corpus_key(passages, corpus=corpus, settings=settings, embedder=embedder)
    root = settings.cache_dir / "eval-corpus" / key
    index_dir = root / "index"
    if not _built(index_dir):
        source = _write_source(root / "source", passages, corpus=corpus)
        build_index(source=source, index_dir=index_dir, embedder=embedder, options=index_options(settings))
        shutil.rmtree(source)  # the index keeps the chunk texts; the copy is no longer needed
    return open_retriever(settings, embedder, index_dir=index_dir)


def corpus_key(
    passages: Sequence[str], *, corpus: Path | None, settings: Settings, embedder: Embedder
) -> str:
    """A hash of everything that shapes the index: content, embedder and chunking."""
    digest = hashlib.sha256()
    options = index_options(settings)
    digest.update(f"{embedder.model_id}\0{options}\0".encode())
    for passage in passages:
        digest.update(passage.encode() + b"\0")
    if corpus is not None:
        for path in source_files(corpus):
            digest.update(path.relative_to(corpus).as_posix().encode() if corpus.is_dir() else b"")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:20]


def _configured_index(settings: Settings, embedder: Embedder) -> Searcher | None:
    if not _built(settings.index_dir):
        return None
    return open_retriever(settings, embedder)


def _built(index_dir: Path) -> bool:
    try:
        index_status(index_dir)
    except IndexNotFound:
        return False
    return True


def _write_source(source: Path, passages: Sequence[str], *, corpus: Path | None) -> Path:
    if source.exists():
        shutil.rmtree(source)  # left over from an interrupted build
    source.mkdir(parents=True)
    with (source / PASSAGES_FILE).open("w", encoding="utf-8") as out:
        for number, passage in enumerate(passages):
            out.write(json.dumps({"id": f"p{number}", "text": passage}, ensure_ascii=False) + "\n")
    if corpus is not None:
        target = source / "documents"
        if corpus.is_dir():
            shutil.copytree(corpus, target)
        else:
            target.mkdir()
            shutil.copy2(corpus, target / corpus.name)
    return source


def probe_passages(index_dir: Path) -> Iterator[Chunk]:
    """Chunks of the index in a fixed pseudo-random order, long enough to hold a fact."""
    store = open_chunk_store(index_dir)
    try:
        rows = sorted(range(store.count()), key=lambda row: _seeded(row))
        for start in range(0, len(rows), 64):
            for chunk in store.chunks(rows[start : start + 64]):
                if len(chunk.text.strip()) >= MIN_PASSAGE_CHARS:
                    yield chunk
    finally:
        store.close()


def _seeded(row: int) -> str:
    return hashlib.sha256(f"{PASSAGE_SEED}:{row}".encode()).hexdigest()
