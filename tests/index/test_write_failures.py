"""A build whose writes fail (the file size limit stands in for a full disk) raises IndexWriteFailed,
removes its scratch folder, and leaves the previous version serving."""

from __future__ import annotations

import resource
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.build import build_index
from index.errors import IndexWriteFailed
from index.search import index_status, open_index
from index.shapes import IndexOptions
from tests.support.corpus import write_corpus
from tests.support.index_fakes import HashingEmbedder

OPTIONS = IndexOptions(chunk_size=200, chunk_overlap=20)


@pytest.fixture
def file_size_limit() -> Iterator[None]:
    """Files this process writes may not grow past 64 KB (Python ignores SIGXFSZ: writes raise EFBIG)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    assert signal.getsignal(signal.SIGXFSZ) == signal.SIG_IGN
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def test_a_build_that_cannot_write_fails_clearly_and_the_old_version_serves(
    tmp_path: Path, file_size_limit: None
) -> None:
    index_dir = tmp_path / "idx"
    old = write_corpus(tmp_path / "old", {"etna.txt": "Mount Etna is an active volcano in Sicily."})
    build_index(source=old, index_dir=index_dir, embedder=HashingEmbedder(), options=OPTIONS)
    big = write_corpus(tmp_path / "big", {f"n{i}.txt": f"Note {i} about quarries. " * 20 for i in range(400)})
    with pytest.raises(IndexWriteFailed, match="previous version still serves") as failed:
        build_index(source=big, index_dir=index_dir, embedder=HashingEmbedder(dimension=512), options=OPTIONS)
    assert "File too large" in str(failed.value) or "disk" in str(failed.value)
    assert not list(index_dir.glob(".build-*"))
    assert index_status(index_dir).version == 1
    hits = open_index(index_dir, embedder=HashingEmbedder()).retrieve("volcano Sicily", k=1)
    assert hits[0].source == "etna.txt"
