"""Fakes of the API's components: an IndexService over plain files, and helpers to fill a document store."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.components import BuildSummary, Progress
from api.settings import Settings
from assistant.fakes import StaticPassage, StaticRetriever
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


ClientFactory = Callable[..., TestClient]
