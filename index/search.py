"""open_index and Searcher: dense FAISS search, optionally fused with BM25, scored by cosine similarity."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import CorruptIndex, EmbedderMismatch
from index.fusion import reciprocal_rank_fusion
from index.lexical import Bm25
from index.manifest import Manifest, read_manifest
from index.shapes import Hit, IndexStatus
from index.store import ChunkStore
from index.vectors import Embedder, Vectors, load_vectors
from index.versions import current_version, version_dir

CANDIDATES_PER_HIT = 4
MIN_CANDIDATES = 50
# RRF's usual k=60 flattens rank differences so much that a weak dense ranking drags down a strong BM25
# one: on all 9,936 HaluEval-QA passages with USE-multilingual, R@5 is 0.943 at k=60 and 0.967 at k=10
# (k chosen on 1,000 other questions: 0.944 -> 0.961); docs/index.md.
HYBRID_RRF_K = 10
# What truncated or overwritten files make sqlite3, numpy and faiss raise (faiss: RuntimeError).
_CORRUPTION_ERRORS = (OSError, ValueError, RuntimeError, EOFError, sqlite3.DatabaseError)


class Searcher:
    """One index version, loaded; it keeps serving that version after newer builds are switched in."""

    def __init__(self, directory: Path, *, embedder: Embedder, hybrid: bool) -> None:
        from index.faiss_index import load_faiss

        self._manifest = read_manifest(directory)
        _check_embedder(self._manifest, embedder)
        self._embedder = embedder
        try:
            self._store = ChunkStore(directory / "chunks.sqlite")
            self._vectors = load_vectors(directory)
            self._faiss: Any = load_faiss(directory, params=self._manifest.search_params)
            self._bm25 = Bm25(self._store.texts()) if hybrid else None
            counts = (self._store.count(), len(self._vectors), int(self._faiss.ntotal))
        except _CORRUPTION_ERRORS as exc:
            raise CorruptIndex(f"index version in {directory} is unreadable: {exc}") from exc
        if len(set(counts)) != 1 or counts[0] != self._manifest.chunks:
            raise CorruptIndex(
                f"index version in {directory} is inconsistent: manifest {self._manifest.chunks} chunks, "
                f"store {counts[0]}, vectors {counts[1]}, faiss {counts[2]}"
            )
        self.directory = directory

    @property
    def hybrid(self) -> bool:
        return self._bm25 is not None

    def retrieve(self, query: str, *, k: int, query_vector: Vectors | None = None) -> list[Hit]:
        """The `k` best chunks, best first; each score is the chunk's cosine similarity with the query.

        `query_vector` skips embedding the query when the caller already has it (benchmarks).
        """
        if k < 1 or not query.strip():
            return []
        vector = self._embedder.embed_query(query) if query_vector is None else query_vector
        rows = self._rank(query, vector, k=k)
        cosines = self._vectors[rows] @ vector if rows else np.zeros(0, dtype=np.float32)
        chunks = self._store.chunks(rows)
        return [
            Hit(
                text=chunk.text,
                source=chunk.source,
                chunk_id=chunk.chunk_id,
                score=float(cosine),
                title=chunk.title,
                rank=rank,
                position=chunk.position,
            )
            for rank, (chunk, cosine) in enumerate(zip(chunks, cosines, strict=True), start=1)
        ]

    def status(self) -> IndexStatus:
        return status_of(self._manifest)

    def close(self) -> None:
        self._store.close()

    def _rank(self, query: str, vector: np.ndarray[Any, Any], *, k: int) -> list[int]:
        from index.faiss_index import search_faiss

        if self._bm25 is None:
            return [int(row) for row in search_faiss(self._faiss, vector, k=k)]
        depth = max(k * CANDIDATES_PER_HIT, MIN_CANDIDATES)
        dense = [int(row) for row in search_faiss(self._faiss, vector, k=depth)]
        lexical = self._bm25.top(query, k=depth)
        return reciprocal_rank_fusion([dense, lexical], k=HYBRID_RRF_K)[:k]


def open_index(index_dir: Path, *, embedder: Embedder, hybrid: bool = True) -> Searcher:
    """The current version of the index in `index_dir`. Raises IndexNotFound, EmbedderMismatch,
    CorruptIndex (truncated or overwritten files)."""
    return Searcher(version_dir(index_dir, current_version(index_dir)), embedder=embedder, hybrid=hybrid)


def index_status(index_dir: Path) -> IndexStatus:
    """Counts and provenance of the current version, read from its manifest (no model is loaded)."""
    return status_of(read_manifest(version_dir(index_dir, current_version(index_dir))))


def status_of(manifest: Manifest) -> IndexStatus:
    return IndexStatus(
        documents=len(manifest.documents),
        chunks=manifest.chunks,
        embedder=manifest.embedder,
        dimension=manifest.dimension,
        built_at=manifest.built_at,
        version=manifest.version,
        index_kind=manifest.index_kind,
        chunk_size=manifest.chunk_size,
        chunk_overlap=manifest.chunk_overlap,
    )


def _check_embedder(manifest: Manifest, embedder: Embedder) -> None:
    if (manifest.embedder, manifest.dimension) != (embedder.model_id, embedder.dimension):
        raise EmbedderMismatch(
            f"the index was built with {manifest.embedder} ({manifest.dimension} dimensions) but the "
            f"configured embedder is {embedder.model_id} ({embedder.dimension}); rebuild the index "
            "or configure the embedder it was built with"
        )
