"""What the server is built from: a generator and an index service, real (api.wiring) or fake (tests)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from assistant.protocols import Generator, Retriever

# Called by a build as it goes: (stage, units done, units in all).
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildSummary:
    """What a finished build reports: its counts, and the files it skipped with the reason."""

    details: Mapping[str, Any]
    skipped: tuple[Mapping[str, str], ...]


class IndexService(Protocol):
    """Builds the index from a folder of documents and opens it for search."""

    def build(self, *, source: Path, incremental: bool, progress: Progress) -> BuildSummary:
        """Build (or update) the index; raises index.errors.IndexingError subclasses on failure."""
        ...

    def open(self) -> Retriever:
        """A retriever over the newest index; raises index.errors.IndexNotFound when none is built."""
        ...

    def status(self) -> Mapping[str, Any]:
        """A JSON-ready description of the index on disk; raises IndexNotFound when none is built."""
        ...


@dataclass(frozen=True)
class Components:
    generator: Generator
    index: IndexService
