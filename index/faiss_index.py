"""FAISS adapter: build a flat, HNSW or IVF inner-product index over unit vectors, save, load, search."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

from index.shapes import IndexKind, IndexKindOption
from index.vectors import Vectors

FAISS_NAME = "faiss.index"
# `auto` keeps exact search while a flat scan is cheap: 512-d, one thread, p50 1.7 ms at 12,500 vectors but
# 10 ms at 15,000 and 61-81 ms at 100,000; HNSW answers in under 1 ms there (bench/index_ann.py).
AUTO_FLAT_MAX_CHUNKS = 12_000
HNSW_NEIGHBOURS = 32
HNSW_EF_CONSTRUCTION = 80
# Measured on 100k real-distribution 512-d vectors: exact@5 0.967 at efSearch 128, 0.989 at 256 (0.9 ms);
# 256 also keeps 0.97 of the exact top 50 that hybrid search fuses with BM25.
HNSW_EF_SEARCH = 256
IVF_PROBES = 64  # of about 4*sqrt(n) lists: exact@5 0.917 at 16, 0.951 at 32, 0.976 at 64 (1.3 ms) at 100k

SearchParams = dict[str, int]


def resolve_kind(kind: IndexKindOption, *, chunks: int) -> IndexKind:
    """The index kind to build: `auto` is exact (flat) for small corpora and HNSW for large ones."""
    if kind != "auto":
        return kind
    return "flat" if chunks <= AUTO_FLAT_MAX_CHUNKS else "hnsw"


def build_faiss(vectors: Vectors, *, kind: IndexKindOption) -> faiss.Index:
    """An index over `vectors` (row number = id), with the default search-time parameters set."""
    dimension = vectors.shape[1]
    index: faiss.Index
    resolved = resolve_kind(kind, chunks=len(vectors))
    if resolved == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    elif resolved == "ivf":
        index = _ivf(vectors)
    else:
        index = faiss.IndexFlatIP(dimension)
    index.add(vectors)
    return index


def _ivf(vectors: Vectors) -> faiss.Index:
    # FAISS wants about 39 training points per list; small corpora get fewer lists.
    lists = max(1, min(int(4 * math.sqrt(len(vectors))), len(vectors) // 39))
    dimension = vectors.shape[1]
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, lists, faiss.METRIC_INNER_PRODUCT)
    index.train(vectors)
    index.nprobe = min(lists, IVF_PROBES)
    return index


def kind_of(index: faiss.Index) -> IndexKind:
    if isinstance(index, faiss.IndexHNSWFlat):
        return "hnsw"
    if isinstance(index, faiss.IndexIVFFlat):
        return "ivf"
    return "flat"


def search_params(index: faiss.Index) -> SearchParams:
    """The parameters that decide what `index` returns, for the manifest (empty for exact search)."""
    if isinstance(index, faiss.IndexHNSWFlat):
        hnsw = index.hnsw
        return {"m": HNSW_NEIGHBOURS, "ef_construction": hnsw.efConstruction, "ef_search": hnsw.efSearch}
    if isinstance(index, faiss.IndexIVFFlat):
        return {"nlist": index.nlist, "nprobe": index.nprobe}
    return {}


def apply_search_params(index: faiss.Index, params: Mapping[str, int]) -> None:
    """Set efSearch / nprobe from `params`, or the defaults where a (pre-"auto") manifest has none."""
    if isinstance(index, faiss.IndexHNSWFlat):
        index.hnsw.efSearch = int(params.get("ef_search", HNSW_EF_SEARCH))
    elif isinstance(index, faiss.IndexIVFFlat):
        index.nprobe = min(index.nlist, int(params.get("nprobe", IVF_PROBES)))


def save_faiss(index: faiss.Index, directory: Path) -> None:
    faiss.write_index(index, str(directory / FAISS_NAME))


def load_faiss(directory: Path, *, params: Mapping[str, int] | None = None) -> faiss.Index:
    """The saved index, searching with the parameters it was built with (`params`, from the manifest)."""
    index = faiss.read_index(str(directory / FAISS_NAME))
    apply_search_params(index, params or {})
    return index


def search_faiss(index: faiss.Index, query: Vectors, *, k: int) -> npt.NDArray[np.int64]:
    """Rows of the (up to) `k` nearest vectors by inner product, best first."""
    _, rows = index.search(query.reshape(1, -1), min(k, index.ntotal))
    found: npt.NDArray[np.int64] = rows[0][rows[0] >= 0]
    return found
