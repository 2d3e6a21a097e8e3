"""Which dtype `auto` picks (bfloat16 only on CPUs that compute it natively), and which CPUs have AMX."""

from __future__ import annotations

from assistant.backends._hf_loading import resolved_dtype
from assistant.backends.cpu_flags import cpu_flags, has_amx_int8, has_fast_bfloat16

XEON = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 amx_bf16 amx_tile\n\nprocessor\t: 1\n"
EPYC_AVX2 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu sse2 fma avx f16c avx2\n"


def test_flags_are_read_from_the_first_processor() -> None:
    assert {"avx2", "avx512_bf16", "amx_bf16"} <= cpu_flags(XEON)
    assert cpu_flags(EPYC_AVX2) == {"fpu", "sse2", "fma", "avx", "f16c", "avx2"}


def test_unreadable_cpuinfo_has_no_flags() -> None:
    assert cpu_flags("") == frozenset()
    assert cpu_flags("model name : something\n") == frozenset()


def test_bfloat16_is_fast_only_with_avx512_bf16_or_amx() -> None:
    assert has_fast_bfloat16(cpu_flags(XEON))
    assert has_fast_bfloat16(frozenset({"amx_bf16"}))
    assert not has_fast_bfloat16(cpu_flags(EPYC_AVX2))
    assert not has_fast_bfloat16(frozenset())


def test_amx_int8_needs_both_the_tiles_and_their_int8_products() -> None:
    assert has_amx_int8(cpu_flags(XEON) | {"amx_int8"})
    assert not has_amx_int8(cpu_flags(XEON))  # tiles and bfloat16 only
    assert not has_amx_int8(cpu_flags(EPYC_AVX2))


def test_auto_resolves_to_a_dtype_this_machine_runs_natively() -> None:
    expected = "bfloat16" if has_fast_bfloat16() else "float32"
    assert resolved_dtype("auto") == expected
    assert resolved_dtype("float32") == "float32" and resolved_dtype("bfloat16") == "bfloat16"
