"""Loads a transformers model and tokenizer from a directory, or from a GGUF via a cached converted copy."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedTokenizerBase
from transformers.utils import logging as hf_logging

from assistant.backends.cpu_flags import has_fast_bfloat16
from assistant.errors import ModelLoadError

_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}
AUTO_DTYPE = "auto"
# What a broken or foreign model directory raises from transformers and safetensors.
_LOAD_ERRORS = (OSError, ValueError, KeyError, RuntimeError, TypeError, AttributeError)
_FINGERPRINT_BYTES = 1 << 20

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedModel:
    model: Any
    tokenizer: PreTrainedTokenizerBase
    directory: Path


def resolved_dtype(name: str) -> str:
    """`auto` is bfloat16 where the CPU computes it natively, else float32; other names stay."""
    if name != AUTO_DTYPE:
        return name
    return "bfloat16" if has_fast_bfloat16() else "float32"


def torch_dtype(name: str) -> torch.dtype:
    try:
        return _DTYPES[name]
    except KeyError:
        raise ModelLoadError(f"dtype must be one of {sorted([*_DTYPES, AUTO_DTYPE])}, not {name!r}") from None


def load_model(model_path: Path, *, cache_dir: Path, dtype: str) -> LoadedModel:
    """A model directory loads as is; a GGUF file loads from (and on first use, into) its converted copy.

    `dtype`: float32, bfloat16 or auto (see `resolved_dtype`)."""
    dtype = resolved_dtype(dtype)
    torch_dtype(dtype)  # an unknown name fails before any slow work
    # A per-tensor "Loading weights" bar on stderr would be all a CLI user sees of a ~1 s load.
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    if model_path.is_dir():
        return _load_directory(model_path, dtype=dtype)
    if not model_path.is_file():
        raise ModelLoadError(f"model path {model_path} does not exist")
    converted = converted_model_dir(model_path, cache_dir=cache_dir, dtype=dtype)
    if not converted.is_dir():
        _convert_gguf(model_path, target=converted, dtype=dtype)
    return _load_directory(converted, dtype=dtype)


def converted_model_dir(gguf: Path, *, cache_dir: Path, dtype: str) -> Path:
    """Where the converted copy of `gguf` lives: keyed by its name, size, a content fingerprint and dtype."""
    size = gguf.stat().st_size
    return cache_dir / "converted" / f"{gguf.stem}-{size}-{_fingerprint(gguf, size)}-{dtype}"


def _fingerprint(path: Path, size: int) -> str:
    """sha256 of the first and last MiB: cheap, and tells apart files of the same name and size."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        digest.update(source.read(_FINGERPRINT_BYTES))
        source.seek(max(0, size - _FINGERPRINT_BYTES))
        digest.update(source.read(_FINGERPRINT_BYTES))
    return digest.hexdigest()[:16]


def _load_directory(directory: Path, *, dtype: str) -> LoadedModel:
    try:
        tokenizer = AutoTokenizer.from_pretrained(directory)
        model = AutoModelForCausalLM.from_pretrained(directory, dtype=torch_dtype(dtype))
    except _LOAD_ERRORS as error:
        raise ModelLoadError(f"cannot load a transformers model from {directory}: {error}") from error
    return _ready(model, tokenizer, directory)


def _convert_gguf(gguf: Path, *, target: Path, dtype: str) -> None:
    """Dequantise `gguf` once (slow) and save it under `target`, atomically, for fast later starts."""
    log.info("converting %s to %s (one-off, about a minute)", gguf, target)
    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model: Any = AutoModelForCausalLM.from_pretrained(
            gguf.parent, gguf_file=gguf.name, dtype=torch_dtype(dtype)
        )
    except _LOAD_ERRORS as error:
        raise ModelLoadError(f"cannot load GGUF model {gguf}: {error}") from error
    # The weights are already dequantised; a saved quantizer would make the copy unloadable.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        staging.chmod(0o755)  # mkdtemp makes it private; the published copy is not
        _publish(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _publish(staging: Path, target: Path) -> None:
    try:
        os.rename(staging, target)
    except OSError:
        if not target.is_dir():  # another process publishing the same copy first is fine
            raise


def _ready(model: Any, tokenizer: PreTrainedTokenizerBase, directory: Path) -> LoadedModel:
    if tokenizer.chat_template is None:
        raise ModelLoadError(f"the tokenizer in {directory} has no chat template")
    tokenizer.padding_side = "left"
    model.eval()
    return LoadedModel(model=model, tokenizer=tokenizer, directory=directory)
