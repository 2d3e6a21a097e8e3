"""Deterministic fakes of the Retriever protocol (the scripted Generator is assistant.backends.scripted)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.protocols import Passage


@dataclass(frozen=True)
class StaticPassage:
    """A passage with fixed fields; satisfies the Passage protocol."""

    text: str
    source: str = "doc.txt"
    chunk_id: str = "doc.txt#0"
    score: float = 0.8


@dataclass
class StaticRetriever:
    """A Retriever that returns the first `k` of the given passages for any query, and records queries."""

    passages: Sequence[Passage]
    queries: list[str] = field(default_factory=list)

    def retrieve(self, query: str, *, k: int) -> Sequence[Passage]:
        self.queries.append(query)
        return list(self.passages[:k])
