"""Index files truncated or overwritten on disk: opening the index raises CorruptIndex naming the
problem (never a numpy, sqlite or faiss error, never a crash), and a rebuild replaces the version."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.build import build_index
from index.errors import CorruptIndex
from index.search import open_index
from index.shapes import IndexOptions
from tests.support.corpus import ENGLISH, write_corpus
from tests.support.index_fakes import HashingEmbedder


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if how == "truncated" else b"\x00garbage" * 8)


@pytest.mark.parametrize("how", ["truncated", "overwritten"])
@pytest.mark.parametrize("name", ["chunks.sqlite", "vectors.npy", "faiss.index", "manifest.json"])
def test_a_damaged_file_is_a_corrupt_index_and_a_rebuild_recovers(
    tmp_path: Path, name: str, how: str
) -> None:
    source = write_corpus(tmp_path / "docs", ENGLISH)
    index_dir = tmp_path / "idx"
    embedder = HashingEmbedder()
    build_index(source=source, index_dir=index_dir, embedder=embedder, options=IndexOptions())
    (version,) = [p for p in index_dir.iterdir() if p.name.startswith("v")]
    _damage(version / name, how)
    with pytest.raises(CorruptIndex) as raised:
        open_index(index_dir, embedder=embedder)
    assert str(version) in str(raised.value) or name in str(raised.value)
    build_index(source=source, index_dir=index_dir, embedder=embedder, options=IndexOptions())
    assert open_index(index_dir, embedder=embedder).retrieve("volcano", k=1)[0].source == "volcanoes.txt"
