"""`assistant index build|search|status` through the real console entry point, MiniLM and FAISS on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from tests.support.corpus import write_corpus

pytestmark = pytest.mark.slow


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ASSISTANT_EMBEDDER", "minilm")
    return tmp_path / "home"


def test_missing_source_is_exit_code_2_and_one_stderr_line(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["index", "build", "--source", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "source not found" in err


def test_empty_corpus_is_exit_code_2_and_one_stderr_line(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = write_corpus(tmp_path / "empty", {"blank.md": "\n\n"})
    assert main(["index", "build", "--source", str(empty)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith("assistant: error: no readable text")
    assert [line for line in err.splitlines() if "error" in line] == [err.splitlines()[-1]]


def test_status_without_an_index_is_exit_code_2(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", "status"]) == 2
    assert "no index" in capsys.readouterr().err


def test_build_then_search_and_status_as_json(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = write_corpus(
        tmp_path / "docs",
        {
            "etna.txt": "Mount Etna is an active volcano in Sicily.",
            "tea.txt": "西湖龙井是产于杭州的著名绿茶。",
        },
    )
    (docs / "bad.pdf").write_bytes(b"not a pdf at all")
    assert main(["index", "build", "--source", str(docs)]) == 0
    out = capsys.readouterr().out
    assert "indexed 2 documents" in out and "skipped bad.pdf" in out

    assert main(["index", "search", "龙井茶产于哪里？", "-k", "2", "--json"]) == 0
    hits = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [hit["rank"] for hit in hits] == [1, 2]
    assert hits[0]["source"] == "tea.txt" and hits[0]["score"] > hits[1]["score"]
    assert set(hits[0]) >= {"rank", "score", "source", "chunk_id", "text"}

    assert main(["index", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["documents"], status["chunks"], status["version"]) == (2, 2, 1)
    assert status["embedder"] == "sentence-transformers/all-MiniLM-L6-v2"
