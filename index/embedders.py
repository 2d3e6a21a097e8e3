"""The Embedder protocol and `open_embedder`, which picks an adapter by name without importing it early."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from index.errors import UnknownEmbedder

Vectors = npt.NDArray[np.float32]

KNOWN_EMBEDDERS = ("minilm", "use-multilingual", "e5-small")


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; documents and queries may be encoded differently."""

    @property
    def model_id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        """(len(texts), dimension) float32, each row of unit length."""
        ...

    def embed_query(self, text: str) -> Vectors:
        """(dimension,) float32 of unit length."""
        ...


def open_embedder(name: str) -> Embedder:
    """'minilm', 'use-multilingual', 'e5-small', or a local sentence-transformers model directory."""
    if name == "minilm":
        from index.sentence_transformers_embedder import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder.bundled_minilm()
    if name == "use-multilingual":
        from index.use_embedder import UseMultilingualEmbedder

        return UseMultilingualEmbedder()
    if name == "e5-small":
        from index.e5_embedder import E5SmallEmbedder

        return E5SmallEmbedder()
    path = Path(name).expanduser()
    if (path / "modules.json").is_file() or (path / "config_sentence_transformers.json").is_file():
        from index.sentence_transformers_embedder import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(path)
    known = ", ".join(KNOWN_EMBEDDERS)
    raise UnknownEmbedder(f"unknown embedder {name!r}: use one of {known} or a sentence-transformers folder")


def normalise_rows(vectors: npt.ArrayLike) -> Vectors:
    """Rows scaled to unit length (zero rows stay zero), as contiguous float32."""
    array = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(array, axis=-1, keepdims=True)
    result: Vectors = array / np.maximum(norms, np.float32(1e-12))
    return result
