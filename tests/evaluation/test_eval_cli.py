"""`assistant eval --records` and `assistant calibrate` through the real CLI: files written, values saved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from api.runtime_config import ThresholdStore
from assistant.confidence import default_calibrator, load_calibrator

FIXTURE = Path(__file__).parent / "fixtures" / "calibration_records.jsonl"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_eval_replays_records_into_report_files(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert main(["eval", "--records", str(FIXTURE), "--out", str(out)]) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    modes = [m["mode"] for m in report["metrics"]]
    assert modes == ["closed", "rag", "fallback", "fallback-strict", "fallback-balanced", "fallback-chatty"]
    closed = report["metrics"][0]
    assert (closed["answerable"], closed["unanswerable"]) == (12, 2)
    assert closed["accuracy"] == pytest.approx(8 / 12)  # the known 6 and the half-sure 2
    assert closed["hallucination_rate"] == 1.0
    assert set(report["curves"]) == set(modes)
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert markdown.count("\n| fallback") == 4 and "| mode | accuracy |" in markdown
    assert (out / "risk_coverage.png").read_bytes().startswith(PNG_MAGIC)


def test_eval_replays_records_with_the_confidence_model_of_the_model_that_recorded_them(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    large = "llama-server:qwen2.5-coder-1.5b-instruct-q8_0-from-q4_k_m.gguf"
    records = tmp_path / "records.jsonl"
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    records.write_text("".join(json.dumps(json.loads(line) | {"model": large}) + "\n" for line in lines))
    monkeypatch.setenv("ASSISTANT_MODEL", "auto")
    runs = {}
    for name, path in (("recorded", records), ("unnamed", FIXTURE)):
        assert main(["eval", "--records", str(path), "--out", str(tmp_path / name)]) == 0
        runs[name] = json.loads((tmp_path / name / "report.json").read_text(encoding="utf-8"))["run"]
    assert runs["recorded"]["model"] == large
    assert runs["recorded"]["confidence"] == default_calibrator("qwen2.5-coder-1.5b").fitted_on
    assert runs["unnamed"]["model"] == "(recorded)"


def test_calibrate_saves_the_chosen_levels(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calibrate", str(FIXTURE), "--target-precision", "0.9"]) == 0
    shown = capsys.readouterr().out
    current = ThresholdStore(home / "runtime.json", default_profile="balanced").current()
    assert "<= chosen" in shown
    assert f"min_confidence_parametric={current.min_confidence_parametric:g}" in shown
    assert f"min_confidence_grounded={current.min_confidence_grounded:g}" in shown
    precision = float(shown.split("precision ")[-1].split(")")[0])
    assert precision >= 0.9
    assert current.n_samples == 5  # everything else stays as configured
    assert main(["calibrate", str(FIXTURE), "--target-precision", "0.9"]) == 0  # a rerun agrees
    again = ThresholdStore(home / "runtime.json", default_profile="balanced").current()
    assert again == current


def test_calibrate_fit_writes_the_confidence_model_and_reports_both_splits(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["calibrate", str(FIXTURE), "--fit"]) == 0
    shown = capsys.readouterr().out
    assert "| parametric | train |" in shown and "| grounded | test |" in shown
    fitted = load_calibrator(home / "confidence.json")
    assert fitted.parametric.features == ("agreement",)
    assert fitted.parametric.weights[0] > 0  # more agreement, more often right
    assert "14 records" in fitted.fitted_on


def test_calibrate_dry_run_and_unreachable_target_save_nothing(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plot = tmp_path / "curve.png"
    args = ["calibrate", str(FIXTURE), "--target-answer-rate", "0.8", "--dry-run", "--plot", str(plot)]
    assert main(args) == 0
    assert "min_confidence_grounded=" in capsys.readouterr().out
    assert plot.read_bytes().startswith(PNG_MAGIC)
    hopeless = tmp_path / "hopeless.jsonl"
    hopeless.write_text(
        "".join(
            line for line in FIXTURE.read_text(encoding="utf-8").splitlines(keepends=True) if "unans" in line
        ),
        encoding="utf-8",
    )
    assert main(["calibrate", str(hopeless), "--target-precision", "0.5"]) == 2
    assert "no thresholds reach precision 0.5" in capsys.readouterr().err
    assert main(["calibrate", str(hopeless)]) == 2
    assert not (home / "runtime.json").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["eval", "--out", "x"],  # no questions
        ["eval", "--questions", "missing.jsonl", "--out", "x"],
        ["eval", "--records", str(FIXTURE), "--modes", "closed,telepathy", "--out", "x"],
        ["eval", "--dataset", "squad", "--out", "x"],
        ["calibrate", str(FIXTURE), "--target-precision", "1.5"],
        ["calibrate", "missing.jsonl", "--target-precision", "0.9"],
        ["eval", "--records", str(FIXTURE), "--limit", "0", "--out", "x"],
        ["eval", "--records", str(FIXTURE), "--dataset", "nq", "--out", "x"],
        ["eval", "--records", str(FIXTURE), "--planted", "--out", "x"],  # --planted needs a --dataset
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    home: Path, args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(home.parent)
    with pytest.raises(SystemExit) as exited:
        raise SystemExit(main(args))
    assert exited.value.code == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("assistant") and "\n" not in error
    assert not (home.parent / "x").exists()
