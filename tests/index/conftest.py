"""Shared fixtures: the real MiniLM embedder (loaded once) and a small English and Chinese corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.embedders import open_embedder
from index.vectors import Embedder
from tests.support.corpus import CHINESE, ENGLISH, write_corpus


@pytest.fixture(scope="session")
def minilm() -> Embedder:
    return open_embedder("minilm")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "docs", ENGLISH | CHINESE)
