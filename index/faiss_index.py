"""FAISS adapter: build a flat, HNSW or IVF inner-product index over unit vectors, save, load, search."""

from __future__ import annotations

import math
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

from index.embedders import Vectors
from index.records import IndexKind

FAISS_NAME = "faiss.index"
HNSW_NEIGHBOURS = 32
HNSW_EF_SEARCH = 128
IVF_MAX_PROBES = 16


def build_faiss(vectors: Vectors, *, kind: IndexKind) -> faiss.Index:
    dimension = vectors.shape[1]
    index: faiss.Index
    if kind == "hnsw":
        index = _hnsw(dimension)
    elif kind == "ivf":
        index = _ivf(vectors)
    else:
        index = faiss.IndexFlatIP(dimension)
    index.add(vectors)
    return index


def _hnsw(dimension: int) -> faiss.Index:
    index = faiss.IndexHNSWFlat(dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 80
    return index


def _ivf(vectors: Vectors) -> faiss.Index:
    # FAISS wants about 39 training points per list; small corpora get fewer lists.
    lists = max(1, min(int(4 * math.sqrt(len(vectors))), len(vectors) // 39))
    dimension = vectors.shape[1]
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, lists, faiss.METRIC_INNER_PRODUCT)
    index.train(vectors)
    return index


def save_faiss(index: faiss.Index, directory: Path) -> None:
    faiss.write_index(index, str(directory / FAISS_NAME))


def load_faiss(directory: Path) -> faiss.Index:
    index = faiss.read_index(str(directory / FAISS_NAME))
    if isinstance(index, faiss.IndexHNSWFlat):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    elif isinstance(index, faiss.IndexIVFFlat):
        index.nprobe = min(index.nlist, IVF_MAX_PROBES)
    return index


def search_faiss(index: faiss.Index, query: Vectors, *, k: int) -> npt.NDArray[np.int64]:
    """Rows of the (up to) `k` nearest vectors by inner product, best first."""
    _, rows = index.search(query.reshape(1, -1), min(k, index.ntotal))
    found: npt.NDArray[np.int64] = rows[0][rows[0] >= 0]
    return found
