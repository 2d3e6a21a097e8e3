"""build_index: read documents, chunk, embed (reusing unchanged vectors), write a new version, switch."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import CorruptIndex, EmptyCorpus, IndexNotFound, IndexWriteFailed, SourceNotFound
from index.loaders import document_key, iter_files, read_file
from index.manifest import DocumentEntry, Manifest, read_manifest, write_manifest
from index.shapes import BuildProgress, BuildReport, BuildTimings, Chunk, Document, IndexOptions, SkippedFile
from index.store import ChunkStore, write_chunks
from index.vectors import Embedder, Vectors, load_vectors, save_vectors
from index.versions import build_lock, current_version, new_build_dir, next_version, publish, version_dir

ProgressCallback = Callable[[BuildProgress], None]
EMBED_BATCH = 64
_WRITE_ERRORS = (OSError, sqlite3.Error, RuntimeError)


@dataclass(frozen=True)
class _Corpus:
    documents: list[Document]
    skipped: list[SkippedFile]


def build_index(
    *,
    source: Path,
    index_dir: Path,
    embedder: Embedder,
    options: IndexOptions,
    incremental: bool = False,
    progress: ProgressCallback | None = None,
) -> BuildReport:
    """Build a new index version from `source` and make it current once it is complete.

    Raises SourceNotFound, EmptyCorpus, BuildLocked. With `incremental`, every chunk whose id (a hash of
    document key, offset and text) is in the current version keeps its vector, so only new or changed
    documents are embedded; deleted documents disappear with the rest of the old version.
    """
    started = time.perf_counter()
    if not source.exists():
        raise SourceNotFound(f"source not found: {source}")
    report = _emit(progress)
    with build_lock(index_dir):
        corpus = _read_corpus(source, report)
        if not corpus.documents:
            raise EmptyCorpus(f"no readable text in {source} ({len(corpus.skipped)} files skipped)")
        previous = _reusable_vectors(index_dir, embedder, options) if incremental else {}
        chunks_by_doc = _chunk_all(corpus.documents, options)
        vectors, embedded, embedding_s = _embed(chunks_by_doc, previous, embedder, report)
        version = _write_version(
            index_dir=index_dir,
            source=source,
            embedder=embedder,
            options=options,
            corpus=corpus,
            chunks_by_doc=chunks_by_doc,
            vectors=vectors,
            report=report,
        )
    total_chunks = sum(len(chunks) for chunks in chunks_by_doc.values())
    return BuildReport(
        documents=len(corpus.documents),
        chunks=total_chunks,
        embedded_chunks=embedded,
        skipped=corpus.skipped,
        version=version,
        seconds=BuildTimings(embedding_s=embedding_s, other_s=time.perf_counter() - started - embedding_s),
        incremental=incremental,
    )


def content_hash(document: Document) -> str:
    return hashlib.sha256(f"{document.title}\0{document.text}".encode()).hexdigest()


def _emit(progress: ProgressCallback | None) -> Callable[[str, int, int], None]:
    def report(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress(BuildProgress(stage=stage, done=done, total=total))

    return report


def _read_corpus(source: Path, report: Callable[[str, int, int], None]) -> _Corpus:
    files = list(iter_files(source))
    documents: dict[str, Document] = {}
    skipped: list[SkippedFile] = []
    for done, path in enumerate(files, start=1):
        found, left_out = read_file(path, document_key(path, source))
        skipped += left_out
        for document in found:
            if document.key in documents:
                skipped.append(SkippedFile(document.key, "duplicate document id"))
            else:
                documents[document.key] = document
        report("reading", done, len(files))
    return _Corpus(documents=list(documents.values()), skipped=skipped)


def _chunk_all(documents: list[Document], options: IndexOptions) -> dict[str, list[Chunk]]:
    from index.chunking import chunk_document, make_splitter

    splitter = make_splitter(options)
    return {document.key: chunk_document(document, splitter) for document in documents}


def _reusable_vectors(index_dir: Path, embedder: Embedder, options: IndexOptions) -> dict[str, Vectors]:
    """chunk_id -> vector from the current version, when it was built with the same embedder and chunking."""
    try:
        directory = version_dir(index_dir, current_version(index_dir))
        manifest = read_manifest(directory)
    except (IndexNotFound, CorruptIndex):
        return {}
    same_model = (manifest.embedder, manifest.dimension) == (embedder.model_id, embedder.dimension)
    same_chunks = (manifest.chunk_size, manifest.chunk_overlap) == (options.chunk_size, options.chunk_overlap)
    if not (same_model and same_chunks):
        return {}
    vectors = load_vectors(directory)
    store = ChunkStore(directory / "chunks.sqlite")
    try:
        pairs = [pair for rows in store.rows_by_source().values() for pair in rows]
    finally:
        store.close()
    return {chunk_id: np.array(vectors[row]) for row, chunk_id in pairs}


def _embed(
    chunks_by_doc: dict[str, list[Chunk]],
    previous: dict[str, Vectors],
    embedder: Embedder,
    report: Callable[[str, int, int], None],
) -> tuple[Vectors, int, float]:
    """All chunk vectors in store order, how many were computed now, and the seconds spent computing them."""
    chunks = [chunk for doc_chunks in chunks_by_doc.values() for chunk in doc_chunks]
    vectors = np.zeros((len(chunks), embedder.dimension), dtype=np.float32)
    missing = [row for row, chunk in enumerate(chunks) if chunk.chunk_id not in previous]
    for row, chunk in enumerate(chunks):
        if chunk.chunk_id in previous:
            vectors[row] = previous[chunk.chunk_id]
    spent = 0.0
    report("embedding", 0, len(missing))
    for begin in range(0, len(missing), EMBED_BATCH):
        rows = missing[begin : begin + EMBED_BATCH]
        tick = time.perf_counter()
        vectors[rows] = embedder.embed_documents([chunks[row].text for row in rows])
        spent += time.perf_counter() - tick
        report("embedding", begin + len(rows), len(missing))
    return vectors, len(missing), spent


def _write_version(
    *,
    index_dir: Path,
    source: Path,
    embedder: Embedder,
    options: IndexOptions,
    corpus: _Corpus,
    chunks_by_doc: dict[str, list[Chunk]],
    vectors: Vectors,
    report: Callable[[str, int, int], None],
) -> int:
    from index.faiss_index import build_faiss, save_faiss

    scratch = new_build_dir(index_dir)
    try:
        report("writing", 0, 4)
        write_chunks(scratch / "chunks.sqlite", (c for chunks in chunks_by_doc.values() for c in chunks))
        report("writing", 1, 4)
        save_vectors(scratch, vectors)
        report("writing", 2, 4)
        dense_index = build_faiss(vectors, kind=options.index_kind)
        save_faiss(dense_index, scratch)
        report("writing", 3, 4)
        version = next_version(index_dir)
        documents = {doc.key: _entry(doc, chunks_by_doc[doc.key]) for doc in corpus.documents}
        manifest = _manifest(
            version=version, embedder=embedder, options=options, dense_index=dense_index, source=source
        )
        manifest = dataclasses.replace(manifest, chunks=len(vectors), documents=documents)
        write_manifest(scratch, manifest)  # written last: a version folder with a manifest is complete
        publish(scratch, index_dir, version)
    except _WRITE_ERRORS as exc:
        # A full disk (ENOSPC; sqlite says "database or disk is full", faiss raises RuntimeError):
        # free the space at once; the current version was never touched.
        shutil.rmtree(scratch, ignore_errors=True)
        raise IndexWriteFailed(
            f"could not write the new index version ({type(exc).__name__}: {exc}); "
            "the previous version still serves"
        ) from exc
    report("writing", 4, 4)
    return version


def _manifest(
    *, version: int, embedder: Embedder, options: IndexOptions, dense_index: Any, source: Path
) -> Manifest:
    from index.faiss_index import kind_of, search_params

    return Manifest(
        version=version,
        embedder=embedder.model_id,
        dimension=embedder.dimension,
        chunk_size=options.chunk_size,
        chunk_overlap=options.chunk_overlap,
        index_kind=kind_of(dense_index),
        search_params=search_params(dense_index),
        source=str(source.resolve()),
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        chunks=0,
        documents={},
    )


def _entry(document: Document, chunks: list[Chunk]) -> DocumentEntry:
    return DocumentEntry(content_hash=content_hash(document), title=document.title, chunks=len(chunks))
