"""The chunk vectors of a version as a plain .npy file (no pickle), memory-mapped when read."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.embedders import Vectors

VECTORS_NAME = "vectors.npy"


def save_vectors(directory: Path, vectors: Vectors) -> None:
    with (directory / VECTORS_NAME).open("wb") as handle:
        np.save(handle, np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)


def load_vectors(directory: Path) -> Vectors:
    """Memory-mapped, so a searcher keeps reading them even after a newer build removes the folder."""
    vectors: Vectors = np.load(directory / VECTORS_NAME, mmap_mode="r", allow_pickle=False)
    return vectors
