"""The server's mutable state: components once loaded, and the retriever that rebuilds swap in."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

from api.components import Components
from assistant.protocols import Retriever

IndexState = Literal["loading", "none", "failed", "ready"]
NO_INDEX = "no documents are indexed: add some with POST /v1/documents, then POST /v1/index/rebuild"


class NotReady(Exception):
    """The models are still loading, or failed to load."""


@dataclass(frozen=True)
class Readiness:
    """Ready once the models are loaded and the index is either open or not built yet.

    An index that exists but cannot be opened (truncated, corrupt, another embedder) makes the server
    not ready with status "failed": it would otherwise answer as if the documents did not exist.
    """

    ready: bool
    status: str  # "loading", "failed" or "ready"
    index: IndexState
    detail: str


class ServerState:
    """Thread-safe holder of what loads after start-up; requests read it, loaders and builds write it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._components: Components | None = None
        self._retriever: Retriever | None = None
        self._failure: str | None = None
        self._index_failure: str | None = None

    def set_components(self, components: Components) -> None:
        with self._lock:
            self._components = components

    def set_failure(self, message: str) -> None:
        with self._lock:
            self._failure = message

    def set_index_failure(self, message: str) -> None:
        """An index exists on disk but could not be opened; cleared by the next successful build."""
        with self._lock:
            self._index_failure = message

    def swap_retriever(self, retriever: Retriever) -> None:
        """Replace the retriever; requests already holding the old one finish with it."""
        with self._lock:
            self._retriever = retriever
            self._index_failure = None

    def close(self) -> None:
        """At shutdown: a generator that owns a process or connections (`close()`) releases them."""
        with self._lock:
            components, self._components = self._components, None
        close = getattr(components.generator, "close", None) if components is not None else None
        if callable(close):
            close()

    def components(self) -> Components:
        with self._lock:
            components, failure = self._components, self._failure
        if components is None:
            raise NotReady(f"the models failed to load: {failure}" if failure else "the models are loading")
        return components

    def retriever(self) -> Retriever | None:
        """The open index, or None when there is none (see `index_notice` for why)."""
        with self._lock:
            return self._retriever

    def index_notice(self) -> str | None:
        """Why questions are answered without documents; None when an index is open."""
        with self._lock:
            if self._retriever is not None:
                return None
            if self._index_failure is not None:
                return f"the index could not be opened ({self._index_failure}); answered without documents"
            return NO_INDEX

    def readiness(self) -> Readiness:
        with self._lock:
            index = self._index_state()
            if self._failure is not None:
                return Readiness(ready=False, status="failed", index=index, detail=self._failure)
            if self._components is None:
                return Readiness(ready=False, status="loading", index=index, detail="the models are loading")
            if self._index_failure is not None:
                detail = f"{self._index_failure}; POST /v1/index/rebuild to rebuild it"
                return Readiness(ready=False, status="failed", index=index, detail=detail)
            detail = "" if self._retriever is not None else NO_INDEX
            return Readiness(ready=True, status="ready", index=index, detail=detail)

    def _index_state(self) -> IndexState:
        if self._retriever is not None:
            return "ready"
        if self._index_failure is not None:
            return "failed"
        return "loading" if self._components is None else "none"
