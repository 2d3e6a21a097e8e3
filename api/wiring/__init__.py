"""The one place that turns Settings into real components; the app, the CLI and the evaluation use these."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from api.components import BuildSummary, Components, Progress
from api.runtime_config import ThresholdStore
from api.settings import DEFAULT_MODEL, Settings
from assistant.confidence import Calibrator, load_calibrator
from assistant.protocols import Generator
from index import Embedder, IndexOptions, Searcher, build_index, index_status, open_embedder, open_index
from index.shapes import BuildProgress


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
        model_path=settings.model_path if settings.model == DEFAULT_MODEL else gguf_model_file(settings),
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


def gguf_model_file(settings: Settings) -> Path:
    """`settings.model_path`, or the embedded `settings.model` GGUF, assembled in the cache on first use."""
    if settings.model_path is not None:
        return settings.model_path
    from assistant.backends.model_files import embedded_model_file, large_model_file

    if settings.model == DEFAULT_MODEL:
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


def runs_q8_0_copy(settings: Settings) -> bool:
    """Whether llama-server runs a Q8_0 copy of the embedded model rather than the shipped file."""
    if settings.llama_server_weights == "auto":
        return settings.model == DEFAULT_MODEL
    return settings.llama_server_weights == "q8_0"


def threshold_store(settings: Settings) -> ThresholdStore:
    """The runtime thresholds (`runtime.json` under the home), starting from the configured profile."""
    return ThresholdStore(
        settings.runtime_config_path, default_profile=settings.profile, defaults={"s2a": settings.s2a}
    )


def load_confidence(settings: Settings) -> Calibrator:
    """The fitted confidence model beside the runtime thresholds, else the packaged default."""
    return load_calibrator(settings.confidence_model_path)


def load_embedder(settings: Settings) -> Embedder:
    return open_embedder(settings.embedder)


def index_options(settings: Settings) -> IndexOptions:
    return IndexOptions(
        chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap, index_kind=settings.index_kind
    )


def open_retriever(settings: Settings, embedder: Embedder, *, index_dir: Path | None = None) -> Searcher:
    """The current index in `index_dir` (default `settings.index_dir`); raises IndexNotFound,
    EmbedderMismatch."""
    return open_index(index_dir or settings.index_dir, embedder=embedder, hybrid=settings.hybrid)


class IndexFolder:
    """The IndexService over `settings.index_dir`, with the configured embedder and options."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self._settings = settings
        self._embedder = embedder

    def build(self, *, source: Path, incremental: bool, progress: Progress) -> BuildSummary:
        def forward(step: BuildProgress) -> None:
            progress(step.stage, step.done, step.total)

        report = build_index(
            source=source,
            index_dir=self._settings.index_dir,
            embedder=self._embedder,
            options=index_options(self._settings),
            incremental=incremental,
            progress=forward,
        )
        details = dataclasses.asdict(report)
        skipped = tuple({"path": s.path, "reason": s.reason} for s in report.skipped)
        details["skipped"] = list(skipped)
        return BuildSummary(details=details, skipped=skipped)

    def open(self) -> Searcher:
        return open_retriever(self._settings, self._embedder)

    def status(self) -> Mapping[str, Any]:
        return dataclasses.asdict(index_status(self._settings.index_dir))


def load_components(settings: Settings) -> Components:
    """The generator and the index service that `create_app` serves when no fakes are given."""
    embedder = load_embedder(settings)
    return Components(generator=load_generator(settings), index=IndexFolder(settings, embedder))
