"""Which model file the settings pick (the embedded default, the optional 1.5B, or a given path), and the
managed llama-server backend built from settings."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from api.settings import Settings
from api.wiring import gguf_model_file, load_generator, runs_q8_0_copy, server_model_file
from api.wiring.components import load_confidence
from assistant.backends import model_files
from assistant.backends.requantize import Q8_0_COPIES
from assistant.confidence import default_calibrator
from assistant.errors import ModelLoadError
from assistant.protocols import ChatMessage


def test_default_settings_pick_the_embedded_model(tmp_path: Path) -> None:
    assert gguf_model_file(Settings(cache_dir=Path(".cache"))).name == model_files.DEFAULT_MODEL.name


def test_a_model_path_wins_over_the_model_choice(tmp_path: Path) -> None:
    path = tmp_path / "mine.gguf"
    assert gguf_model_file(Settings(model="qwen2.5-coder-1.5b", model_path=path)) == path


def test_each_embedded_model_reads_its_own_packaged_confidence(tmp_path: Path) -> None:
    larger = Settings(home=tmp_path, model="qwen2.5-coder-1.5b")
    assert load_confidence(larger) == default_calibrator("qwen2.5-coder-1.5b")
    assert load_confidence(Settings(home=tmp_path)) == default_calibrator()
    own_weights = Settings(home=tmp_path, model="qwen2.5-coder-1.5b", model_path=tmp_path / "mine.gguf")
    assert load_confidence(own_weights) == default_calibrator()


def test_llama_server_runs_the_pinned_q8_0_copy_of_the_default_model() -> None:
    path = server_model_file(Settings(cache_dir=Path(".cache")))
    assert path.name == Q8_0_COPIES[model_files.DEFAULT_MODEL.name].name
    assert path.stat().st_size == Q8_0_COPIES[model_files.DEFAULT_MODEL.name].size
    shipped = server_model_file(Settings(cache_dir=Path(".cache"), llama_server_weights="shipped"))
    assert shipped.name == model_files.DEFAULT_MODEL.name


AVX512 = frozenset({"avx2", "avx512f", "avx512_vnni"})
AMX = AVX512 | {"amx_tile", "amx_int8", "amx_bf16"}


@pytest.mark.parametrize(
    ("model", "weights", "flags", "q8_0"),
    [
        ("qwen2.5-coder-0.5b", "auto", AVX512, True),
        ("qwen2.5-coder-1.5b", "auto", AVX512, False),
        ("qwen2.5-coder-1.5b", "auto", AMX, True),
        ("qwen2.5-coder-1.5b", "q8_0", AVX512, True),
        ("qwen2.5-coder-0.5b", "shipped", AMX, False),
    ],
)
def test_auto_weights_copy_only_where_measured_faster(
    model: str, weights: str, flags: frozenset[str], q8_0: bool
) -> None:
    assert runs_q8_0_copy(Settings(model=model, llama_server_weights=weights), flags) is q8_0


def test_a_model_path_runs_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "mine.gguf"
    assert server_model_file(Settings(model_path=path, llama_server_weights="q8_0")) == path


def test_the_large_model_without_its_packages_fails_with_the_install_hint(tmp_path: Path) -> None:
    try:
        model_files.part_paths(model_files.LARGE_MODEL_PARTS)
    except ModelLoadError:
        pass
    else:
        pytest.skip("the optional 1.5B model is installed here, so loading it cannot fail")
    settings = Settings(backend="llamacpp", model="qwen2.5-coder-1.5b", cache_dir=tmp_path)
    with pytest.raises(ModelLoadError, match="make install-large"):
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
