"""`assistant serve` starts the model before the app's libraries are imported (the warm start)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from api.wiring import start_loading
from tests.support.assistant_server import assistant_command
from tests.support.served_process import free_port, stop, wait_until_ok

HEAVY = ("fastapi", "uvicorn", "index", "numpy", "torch", "faiss", "langchain_text_splitters")


def test_the_command_tree_imports_none_of_the_heavy_libraries() -> None:
    probe = f"import sys, json, api.cli; print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(loaded.stdout) == []


def test_start_loading_hands_over_the_result_from_another_thread() -> None:
    loaded_in: list[str] = []

    def load() -> int:
        loaded_in.append(threading.current_thread().name)
        return 42

    assert start_loading(load, name="loader-under-test").result(timeout=10) == 42
    assert loaded_in == ["loader-under-test"]


def test_start_loading_raises_the_loaders_error_in_the_waiting_thread() -> None:
    def load() -> int:
        raise OSError("no such model")

    future = start_loading(load, name="failing-loader")
    with pytest.raises(OSError, match="no such model"):
        future.result(timeout=10)


def test_a_model_that_cannot_start_is_reported_by_readyz_while_the_server_answers(tmp_path: Path) -> None:
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    env = {
        **os.environ,
        "ASSISTANT_HOME": str(tmp_path / "home"),
        "ASSISTANT_CACHE_DIR": str(tmp_path / "cache"),
        "ASSISTANT_BACKEND": "llama-server",
        "ASSISTANT_LLAMA_SERVER_BINARY": str(tmp_path / "absent-llama-server"),
        "ASSISTANT_MODEL_PATH": str(model),
    }
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            assistant_command("serve", "--port", str(port)), env=env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ok(f"{url}/healthz", process, timeout_s=120, log_tail=log.read_text)
        readiness = _readiness_once_settled(url)
        assert readiness["status"] == "failed"
        assert "llama-server not found" in readiness["detail"]
        assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    finally:
        stop(process, timeout_s=20)


def _readiness_once_settled(url: str) -> dict[str, str]:
    for _ in range(200):
        response = httpx.get(f"{url}/readyz", timeout=5)
        body: dict[str, str] = response.json()
        if body["status"] != "loading":
            assert response.status_code == 503
            return body
        time.sleep(0.1)
    raise AssertionError(f"/readyz still says loading: {body}")
