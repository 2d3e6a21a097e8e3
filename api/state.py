"""The server's mutable state: components once loaded, and the retriever that rebuilds swap in."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from api.components import Components
from assistant.protocols import Retriever
from index.errors import IndexNotFound


class NotReady(Exception):
    """The models are still loading, or failed to load."""


@dataclass(frozen=True)
class Readiness:
    ready: bool
    status: str  # "loading", "failed", "no_index" or "ready"
    detail: str


class ServerState:
    """Thread-safe holder of what loads after start-up; requests read it, loaders and builds write it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._components: Components | None = None
        self._retriever: Retriever | None = None
        self._failure: str | None = None
        self._index_problem = "no index is built: POST /v1/index/rebuild"

    def set_components(self, components: Components) -> None:
        with self._lock:
            self._components = components

    def set_failure(self, message: str) -> None:
        with self._lock:
            self._failure = message

    def set_index_problem(self, message: str) -> None:
        """Why no index is loaded (none built, built with another embedder...)."""
        with self._lock:
            self._index_problem = message

    def swap_retriever(self, retriever: Retriever) -> None:
        """Replace the retriever; requests already holding the old one finish with it."""
        with self._lock:
            self._retriever = retriever

    def components(self) -> Components:
        with self._lock:
            components, failure = self._components, self._failure
        if components is None:
            raise NotReady(f"the models failed to load: {failure}" if failure else "the models are loading")
        return components

    def retriever(self) -> Retriever:
        with self._lock:
            retriever = self._retriever
            problem = self._index_problem
        if retriever is None:
            raise IndexNotFound(problem)
        return retriever

    def readiness(self) -> Readiness:
        with self._lock:
            if self._failure is not None:
                return Readiness(ready=False, status="failed", detail=self._failure)
            if self._components is None:
                return Readiness(ready=False, status="loading", detail="the models are loading")
            if self._retriever is None:
                return Readiness(ready=False, status="no_index", detail=self._index_problem)
            return Readiness(ready=True, status="ready", detail="")
