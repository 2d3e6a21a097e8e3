"""Session-wide fixtures: the real generators (tiny SmolLM2, Qwen 0.5B) over a persistent cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.protocols import Generator

REPO_ROOT = Path(__file__).resolve().parent.parent
# The tests run the 0.5B, 2.5x faster than the 1.5B that `ASSISTANT_MODEL=auto` (the default) serves on
# CPUs with AMX; tests/api/test_default_model_e2e.py serves the default itself. Servers the tests start
# inherit it too.
os.environ.setdefault("ASSISTANT_MODEL", "qwen2.5-coder-0.5b")
# As the server: bfloat16 where the CPU has AVX512-BF16/AMX, float32 on AVX2-only CPUs (6x faster there).
DEFAULT_TEST_DTYPE = "auto"


def _test_threads() -> int:
    """One torch thread unless ASSISTANT_THREADS says otherwise.

    On a busy 2-core machine, two OpenMP threads that keep getting descheduled made decoding up to
    30x slower than one thread (docs/generation.md), and tests often share the CPU with a server thread.
    """
    return int(os.environ.get("ASSISTANT_THREADS", "1"))


@pytest.fixture(scope="session")
def model_cache_dir() -> Path:
    """Assembled and converted weights; kept across runs (gitignored) so only the first run converts."""
    configured = os.environ.get("ASSISTANT_CACHE_DIR")
    return Path(configured) if configured else REPO_ROOT / ".cache"


@pytest.fixture(scope="session")
def tiny_generator(model_cache_dir: Path) -> Generator:
    """SmolLM2-135M-Instruct through transformers: fast, for behaviour that does not need a good model."""
    from assistant.backends.model_files import tiny_model_file
    from assistant.backends.transformers_generator import TransformersGenerator

    return TransformersGenerator.load(
        model_path=tiny_model_file(), cache_dir=model_cache_dir, threads=_test_threads()
    )


@pytest.fixture(scope="session")
def default_generator(model_cache_dir: Path) -> Generator:
    """The embedded 0.5B (Qwen2.5-Coder-0.5B-Instruct) through transformers."""
    from assistant.backends.transformers_generator import TransformersGenerator

    return TransformersGenerator.load(
        model_path=None, cache_dir=model_cache_dir, dtype=DEFAULT_TEST_DTYPE, threads=_test_threads()
    )
