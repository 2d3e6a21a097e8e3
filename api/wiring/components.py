"""Settings -> the components beside the chat model: index, embedder, thresholds, confidence model."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from api.components import BuildSummary, Components, Progress
from api.runtime_config import ThresholdStore
from api.settings import Settings
from api.wiring import embedded_model, load_generator
from assistant.confidence import Calibrator, load_calibrator
from assistant.protocols import Generator
from index import Embedder, IndexOptions, Searcher, build_index, index_status, open_embedder, open_index
from index.shapes import BuildProgress


def threshold_store(settings: Settings) -> ThresholdStore:
    """The runtime thresholds (`runtime.json` under the home), starting from the configured profile."""
    return ThresholdStore(
        settings.runtime_config_path, default_profile=settings.profile, defaults={"s2a": settings.s2a}
    )


def load_confidence(settings: Settings) -> Calibrator:
    """The fitted confidence model beside the runtime thresholds, else the packaged one for the
    embedded model (a `model_path` of the user's own, or a remote server's model that `auto` cannot
    see, gets the default's)."""
    own = settings.model_path is not None or (settings.backend == "openai" and settings.model == "auto")
    embedded = None if own else embedded_model(settings)
    return load_calibrator(settings.confidence_model_path, model=embedded)


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


def load_components(settings: Settings, *, generator: Generator | None = None) -> Components:
    """The generator (loaded here unless given) and the index service that `create_app` serves when no
    fakes are given."""
    embedder = load_embedder(settings)
    chosen = generator if generator is not None else load_generator(settings)
    return Components(generator=chosen, index=IndexFolder(settings, embedder))
