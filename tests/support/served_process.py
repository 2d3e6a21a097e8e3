"""A server started as a subprocess: a free loopback port, waiting until it answers, stopping it.

Shared by the end-to-end tests (our uvicorn server, llama_cpp.server) and the serving benchmark.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_ok(
    url: str,
    process: subprocess.Popen[bytes],
    *,
    timeout_s: float,
    log_tail: Callable[[], str],
    poll_s: float = 0.2,
) -> None:
    """Return once GET `url` succeeds; RuntimeError with the log's tail if the process exits or
    `timeout_s` passes first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, timeout=5).is_success:
                return
        except httpx.TransportError:
            pass
        time.sleep(poll_s)
    state = (
        f"exited with {process.returncode}" if process.poll() is not None else f"not ready in {timeout_s} s"
    )
    raise RuntimeError(f"server {state}; log:\n{log_tail()}")


def stop(process: subprocess.Popen[bytes], *, timeout_s: float = 30) -> None:
    """Terminate, and kill if it does not exit within `timeout_s`."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
