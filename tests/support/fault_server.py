"""Our server in a subprocess for fault tests and bench/reliability.py: the remote (openai) backend over a
scripted loopback chat server, so no language model loads, and the real MiniLM index on disk."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.support.scripted_chat_server import Payload, Reply, choices_reply, scripted_server
from tests.support.served_process import free_port, stop, wait_until_ok

REPO_ROOT = Path(__file__).resolve().parents[2]
QUARRY_DOC = "The Zentrix Quarry opened in 1932 near the village of Hollin Brae."
QUARRY_Q = "In what year did the Zentrix Quarry open?"
_SERVE = "import sys; from api.cli import main; sys.exit(main(sys.argv[1:]))"


def grounded_script(payload: Payload, number: int) -> Reply:
    """Answers from the passages when they hold the quarry, else refuses (so the flow goes grounded)."""
    prompt = "\n".join(str(m.get("content", "")) for m in payload["messages"])
    text = "The Zentrix Quarry opened in 1932 [1]." if "1932" in prompt else "I don't know."
    return choices_reply([text] * int(payload.get("n", 1)), completion_tokens=8)


@dataclass
class Served:
    url: str
    home: Path
    process: subprocess.Popen[bytes]
    log: Path

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60)


def server_env(home: Path, chat_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "ASSISTANT_HOME": str(home),
        "ASSISTANT_BACKEND": "openai",
        "ASSISTANT_OPENAI_BASE_URL": chat_url,
        "ASSISTANT_OPENAI_TIMEOUT_S": "5",
        "ASSISTANT_EMBEDDER": "minilm",
        "HF_HUB_OFFLINE": "1",
        **extra,
    }


@contextmanager
def chat_backend(script: Callable[[Payload, int], Reply] = grounded_script) -> Iterator[str]:
    with scripted_server(script) as server:
        yield server.base_url


def start_server(home: Path, env: Mapping[str, str], *, preexec: Callable[[], Any] | None = None) -> Served:
    """Start `assistant serve` on a free port; returns once /healthz answers (not waiting for readiness)."""
    port = free_port()
    log = home.parent / f"server-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", _SERVE, "serve", "--port", str(port)],
            cwd=REPO_ROOT,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=preexec,  # only ever a resource limit, set before exec
        )
    url = f"http://127.0.0.1:{port}"
    wait_until_ok(f"{url}/healthz", process, timeout_s=120, log_tail=log.read_text)
    return Served(url=url, home=home, process=process, log=log)


@contextmanager
def served(
    home: Path, env: Mapping[str, str], *, preexec: Callable[[], Any] | None = None
) -> Iterator[Served]:
    server = start_server(home, env, preexec=preexec)
    try:
        yield server
    finally:
        stop(server.process, timeout_s=20)


def wait_ready(http: httpx.Client, *, timeout_s: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = http.get("/readyz")
        body: dict[str, Any] = response.json()
        if body["status"] != "loading":
            return body
        time.sleep(0.2)
    raise AssertionError("the server did not finish loading")


def rebuild(http: httpx.Client, *, until: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
    """Start a rebuild and poll its job until it finishes (or `until(job)` holds); the last job seen."""
    job_id = http.post("/v1/index/rebuild").json()["job_id"]
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        job: dict[str, Any] = http.get(f"/v1/index/jobs/{job_id}").json()
        if job["state"] != "running" or (until is not None and until(job)):
            return job
        time.sleep(0.05)
    raise AssertionError(f"index job {job_id} did not finish")
