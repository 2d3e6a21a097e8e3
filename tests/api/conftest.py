"""Fixtures of the API tests: settings under tmp_path, a built fake index, and app clients over fakes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.components import Components
from api.settings import Settings
from assistant.backends.scripted import ScriptedGenerator
from assistant.confidence import save_calibrator
from tests.support.confidence import TEST_CONFIDENCE
from tests.support.fake_index import ClientFactory, FakeIndex, write_docs


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings under tmp_path, with the tests' fixed confidence model in the home (the scripted fakes
    report no log-probabilities, so the packaged fit would read them all as its average answer)."""
    chosen = Settings(home=tmp_path / "home", cache_dir=tmp_path / "cache", api_key=None, admin_key=None)
    save_calibrator(TEST_CONFIDENCE, chosen.confidence_model_path)
    return chosen


@pytest.fixture
def built_index(settings: Settings) -> FakeIndex:
    """A fake index built from one document about a made-up company."""
    write_docs(settings, {"acme.md": "Acme Widgets was founded in 1987 in Tulsa."})
    index = FakeIndex()
    index.build(source=settings.documents_dir, incremental=False, progress=lambda s, d, t: None)
    return index


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
