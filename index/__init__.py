"""Documents in, a FAISS index on disk, passages out: build, persist, update and search the user's documents.

Importing this package loads no model and no heavy library; adapters import theirs when first used.
"""

from index.build import build_index
from index.embedders import open_embedder
from index.errors import (
    BuildLocked,
    CorruptIndex,
    EmbedderMismatch,
    EmptyCorpus,
    IndexingError,
    IndexNotFound,
    InvalidOptions,
    SourceNotFound,
    UnknownEmbedder,
)
from index.listing import open_chunk_store, source_files
from index.search import Searcher, index_status, open_index
from index.shapes import (
    BuildProgress,
    BuildReport,
    BuildTimings,
    Hit,
    IndexOptions,
    IndexStatus,
    Position,
    SkippedFile,
)
from index.vectors import Embedder

__all__ = [
    "BuildLocked",
    "BuildProgress",
    "BuildReport",
    "BuildTimings",
    "CorruptIndex",
    "Embedder",
    "EmbedderMismatch",
    "EmptyCorpus",
    "Hit",
    "IndexNotFound",
    "IndexOptions",
    "IndexStatus",
    "IndexingError",
    "InvalidOptions",
    "Position",
    "Searcher",
    "SkippedFile",
    "SourceNotFound",
    "UnknownEmbedder",
    "build_index",
    "index_status",
    "open_chunk_store",
    "open_embedder",
    "open_index",
    "source_files",
]
