"""The one place that turns Settings into real components; the app, the CLI and the evaluation use it.

Here: the chat model (which backend, which GGUF file, loading it in the background); the index, the
embedder, thresholds and the confidence model are in `components`. This module stays light to import
(no index, no web framework), so that `assistant serve` can start the model, llama-server above all,
before it imports the app (warm start).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import Literal, TypeVar

from api.settings import QWEN_0_5B, QWEN_1_5B, EmbeddedModel, Settings
from assistant.protocols import Generator

T = TypeVar("T")


def load_generator(settings: Settings) -> Generator:
    """The chat model named by `settings.backend` (heavy libraries are imported only here, lazily)."""
    if settings.backend == "openai":
        from assistant.backends.openai_generator import OpenAIGenerator

        return OpenAIGenerator(
            base_url=settings.openai_base_url,
            model=settings.openai_model,
            api_key=settings.openai_api_key.get_secret_value(),
            timeout_s=settings.openai_timeout_s,
            retries=settings.openai_retries,
            seed=settings.seed,
        )
    if settings.backend == "llama-server":
        return _managed_server(settings)
    if settings.backend == "llamacpp":
        from assistant.backends.llamacpp_generator import LlamaCppGenerator

        return LlamaCppGenerator(gguf_model_file(settings), threads=settings.threads, seed=settings.seed)
    from assistant.backends.transformers_generator import TransformersGenerator

    # The in-process backends serialise their own generate calls, so concurrent requests take turns.
    return TransformersGenerator.load(
        model_path=settings.model_path
        if embedded_model(settings) == QWEN_0_5B
        else gguf_model_file(settings),
        cache_dir=settings.cache_dir,
        dtype=settings.torch_dtype,
        threads=settings.threads,
        seed=settings.seed,
    )


def _managed_server(settings: Settings) -> Generator:
    from assistant.backends.cpu_flags import available_cores
    from assistant.backends.llama_server import (
        LlamaServer,
        ManagedServerGenerator,
        ServerOptions,
        default_binary,
    )

    options = ServerOptions(
        binary=settings.llama_server_binary or default_binary(),
        model_path=server_model_file(settings),
        threads=settings.threads or available_cores(),
        slots=settings.llama_server_slots,
        context_tokens=settings.llama_server_context_tokens,
    )
    return ManagedServerGenerator(LlamaServer(options), seed=settings.seed)


def embedded_model(settings: Settings, cpu_flags: frozenset[str] | None = None) -> EmbeddedModel:
    """The embedded model `settings.model` names; `auto` is the 1.5B on a CPU with AMX when its
    packages are installed (`make install` installs them), else the 0.5B."""
    if settings.model != "auto":
        return settings.model
    from assistant.backends.cpu_flags import has_amx_int8
    from assistant.backends.model_files import large_model_installed

    return QWEN_1_5B if has_amx_int8(cpu_flags) and large_model_installed() else QWEN_0_5B


def for_records(settings: Settings, recorded_by: Iterable[str]) -> Settings:
    """`settings` for replaying records: `auto` made the embedded model that recorded them all (a
    record's `model` is its generator's model_id, which names the GGUF), so that its own confidence
    model reads them; unchanged when the records name none or both."""
    if settings.model != "auto" or settings.model_path is not None:
        return settings
    makers = set(recorded_by)
    named = {model for model in (QWEN_0_5B, QWEN_1_5B) for made in makers if model in made}
    return settings.model_copy(update={"model": named.pop()}) if len(named) == 1 else settings


def samples_together_under_load(settings: Settings) -> Literal["on", "off"]:
    """What `grounded_samples_together` "auto" means while other questions are answered: "on" for the
    embedded 1.5B through llama-server (8 clients: 0.601 req/s against 0.537 with "off"), "off" for
    the 0.5B, which loses throughput with it, and for models not measured
    (docs/results/default-model.md, docs/results/greedy-first.md)."""
    large = settings.model_path is None and embedded_model(settings) == QWEN_1_5B
    return "on" if large and settings.backend == "llama-server" else "off"


def gguf_model_file(settings: Settings) -> Path:
    """`settings.model_path`, or the embedded `settings.model` GGUF, assembled in the cache on first use."""
    if settings.model_path is not None:
        return settings.model_path
    from assistant.backends.model_files import embedded_model_file, large_model_file

    if embedded_model(settings) == QWEN_0_5B:
        return embedded_model_file(settings.cache_dir)
    return large_model_file(settings.cache_dir)


def server_model_file(settings: Settings) -> Path:
    """The GGUF llama-server runs: `gguf_model_file`, or its Q8_0 copy (`llama_server_weights`)."""
    shipped = gguf_model_file(settings)
    if settings.model_path is not None or not runs_q8_0_copy(settings):
        return shipped
    from assistant.backends.llama_server import default_binary
    from assistant.backends.requantize import pinned_q8_0_copy

    server = settings.llama_server_binary or default_binary()
    return pinned_q8_0_copy(shipped, server_binary=server, cache_dir=settings.cache_dir)


def runs_q8_0_copy(settings: Settings, cpu_flags: frozenset[str] | None = None) -> bool:
    """Whether llama-server runs a Q8_0 copy of the embedded model rather than the shipped file."""
    if settings.llama_server_weights == "auto":
        from assistant.backends.cpu_flags import has_amx_int8

        return embedded_model(settings, cpu_flags) == QWEN_0_5B or has_amx_int8(cpu_flags)
    return settings.llama_server_weights == "q8_0"


def prepare_model(settings: Settings) -> Path | None:
    """The model file the backend will load, assembled (and llama-server's copy made) now; None for
    a remote server."""
    if settings.backend == "llama-server":
        return server_model_file(settings)
    if settings.backend == "openai":
        return None
    return gguf_model_file(settings)


def start_loading(load: Callable[[], T], *, name: str) -> Future[T]:
    """`load()` running in a daemon thread from now on; its result or error comes out of the future.

    Not a ThreadPoolExecutor: its worker would hold up the interpreter's exit until a slow load ends.
    """
    future: Future[T] = Future()

    def run() -> None:
        try:
            future.set_result(load())
        except BaseException as error:  # noqa: BLE001 - raised again by result(), in the waiting thread
            future.set_exception(error)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future
