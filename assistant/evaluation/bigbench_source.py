"""The BIG-bench task files we use, extracted once from the bigbench==1.0.0 sdist into the cache."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from assistant.evaluation.errors import EvaluationError

BIGBENCH_VERSION = "1.0.0"
SDIST_NAME = f"bigbench-{BIGBENCH_VERSION}.tar.gz"
TASKS = ("disfl_qa", "contextual_parametric_knowledge_conflicts", "general_knowledge", "known_unknowns")
PIP_TIMEOUT_S = 1800


def task_file(task: str, *, cache_dir: Path) -> Path:
    """`benchmark_tasks/<task>/task.json`, from the cache, else from the sdist, else fetched with pip."""
    target = _cached(task, cache_dir)
    if target.is_file():
        return target
    sdist = cache_dir / SDIST_NAME
    if sdist.is_file():
        _extract_from_sdist(sdist, cache_dir=cache_dir)
    else:
        _fetch_with_pip(cache_dir)
    if not target.is_file():
        raise EvaluationError(f"bigbench {BIGBENCH_VERSION} has no task {task!r}")
    return target


def _cached(task: str, cache_dir: Path) -> Path:
    return cache_dir / f"bigbench-{BIGBENCH_VERSION}" / task / "task.json"


def _extract_from_sdist(sdist: Path, *, cache_dir: Path) -> None:
    """Copy only our task files out of the archive (the whole sdist unpacks to about 1.8 GB)."""
    with tarfile.open(sdist, "r:gz") as archive:
        for member in archive:
            task = _task_of(member.name)
            if task is not None and member.isfile():
                source = archive.extractfile(member)
                if source is not None:
                    _store(source.read(), _cached(task, cache_dir))


def _task_of(member: str) -> str | None:
    parts = member.split("/")
    if len(parts) >= 4 and parts[-1] == "task.json" and parts[-3] == "benchmark_tasks" and parts[-2] in TASKS:
        return parts[-2]
    return None


def _fetch_with_pip(cache_dir: Path) -> None:
    """Let pip fetch and unpack the sdist, then keep our task files.

    `pip download` unpacks the sdist but then fails on its own metadata (bigbench declares a
    `bleurt @ file://...` dependency, which pip refuses for a package from an index), so the archive
    is never saved; `--no-clean` keeps the unpacked tree, which we read and then remove.
    """
    started = time.time()
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--no-clean"]
    command += ["--dest", str(cache_dir), f"bigbench=={BIGBENCH_VERSION}"]
    try:
        subprocess.run(command, capture_output=True, timeout=PIP_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise EvaluationError(f"could not run pip to fetch bigbench: {error}") from error
    for unpacked in _unpacked_since(started):
        for task in TASKS:
            found = next(unpacked.glob(f"*/bigbench/benchmark_tasks/{task}/task.json"), None)
            if found is not None:
                _store(found.read_bytes(), _cached(task, cache_dir))
        shutil.rmtree(unpacked, ignore_errors=True)
    if not all(_cached(task, cache_dir).is_file() for task in TASKS):
        raise EvaluationError(
            f"could not fetch bigbench=={BIGBENCH_VERSION}; put {SDIST_NAME} into {cache_dir} "
            f"(`pip download --no-deps --no-binary :all: bigbench=={BIGBENCH_VERSION}`)"
        )


def _unpacked_since(started: float) -> list[Path]:
    candidates = Path(tempfile.gettempdir()).glob("pip-download-*")
    return [path for path in candidates if path.is_dir() and path.stat().st_mtime >= started - 1]


def _store(data: bytes, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(target.name + ".tmp")
    temp.write_bytes(data)
    temp.replace(target)
