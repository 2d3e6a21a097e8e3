"""Hostile files (zip bomb, 5,000-page PDF, scripts, deep nesting, binary, broken JSONL) are skipped with a
reason, in bounded time and memory, and the good files beside them are still indexed."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from index.build import build_index
from index.limits import ReadLimits
from index.loaders import read_file
from index.search import open_index
from index.shapes import IndexOptions
from tests.support.hostile_files import GOOD_TEXT, PDF_SCRIPT, broken_jsonl, write_hostile
from tests.support.index_fakes import HashingEmbedder

# Generous for a busy 2-core machine; without the limits the bomb alone allocates 200 MB and the
# 5,000-page PDF takes minutes.
TIME_LIMIT_S = 20.0
MEMORY_LIMIT_BYTES = 64 * 1024 * 1024


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


def test_each_hostile_file_is_skipped_with_its_reason_in_bounded_time_and_memory(hostile_dir: Path) -> None:
    for expected in write_hostile(hostile_dir):
        tracemalloc.start()
        started = time.perf_counter()
        documents, skipped = read_file(hostile_dir / expected.name, expected.name)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert elapsed < TIME_LIMIT_S, expected.name
        assert peak < MEMORY_LIMIT_BYTES, (expected.name, peak)
        if expected.reason:
            assert documents == [], expected.name
            assert len(skipped) == 1 and expected.reason in skipped[0].reason, (expected.name, skipped)
        else:
            assert len(documents) == 1 and skipped == [], (expected.name, skipped)


def test_a_pdf_script_is_neither_run_nor_indexed(hostile_dir: Path) -> None:
    write_hostile(hostile_dir)
    (document,), _ = read_file(hostile_dir / "script.pdf", "script.pdf")
    assert "Harmless page text." in document.text and PDF_SCRIPT not in document.text


def test_broken_jsonl_lines_are_skipped_one_by_one(tmp_path: Path) -> None:
    (tmp_path / "broken.jsonl").write_bytes(broken_jsonl())
    documents, skipped = read_file(tmp_path / "broken.jsonl", "broken.jsonl")
    assert [d.key for d in documents] == ["broken.jsonl#ok", "broken.jsonl#ok2"]
    assert [s.path for s in skipped] == [f"broken.jsonl:{n}" for n in (2, 3, 4, 5)]
    assert "nested too deeply" in skipped[1].reason


def test_limits_are_checked_before_parsing(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("word " * 1000)
    tight = ReadLimits(max_file_bytes=100)
    _, (skipped,) = read_file(tmp_path / "big.txt", "big.txt", limits=tight)
    assert skipped.reason == "refused: file of 5000 bytes is over the limit of 100"
    _, (long_text,) = read_file(tmp_path / "big.txt", "big.txt", limits=ReadLimits(max_text_chars=10))
    assert "characters of text" in long_text.reason


def test_utf16_text_with_a_bom_is_read_not_taken_for_binary(tmp_path: Path) -> None:
    (tmp_path / "wide.txt").write_bytes("Zed Quarry is in Oslo.".encode("utf-16"))
    (document,), _ = read_file(tmp_path / "wide.txt", "wide.txt")
    assert document.text == "Zed Quarry is in Oslo."


def test_a_build_over_hostile_files_keeps_every_good_document(hostile_dir: Path, tmp_path: Path) -> None:
    expected = write_hostile(hostile_dir)
    started = time.perf_counter()
    report = build_index(
        source=hostile_dir,
        index_dir=tmp_path / "idx",
        embedder=HashingEmbedder(),
        options=IndexOptions(chunk_size=200, chunk_overlap=20),
    )
    assert time.perf_counter() - started < 3 * TIME_LIMIT_S
    skipped = {s.path for s in report.skipped}
    assert {h.name for h in expected if h.reason} <= skipped
    kept = {h.name for h in expected if not h.reason} | {"broken.jsonl#ok", "broken.jsonl#ok2"}
    assert report.documents == len(kept)
    hits = open_index(tmp_path / "idx", embedder=HashingEmbedder()).retrieve("Acme Widgets founded", k=1)
    assert hits[0].text == GOOD_TEXT
