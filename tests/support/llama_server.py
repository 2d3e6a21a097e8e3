"""Run `python -m llama_cpp.server` on a free loopback port for the length of a `with` block."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from tests.support.served_process import free_port, stop, wait_until_ok

READY_TIMEOUT_S = 120.0


@contextmanager
def llama_server(model_path: Path, *, threads: int, context_tokens: int = 4096) -> Iterator[str]:
    """The server's /v1 base URL once it answers; the process is terminated when the block ends."""
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path), "--host", "127.0.0.1"]
    command += ["--port", str(port), "--n_ctx", str(context_tokens)]
    command += ["--n_threads", str(threads), "--n_threads_batch", str(threads)]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            base_url = f"http://127.0.0.1:{port}/v1"
            wait_until_ok(
                f"{base_url}/models", server, timeout_s=READY_TIMEOUT_S, log_tail=lambda: _tail(log)
            )
            yield base_url
        finally:
            stop(server)


def _tail(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-2000:]
