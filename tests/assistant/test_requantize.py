"""The Q8_0 copy: written by the real llama-quantize, verified, reused, and clear errors otherwise."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import gguf
import pytest

from assistant.backends.llama_server import default_binary
from assistant.backends.model_files import ExpectedFile, tiny_model_file
from assistant.backends.requantize import q8_0_copy
from assistant.errors import ModelLoadError

QUANTIZE = default_binary().with_name("llama-quantize")
# SmolLM2-135M Q4_1 re-quantised by the pinned llama-quantize (the same for 1 and 2 threads).
TINY_Q8_0 = ExpectedFile(
    "smollm2-135m-q8_0.gguf", 144_811_072, "7b46609d11703c058397e5cfe4cc6e4b2508cb1eb4c80ddc472a5d421fbdb508"
)


def _matrix_types(path: Path) -> set[str]:
    reader = gguf.GGUFReader(path)
    return {tensor.tensor_type.name for tensor in reader.tensors if len(tensor.shape) == 2}


def test_the_copy_is_q8_0_and_verified(tmp_path: Path) -> None:
    copy = q8_0_copy(tiny_model_file(), quantize_binary=QUANTIZE, cache_dir=tmp_path, expected=TINY_Q8_0)
    assert copy == tmp_path / TINY_Q8_0.name
    assert _matrix_types(copy) == {"Q8_0"}
    assert _matrix_types(tiny_model_file()) != {"Q8_0"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [TINY_Q8_0.name, TINY_Q8_0.name + ".verified.json"]


def test_a_verified_copy_is_reused_without_running_the_binary(tmp_path: Path) -> None:
    first = q8_0_copy(tiny_model_file(), quantize_binary=QUANTIZE, cache_dir=tmp_path, expected=TINY_Q8_0)
    written = first.stat().st_mtime_ns
    again = q8_0_copy(
        tiny_model_file(), quantize_binary=tmp_path / "absent", cache_dir=tmp_path, expected=TINY_Q8_0
    )
    assert again == first and again.stat().st_mtime_ns == written


def test_an_unexpected_result_is_an_error_and_leaves_nothing(tmp_path: Path) -> None:
    wrong = ExpectedFile("copy.gguf", TINY_Q8_0.size, "0" * 64)
    cache = tmp_path / "cache"
    with pytest.raises(ModelLoadError, match=r"corrupt.*make install"):
        q8_0_copy(tiny_model_file(), quantize_binary=QUANTIZE, cache_dir=cache, expected=wrong)
    assert list(cache.iterdir()) == []


def test_a_missing_binary_names_the_install_target(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="make install"):
        q8_0_copy(
            tiny_model_file(), quantize_binary=tmp_path / "nope", cache_dir=tmp_path, expected=TINY_Q8_0
        )


def test_a_failing_binary_reports_its_exit_and_message_and_leaves_nothing(tmp_path: Path) -> None:
    script = tmp_path / "llama-quantize"
    script.write_text("#!/bin/sh\necho 'partial' > \"$3\"\necho 'out of disk space' >&2\nexit 3\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    cache = tmp_path / "cache"
    with pytest.raises(ModelLoadError, match=r"exit 3.*out of disk space"):
        q8_0_copy(tiny_model_file(), quantize_binary=script, cache_dir=cache, expected=TINY_Q8_0)
    assert os.listdir(cache) == []
