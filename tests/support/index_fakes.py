"""A deterministic Embedder for logic tests: hashed bag of words, so shared words mean similar vectors."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


class HashingEmbedder:
    def __init__(self, *, dimension: int = 64, model_id: str = "test/hashing-bow") -> None:
        self._dimension = dimension
        self._model_id = model_id
        self.embedded: list[str] = []  # every document text embedded, to count work

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed_documents(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.embedded.extend(texts)
        return np.stack([self._vector(text) for text in texts]) if texts else np.zeros((0, self._dimension))

    def embed_query(self, text: str) -> npt.NDArray[np.float32]:
        return self._vector(text)

    def _vector(self, text: str) -> npt.NDArray[np.float32]:
        vector = np.zeros(self._dimension, dtype=np.float32)
        for word in re.findall(r"\w", text.lower()) + re.findall(r"\w+", text.lower()):
            digest = hashlib.sha256(word.encode()).digest()
            vector[int.from_bytes(digest[:4], "little") % self._dimension] += 1.0
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector
