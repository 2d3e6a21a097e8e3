"""`assistant index build` over a folder of hostile files: exit code 0, every hostile file named with its
reason on stdout, the good files indexed and searchable (real MiniLM, real FAISS)."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import main
from tests.support.hostile_files import write_hostile

pytestmark = pytest.mark.slow


def test_index_build_skips_hostile_files_with_reasons_and_keeps_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ASSISTANT_EMBEDDER", "minilm")
    expected = write_hostile(tmp_path / "docs")
    assert main(["index", "build", "--source", str(tmp_path / "docs")]) == 0
    out = capsys.readouterr().out
    for hostile in expected:
        if hostile.reason:
            assert f"skipped {hostile.name}: " in out and hostile.reason in out, hostile.name
    assert main(["index", "search", "When was Acme Widgets founded?", "-k", "1"]) == 0
    assert "good.txt" in capsys.readouterr().out
