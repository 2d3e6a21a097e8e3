"""What this CPU can do fast, read from /proc/cpuinfo (Linux x86-64; elsewhere nothing is assumed),
and how many of its cores this process may use."""

from __future__ import annotations

import functools
import os
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")
# bfloat16 matrix work runs natively only with these; without them torch converts every element and a
# bfloat16 prefill is several times slower than float32 (measured: docs/results/dtype-speed.md).
BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
# With these ggml loads its Sapphire Rapids variant, whose AMX kernels multiply Q8_0 weights 2-3x
# faster than the AVX-512 ones (docs/results/amx.md).
AMX_INT8_FLAGS = frozenset({"amx_tile", "amx_int8"})


def available_cores() -> int:
    """CPU cores this process may run on (the affinity mask, not the machine's total)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def cpu_flags(cpuinfo: str | None = None) -> frozenset[str]:
    """The feature flags of the first processor listed; empty when they cannot be read."""
    text = cpuinfo if cpuinfo is not None else _read_cpuinfo()
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


def has_fast_bfloat16(flags: frozenset[str] | None = None) -> bool:
    return bool((flags if flags is not None else _machine_flags()) & BF16_FLAGS)


def has_amx_int8(flags: frozenset[str] | None = None) -> bool:
    return (flags if flags is not None else _machine_flags()) >= AMX_INT8_FLAGS


@functools.cache
def _machine_flags() -> frozenset[str]:
    return cpu_flags()


def _read_cpuinfo() -> str:
    try:
        return CPUINFO.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
