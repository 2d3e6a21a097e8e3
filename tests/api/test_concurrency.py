"""Concurrent load on a real `assistant serve`: 8 simultaneous /v1/ask all succeed while /healthz stays quick.

Twice: over the default in-process backend (requests take turns on the model) and over the managed
llama-server (requests decode together in its parallel slots); real uvicorn subprocess, real model
and index.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.assistant_server import Server, serving

pytestmark = pytest.mark.slow

API_KEY = "concurrency-user-key"
USER = {"Authorization": f"Bearer {API_KEY}"}
CLIENTS = 8
HEALTHZ_BOUND_S = 1.0
# Few, short samples: the test is about the server under concurrency, not about the routes.
CHEAP: dict[str, Any] = {"n_samples": 2, "max_new_tokens": 24}
QUESTIONS = (
    "What is the capital of France?",
    "Who wrote Romeo and Juliet?",
    "What is the chemical symbol for gold?",
    "How many legs does a spider have?",
    "In what year was Lumora Robotics founded?",
    "Which planet is known as the Red Planet?",
    "What is the largest ocean on Earth?",
    "How long does the Varnholm ferry crossing take?",
)


@pytest.fixture(scope="module", params=["transformers", "llama-server"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, model_cache_dir: Path
) -> Iterator[Server]:
    env = {"ASSISTANT_API_KEY": API_KEY, "ASSISTANT_BACKEND": request.param}
    home = tmp_path_factory.mktemp(f"{request.param}-home")
    with serving(home, cache_dir=model_cache_dir, env=env) as running:
        yield running


def _ask_together(server: Server, start: threading.Barrier, question: str) -> httpx.Response:
    with server.http(**USER) as http:
        start.wait(timeout=60)
        return http.post("/v1/ask", json={"question": question, "overrides": CHEAP})


def _healthz_latencies(server: Server, stop: threading.Event) -> list[float]:
    latencies = []
    with server.http() as http:
        while not stop.is_set():
            started = time.perf_counter()
            response = http.get("/healthz", timeout=HEALTHZ_BOUND_S * 5)
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200
            time.sleep(0.1)
    return latencies


def _assert_valid_record(record: dict[str, Any]) -> None:
    assert record["route"] in {"parametric", "retrieval", "abstain"}, record
    assert isinstance(record["answer"], str) and record["answer"].strip(), record
    assert "qwen2.5" in record["model"].lower(), record
    timings = record["timings_ms"]
    assert timings["total"] >= timings["sampling"] > 0, record
    assert len(record["samples"]) in {0, CHEAP["n_samples"]}, record


def test_eight_simultaneous_asks_succeed_while_healthz_answers_quickly(server: Server) -> None:
    start = threading.Barrier(CLIENTS)
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=CLIENTS + 1) as pool:
        probe = pool.submit(_healthz_latencies, server, stop)
        asks = [pool.submit(_ask_together, server, start, q) for q in QUESTIONS[:CLIENTS]]
        responses = [future.result(timeout=900) for future in asks]
        stop.set()
        latencies = probe.result(timeout=60)
    assert [r.status_code for r in responses] == [200] * CLIENTS, [r.text for r in responses]
    records = [r.json() for r in responses]
    for record in records:
        _assert_valid_record(record)
    assert "paris" in records[0]["answer"].lower(), records[0]  # answers go back to their own askers
    assert len(latencies) >= 3, latencies  # the probe ran while the asks were in flight
    assert max(latencies) < HEALTHZ_BOUND_S, latencies
