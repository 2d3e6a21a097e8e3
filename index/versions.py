"""The index directory: numbered version folders, an atomically replaced CURRENT pointer, and the build lock.

Layout: index_dir/CURRENT (JSON {"version": N}), index_dir/v000N/ (one complete version each),
index_dir/.build-* (a build in progress; removed by the next build), index_dir/build.lock (flock).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from index.errors import BuildLocked, CorruptIndex, IndexNotFound

_POINTER = "CURRENT"
_LOCK = "build.lock"
_VERSION_DIR = re.compile(r"^v(\d{6,})$")
KEEP_VERSIONS = 2  # the current one and its predecessor, which open searchers may still be reading


def version_dir(index_dir: Path, version: int) -> Path:
    return index_dir / f"v{version:06d}"


def current_version(index_dir: Path) -> int:
    pointer = index_dir / _POINTER
    if not pointer.is_file():
        raise IndexNotFound(f"no index in {index_dir}: run `assistant index build --source PATH` first")
    try:
        version = int(json.loads(pointer.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CorruptIndex(f"unreadable {pointer}: {exc}") from exc
    if not version_dir(index_dir, version).is_dir():
        raise CorruptIndex(f"{pointer} names version {version}, which is missing")
    return version


def next_version(index_dir: Path) -> int:
    return max(_existing_versions(index_dir), default=0) + 1


def switch_to(index_dir: Path, version: int) -> None:
    """Point CURRENT at `version` in one atomic rename, then drop versions older than the previous one."""
    temporary = index_dir / f".{_POINTER}.tmp"
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump({"version": version}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, index_dir / _POINTER)
    _fsync_dir(index_dir)
    for old in sorted(_existing_versions(index_dir))[:-KEEP_VERSIONS]:
        if old != version:
            shutil.rmtree(version_dir(index_dir, old), ignore_errors=True)


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Exclusive while held; the kernel releases a flock when its process dies, even by SIGKILL."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / _LOCK).open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise BuildLocked(f"another build is running on {index_dir} (pid {holder})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def new_build_dir(index_dir: Path) -> Path:
    """A fresh scratch folder for a build; leftovers of killed builds are removed first (lock held)."""
    for leftover in index_dir.glob(".build-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    scratch = index_dir / f".build-{os.getpid()}"
    scratch.mkdir()
    return scratch


def publish(scratch: Path, index_dir: Path, version: int) -> None:
    """Move a finished build into its version folder and make it current."""
    os.replace(scratch, version_dir(index_dir, version))
    switch_to(index_dir, version)


def _existing_versions(index_dir: Path) -> list[int]:
    if not index_dir.is_dir():
        return []
    return [int(m.group(1)) for p in index_dir.iterdir() if (m := _VERSION_DIR.match(p.name))]


def _fsync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
