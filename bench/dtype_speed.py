"""Which torch dtype this CPU runs the default model fastest in: prefill and decode, float32 and bfloat16.

    python bench/dtype_speed.py --threads 2 --prompt-tokens 512 2048 --out docs/results/dtype-speed.md

Prefill: one forward pass over a prompt of N tokens (the grounded prompt is 1,000-2,500 tokens).
Decode: 16 steps of 1 row and of 6 rows (greedy + 5 samples) after a 512-token prompt. Both dtypes
load the same converted weights and run in turn in one process, so a change in machine load hits them
alike. The CPU's bfloat16 flags (AVX512-BF16, AMX-BF16) decide `torch_dtype=auto`; they are printed.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForCausalLM

from assistant.backends._hf_loading import converted_model_dir, resolved_dtype
from assistant.backends.cpu_flags import BF16_FLAGS, cpu_flags
from assistant.backends.model_files import embedded_model_file

DECODE_STEPS = 16
DECODE_CONTEXT = 512
DTYPES = ("float32", "bfloat16")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", type=Path, default=Path(".cache"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--prompt-tokens", type=int, nargs="+", default=[512, 2048])
    parser.add_argument("--out", type=Path, help="Also write the table here (Markdown).")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    gguf = embedded_model_file(args.cache_dir)
    # The float32 copy is the one conversion every machine has; bfloat16 is cast from it in memory.
    directory = converted_model_dir(gguf, cache_dir=args.cache_dir, dtype="float32")
    if not directory.is_dir():
        directory = converted_model_dir(gguf, cache_dir=args.cache_dir, dtype="bfloat16")
    models = {name: _load(directory, name) for name in DTYPES}
    rows = []
    for tokens in args.prompt_tokens:
        speeds = {name: _prefill_speed(model, tokens) for name, model in models.items()}
        rows.append((f"prefill {tokens} tokens", speeds))
    for batch in (1, 6):
        speeds = {name: _decode_speed(model, batch) for name, model in models.items()}
        rows.append((f"decode, {batch} row(s) (row-tokens/s)", speeds))
    flags = sorted(cpu_flags() & BF16_FLAGS) or ["none"]
    table = _table(rows, threads=args.threads, flags=flags, auto=resolved_dtype("auto"))
    print(table)
    if args.out is not None:
        args.out.write_text(table, encoding="utf-8")


def _load(directory: Path, dtype: str) -> Any:
    model = AutoModelForCausalLM.from_pretrained(directory, dtype=getattr(torch, dtype))
    model.eval()
    return model


def _prompt(tokens: int, rows: int = 1) -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    return torch.randint(1000, 20000, (rows, tokens), generator=generator)


def _prefill_speed(model: Any, tokens: int) -> float:
    ids = _prompt(tokens)
    with torch.inference_mode():
        model(input_ids=ids[:, :32], logits_to_keep=1)  # warm-up
        started = time.perf_counter()
        model(input_ids=ids, use_cache=True, logits_to_keep=1)
        return tokens / (time.perf_counter() - started)


def _decode_speed(model: Any, rows: int) -> float:
    ids = _prompt(DECODE_CONTEXT, rows)
    with torch.inference_mode():
        cache = model(input_ids=ids, use_cache=True, logits_to_keep=1).past_key_values
        step = ids[:, -1:]
        started = time.perf_counter()
        for _ in range(DECODE_STEPS):
            cache = model(input_ids=step, past_key_values=cache, use_cache=True).past_key_values
        return rows * DECODE_STEPS / (time.perf_counter() - started)


def _table(rows: list[tuple[str, dict[str, float]]], *, threads: int, flags: list[str], auto: str) -> str:
    lines = [
        f"CPU bfloat16 flags: {', '.join(flags)}; torch threads: {threads}; `auto` picks {auto}.",
        "",
        "| measure (tokens/s) | float32 | bfloat16 | float32 / bfloat16 |",
        "|---|---:|---:|---:|",
    ]
    for name, speeds in rows:
        ratio = speeds["float32"] / speeds["bfloat16"]
        lines.append(f"| {name} | {speeds['float32']:.1f} | {speeds['bfloat16']:.1f} | {ratio:.2f}x |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
