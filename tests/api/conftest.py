"""Fixtures of the API tests: settings under tmp_path, a fake index service, and app clients over fakes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.components import BuildSummary, Components, Progress
from api.settings import Settings
from assistant.fakes import ScriptedGenerator, StaticPassage, StaticRetriever
from index.errors import EmptyCorpus, IndexNotFound, SourceNotFound

PASSAGE_SCORE = 0.8


class FakeIndex:
    """An IndexService whose 'index' is one passage per document file; builds can be held at a gate."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()
        self.builds = 0
        self._passages: list[StaticPassage] | None = None

    def build(self, *, source: Path, incremental: bool, progress: Progress) -> BuildSummary:
        self.gate.wait(timeout=30)
        if not source.is_dir():
            raise SourceNotFound(f"source not found: {source}")
        files = sorted(p for p in source.iterdir() if p.is_file() and not p.name.startswith("."))
        if not files:
            raise EmptyCorpus(f"no readable text in {source}")
        for done, _ in enumerate(files, start=1):
            progress("reading", done, len(files))
        self._passages = [
            StaticPassage(p.read_text(encoding="utf-8"), p.name, f"{p.name}#0", PASSAGE_SCORE) for p in files
        ]
        self.builds += 1
        return BuildSummary(details={"documents": len(files)}, skipped=())

    def open(self) -> StaticRetriever:
        if self._passages is None:
            raise IndexNotFound("no index has been built")
        return StaticRetriever(list(self._passages))

    def status(self) -> Mapping[str, Any]:
        if self._passages is None:
            raise IndexNotFound("no index has been built")
        return {"documents": len(self._passages), "version": self.builds}


def write_docs(settings: Settings, docs: Mapping[str, str]) -> None:
    settings.documents_dir.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (settings.documents_dir / name).write_text(text, encoding="utf-8")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", cache_dir=tmp_path / "cache", api_key=None, admin_key=None)


@pytest.fixture
def built_index(settings: Settings) -> FakeIndex:
    """A fake index built from one document about a made-up company."""
    write_docs(settings, {"acme.md": "Acme Widgets was founded in 1987 in Tulsa."})
    index = FakeIndex()
    index.build(source=settings.documents_dir, incremental=False, progress=lambda s, d, t: None)
    return index


ClientFactory = Callable[..., TestClient]


@pytest.fixture
def make_client(settings: Settings) -> Iterator[ClientFactory]:
    """Builds a started TestClient over the given fakes (and optional settings changes)."""
    clients: list[TestClient] = []

    def factory(generator: ScriptedGenerator, index: FakeIndex, **changes: Any) -> TestClient:
        app_settings = settings.model_copy(update=changes) if changes else settings
        app = create_app(app_settings, components=Components(generator=generator, index=index))
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.__exit__(None, None, None)
