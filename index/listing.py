"""Read-only access to what an index holds: its chunks, and the files a source path would ingest."""

from __future__ import annotations

from pathlib import Path

from index.loaders import iter_files as source_files
from index.store import ChunkStore
from index.versions import current_version, version_dir

__all__ = ["open_chunk_store", "source_files"]


def open_chunk_store(index_dir: Path) -> ChunkStore:
    """The chunk store of the current version; raises IndexNotFound. The caller closes it."""
    return ChunkStore(version_dir(index_dir, current_version(index_dir)) / "chunks.sqlite")
