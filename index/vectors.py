"""Vectors and where they come from: the Embedder protocol, row normalising, and the .npy file of a version.

The chunk vectors of a version are a plain .npy file (no pickle), memory-mapped when read.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

VECTORS_NAME = "vectors.npy"


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


def normalise_rows(vectors: npt.ArrayLike) -> Vectors:
    """Rows scaled to unit length (zero rows stay zero), as contiguous float32."""
    array = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(array, axis=-1, keepdims=True)
    result: Vectors = array / np.maximum(norms, np.float32(1e-12))
    return result


def save_vectors(directory: Path, vectors: Vectors) -> None:
    with (directory / VECTORS_NAME).open("wb") as handle:
        np.save(handle, np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)


def load_vectors(directory: Path) -> Vectors:
    """Memory-mapped, so a searcher keeps reading them even after a newer build removes the folder."""
    vectors: Vectors = np.load(directory / VECTORS_NAME, mmap_mode="r", allow_pickle=False)
    return vectors
