"""The frozen records the index package passes around: options, documents, chunks, hits, reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

from index.errors import InvalidOptions

IndexKind = Literal["flat", "hnsw", "ivf"]
IndexKindOption = Literal["auto", "flat", "hnsw", "ivf"]  # auto: flat for small corpora, HNSW for large
INDEX_KINDS: tuple[IndexKindOption, ...] = ("auto", "flat", "hnsw", "ivf")


@dataclass(frozen=True)
class IndexOptions:
    """How documents are cut into chunks and which FAISS index holds their vectors."""

    chunk_size: int = 800
    chunk_overlap: int = 120
    index_kind: IndexKindOption = "auto"

    def __post_init__(self) -> None:
        if self.chunk_size < 1:
            raise InvalidOptions(f"chunk_size must be positive, got {self.chunk_size}")
        if not 0 <= self.chunk_overlap < self.chunk_size:
            raise InvalidOptions(
                f"chunk_overlap must be in [0, chunk_size), got {self.chunk_overlap} for {self.chunk_size}"
            )
        if self.index_kind not in INDEX_KINDS:
            raise InvalidOptions(f"index_kind must be one of {', '.join(INDEX_KINDS)}")


@dataclass(frozen=True)
class Document:
    """One document's text; `key` names it (relative path, or `file.jsonl#id` for a JSONL line)."""

    key: str
    title: str
    text: str
    page_starts: tuple[int, ...] = ()  # character offset where each PDF page begins


@dataclass(frozen=True)
class Position:
    """Where a chunk lies in its document: character offsets and, for PDFs, the 1-based page."""

    start: int
    end: int
    page: int | None = None

    def __str__(self) -> str:
        where = f"chars {self.start}-{self.end}"
        return where if self.page is None else f"page {self.page}, {where}"


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    source: str
    title: str
    text: str
    position: Position


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk. `score` is always the cosine similarity with the query, whatever the ranking."""

    text: str
    source: str
    chunk_id: str
    score: float
    title: str
    rank: int
    position: Position


class SkippedFile(NamedTuple):
    """A file (or JSONL line) left out of the build, and why; unpacks as (path, reason)."""

    path: str
    reason: str


@dataclass(frozen=True)
class BuildProgress:
    """`stage` is 'reading', 'embedding' or 'writing'; `done` of `total` units (files or chunks)."""

    stage: str
    done: int
    total: int


@dataclass(frozen=True)
class BuildTimings:
    embedding_s: float
    other_s: float

    @property
    def total_s(self) -> float:
        return self.embedding_s + self.other_s


@dataclass(frozen=True)
class BuildReport:
    documents: int
    chunks: int
    embedded_chunks: int  # chunks whose vectors were computed in this build (the rest were reused)
    skipped: list[SkippedFile]
    version: int
    seconds: BuildTimings
    incremental: bool = False


@dataclass(frozen=True)
class IndexStatus:
    documents: int
    chunks: int
    embedder: str
    dimension: int
    built_at: str
    version: int
    index_kind: str
    chunk_size: int
    chunk_overlap: int
