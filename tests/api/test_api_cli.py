"""`assistant config`, and the fast failures of `assistant serve` and `assistant ask`: exit 2, one line."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from api.cli import main
from api.prepare import has_index, seed_documents
from assistant.thresholds import PROFILES


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    for name in ("ASSISTANT_API_KEY", "ASSISTANT_CONFIG_FILE", "ASSISTANT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "home"


def shown_json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    capsys.readouterr()
    assert main(["config", "show", "--json"]) == 0
    shown: dict[str, object] = json.loads(capsys.readouterr().out)
    return shown


def test_config_set_persists_and_show_prints_it(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "set", "agreement_threshold", "0.75"]) == 0
    assert "agreement_threshold = 0.75" in capsys.readouterr().out
    stored = json.loads((home / "runtime.json").read_text(encoding="utf-8"))["thresholds"]
    assert stored["agreement_threshold"] == 0.75
    assert shown_json(capsys) == {**PROFILES["balanced"].model_dump(), "agreement_threshold": 0.75}
    assert main(["config", "show"]) == 0
    assert "Calibrated probability a closed-book answer must reach" in capsys.readouterr().out


def test_config_set_profile_resets_every_value(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "set", "n_samples", "11"]) == 0
    assert main(["config", "set", "profile", "chatty"]) == 0
    assert shown_json(capsys) == PROFILES["chatty"].model_dump()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["config", "set", "agreement_threshold", "1.5"], "agreement_threshold"),
        (["config", "set", "n_samples", "many"], "n_samples"),
        (["config", "set", "bogus", "1"], "bogus"),
        (["config", "set", "profile", "reckless"], "reckless"),
        (["serve", "--host", "0.0.0.0"], "ASSISTANT_API_KEY"),
        (["ask", "   "], "empty"),
        (["ask", "When was Lumora Robotics founded?"], "index"),
    ],
)
def test_errors_exit_2_with_one_line_on_stderr(
    home: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    assert main(args) == 2
    captured = capsys.readouterr()
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("assistant: error:") and expected in line
    assert not (home / "runtime.json").exists()


def test_serve_on_a_taken_port_exits_2_before_loading_anything(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert f"cannot listen on 127.0.0.1:{port}" in line
    assert not home.exists()


def test_sample_corpus_seeds_an_empty_store_only(tmp_path: Path) -> None:
    store = tmp_path / "documents"
    copied = seed_documents(store)
    names = sorted(p.name for p in copied)
    assert names == sorted(p.name for p in store.iterdir()) and len(names) >= 4
    chinese = [p for p in copied if "青岚" in p.read_text(encoding="utf-8")]
    assert len(chinese) == 1
    (store / "mine.txt").write_text("my notes", encoding="utf-8")
    for path in copied:
        path.unlink()
    assert seed_documents(store) == []
    assert [p.name for p in store.iterdir()] == ["mine.txt"]
    assert not has_index(tmp_path / "index")
