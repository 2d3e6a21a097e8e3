"""Approximate indexes: HNSW and IVF agree with a numpy oracle; `auto` picks the kind; parameters persist."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from index.build import build_index
from index.faiss_index import (
    AUTO_FLAT_MAX_CHUNKS,
    HNSW_EF_SEARCH,
    IVF_PROBES,
    build_faiss,
    load_faiss,
    resolve_kind,
    save_faiss,
    search_params,
)
from index.manifest import read_manifest
from index.search import index_status, open_index
from index.shapes import IndexOptions
from index.versions import current_version, version_dir
from tests.support.corpus import ENGLISH, write_corpus
from tests.support.index_fakes import HashingEmbedder

ANN_MIN_RECALL = 0.95  # the exact@5 the defaults promise (docs/index.md, bench/index_ann.py)
Matrix = npt.NDArray[np.float32]


def clustered(count: int, *, dimension: int, clusters: int, seed: int) -> Matrix:
    """Unit vectors around random topic centres with uneven spread, like sentence embeddings of a corpus."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dimension))
    members = rng.integers(clusters, size=count)
    spread = rng.uniform(0.8, 2.0, size=(count, 1))  # wide: nprobe 4 or efSearch 4 fall short
    points = centres[members] + spread * rng.standard_normal((count, dimension))
    normalised: Matrix = (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)
    return normalised


@pytest.fixture(scope="module")
def vectors() -> tuple[Matrix, Matrix]:
    everything = clustered(4200, dimension=64, clusters=60, seed=7)
    return everything[:4000], everything[4000:]


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_ann_top5_agrees_with_a_numpy_oracle(kind: str, vectors: tuple[Matrix, Matrix]) -> None:
    base, queries = vectors
    index = build_faiss(base, kind=kind)  # type: ignore[arg-type]
    _, found = index.search(queries, 5)
    exact = np.argsort(-(queries @ base.T), axis=1)[:, :5]
    agreement = np.mean([len(set(f) & set(e)) / 5 for f, e in zip(found, exact, strict=True)])
    assert agreement >= ANN_MIN_RECALL
    assert index.ntotal == len(base)


def test_auto_is_flat_for_a_small_corpus_and_hnsw_for_a_large_one() -> None:
    assert resolve_kind("auto", chunks=3) == "flat"
    assert resolve_kind("auto", chunks=AUTO_FLAT_MAX_CHUNKS) == "flat"
    assert resolve_kind("auto", chunks=AUTO_FLAT_MAX_CHUNKS + 1) == "hnsw"
    assert resolve_kind("ivf", chunks=3) == "ivf"
    assert IndexOptions().index_kind == "auto"


def test_default_build_of_a_small_corpus_is_flat(tmp_path: Path) -> None:
    source = write_corpus(tmp_path / "docs", ENGLISH)
    build_index(source=source, index_dir=tmp_path / "idx", embedder=HashingEmbedder(), options=IndexOptions())
    status = index_status(tmp_path / "idx")
    assert status.index_kind == "flat"
    assert read_manifest(version_dir(tmp_path / "idx", status.version)).search_params == {}


@pytest.mark.parametrize(
    ("kind", "key", "default"), [("hnsw", "ef_search", HNSW_EF_SEARCH), ("ivf", "nprobe", 1)]
)
def test_the_manifest_keeps_the_search_parameters(kind: str, key: str, default: int, tmp_path: Path) -> None:
    source = write_corpus(tmp_path / "docs", ENGLISH)
    embedder = HashingEmbedder()
    options = IndexOptions(chunk_size=200, chunk_overlap=40, index_kind=kind)  # type: ignore[arg-type]
    build_index(source=source, index_dir=tmp_path / "idx", embedder=embedder, options=options)
    directory = version_dir(tmp_path / "idx", current_version(tmp_path / "idx"))
    manifest = read_manifest(directory)
    assert (manifest.index_kind, manifest.search_params[key]) == (kind, default)  # 4 chunks: 1 IVF list
    assert open_index(tmp_path / "idx", embedder=embedder, hybrid=False).retrieve("volcano Sicily", k=1)


def test_a_loaded_index_searches_with_the_saved_parameters(tmp_path: Path) -> None:
    base = clustered(4000, dimension=16, clusters=5, seed=1)  # 4000 points: 102 IVF lists > IVF_PROBES
    for kind, saved, default in (
        ("hnsw", {"ef_search": 7}, {"ef_search": HNSW_EF_SEARCH}),
        ("ivf", {"nprobe": 3}, {"nprobe": IVF_PROBES}),
    ):
        directory = tmp_path / kind
        directory.mkdir()
        save_faiss(build_faiss(base, kind=kind), directory)  # type: ignore[arg-type]
        loaded = search_params(load_faiss(directory, params=saved))
        assert {key: loaded[key] for key in saved} == saved
        assert json.loads(json.dumps(loaded)) == loaded  # it goes into the JSON manifest as it is
        without = search_params(load_faiss(directory))  # a manifest from before search_params existed
        assert {key: without[key] for key in default} == default
