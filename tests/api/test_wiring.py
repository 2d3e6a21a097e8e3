"""Which model file the settings pick: the embedded default, the optional 1.5B, or a given path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from api.settings import Settings
from api.wiring import gguf_model_file, load_generator
from assistant.backends import model_files
from assistant.errors import ModelLoadError


def test_default_settings_pick_the_embedded_model(tmp_path: Path) -> None:
    assert gguf_model_file(Settings(cache_dir=Path(".cache"))).name == model_files.DEFAULT_MODEL.name


def test_a_model_path_wins_over_the_model_choice(tmp_path: Path) -> None:
    path = tmp_path / "mine.gguf"
    assert gguf_model_file(Settings(model="qwen2.5-coder-1.5b", model_path=path)) == path


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
