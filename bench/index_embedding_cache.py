"""An Embedder wrapper for benchmarks that keeps every vector it computed on disk (.npy + JSON, no pickle).

Reruns of a benchmark then skip the expensive embedding; the seconds spent computing the cached vectors
are stored with them so a rerun can still report the embedding cost of a build.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index import Embedder
from index.vectors import Vectors

SAVE_EVERY = 512  # new vectors between saves, so an interrupted run keeps most of its work


class CachedEmbedder:
    """Same model id and vectors as `inner`; documents are looked up by the SHA-256 of their text."""

    def __init__(self, inner: Embedder, *, stem: Path) -> None:
        self._inner = inner
        self._vectors_path = stem.with_suffix(".npy")
        self._keys_path = stem.with_suffix(".json")
        self._rows: dict[str, int] = {}
        self._vectors: list[Vectors] = []
        self.cached_seconds = 0.0  # seconds once spent computing the vectors in the cache
        self.computed = 0  # vectors computed by this process
        self._unsaved = 0
        self._load()

    @property
    def model_id(self) -> str:
        return self._inner.model_id

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        missing = list(dict.fromkeys(t for t in texts if _key("d", t) not in self._rows))
        if missing:
            tick = time.perf_counter()
            fresh = self._inner.embed_documents(missing)
            self._add([_key("d", t) for t in missing], fresh, time.perf_counter() - tick)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._vectors[self._rows[_key("d", t)]] for t in texts])

    def embed_query(self, text: str) -> Vectors:
        return self._inner.embed_query(text)

    def seconds_for(self, texts: Sequence[str]) -> float:
        """Estimated seconds to embed `texts`: the mean cost per cached vector times their count."""
        return self.cached_seconds / max(1, len(self._rows)) * len(texts)

    def save(self) -> None:
        self._vectors_path.parent.mkdir(parents=True, exist_ok=True)
        matrix = np.stack(self._vectors) if self._vectors else np.zeros((0, self.dimension), np.float32)
        np.save(self._vectors_path, matrix.astype(np.float32), allow_pickle=False)
        keys = sorted(self._rows, key=self._rows.__getitem__)
        payload = {"model_id": self.model_id, "seconds": self.cached_seconds, "keys": keys}
        self._keys_path.write_text(json.dumps(payload), encoding="utf-8")
        self._unsaved = 0

    def _add(self, keys: list[str], vectors: Vectors, seconds: float) -> None:
        for key, vector in zip(keys, vectors, strict=True):
            self._rows[key] = len(self._vectors)
            self._vectors.append(np.asarray(vector, dtype=np.float32))
        self.cached_seconds += seconds
        self.computed += len(keys)
        self._unsaved += len(keys)
        if self._unsaved >= SAVE_EVERY:
            self.save()

    def _load(self) -> None:
        if not (self._vectors_path.is_file() and self._keys_path.is_file()):
            return
        payload = json.loads(self._keys_path.read_text(encoding="utf-8"))
        matrix = np.load(self._vectors_path, allow_pickle=False)
        if payload["model_id"] != self.model_id or len(payload["keys"]) != len(matrix):
            return  # another model or a torn save: start afresh rather than mix vectors
        self._rows = {key: row for row, key in enumerate(payload["keys"])}
        self._vectors = list(matrix)
        self.cached_seconds = float(payload["seconds"])


def _key(kind: str, text: str) -> str:
    return kind + hashlib.sha256(text.encode("utf-8")).hexdigest()
