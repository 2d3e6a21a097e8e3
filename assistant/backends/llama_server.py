"""llama.cpp's own server (`llama-server`) as a managed child process behind the OpenAI backend.

Why a child process: llama-server decodes the rows of all requests in flight together (continuous
batching over parallel slots), keeps each slot's prompt in its KV cache for the next request, and
evaluates a prompt once for all `n` samples of a request. The in-process backends hold the model
behind a lock, so concurrent users take turns.

The server listens on a free loopback port and is stopped by `close()` or at interpreter exit; it
is restarted when it crashes: the request that saw the crash fails with BackendUnavailable (HTTP
503), the next one is served by the new process. (Not PR_SET_PDEATHSIG: it fires when the *thread*
that started the child ends, and the app loads its models in a thread that ends.)
"""

from __future__ import annotations

import logging
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from assistant.backends.openai_generator import OpenAIGenerator
from assistant.errors import BackendUnavailable, ModelLoadError
from assistant.protocols import ChatMessage, Completion, Generation

_LOG = logging.getLogger(__name__)


def default_binary() -> Path:
    """Where `make install` builds llama-server: inside the virtual environment."""
    return Path(sys.prefix) / "llama.cpp" / "bin" / "llama-server"


@dataclass(frozen=True)
class ServerOptions:
    binary: Path
    model_path: Path
    threads: int
    slots: int = 48  # parallel sequences: a request's greedy row and samples, of several requests
    context_tokens: int = 32768  # shared by all slots (unified KV cache)
    ready_timeout_s: float = 120.0
    request_timeout_s: float = 300.0

    def command(self, port: int) -> list[str]:
        threads = str(self.threads)
        return [
            str(self.binary),
            *("--model", str(self.model_path), "--host", "127.0.0.1", "--port", str(port)),
            *("--threads", threads, "--threads-batch", threads, "--parallel", str(self.slots)),
            *("--ctx-size", str(self.context_tokens), "--kv-unified", "--no-webui"),
        ]


LOG_TAIL_BYTES = 64 * 1024


class LogTail:
    """The last `limit` bytes a process wrote, read from its pipe by a daemon thread.

    Why not a file: llama-server logs a few KB per request (about 3 KB in an evaluation run), which a
    file would keep for as long as the server runs; only the tail is ever read (start-up failures,
    crashes).
    """

    def __init__(self, stream: IO[bytes], limit: int = LOG_TAIL_BYTES) -> None:
        self._chunks: deque[bytes] = deque()
        self._size = 0
        self._limit = limit
        self._lock = threading.Lock()
        self._reader = threading.Thread(
            target=self._read, args=(stream,), name="llama-server-log", daemon=True
        )
        self._reader.start()

    def text(self, chars: int) -> str:
        with self._lock:
            data = b"".join(self._chunks)[-self._limit :]
        return data.decode(errors="replace")[-chars:]

    def wait_for_end(self, timeout_s: float) -> None:
        """Until the process's output is closed (it exited) and read, at most `timeout_s`."""
        self._reader.join(timeout_s)

    def _read(self, stream: IO[bytes]) -> None:
        with stream:
            while chunk := stream.read1(4096):  # type: ignore[attr-defined]
                self._keep(chunk)

    def _keep(self, chunk: bytes) -> None:
        with self._lock:
            self._chunks.append(chunk)
            self._size += len(chunk)
            while self._size - len(self._chunks[0]) >= self._limit:
                self._size -= len(self._chunks.popleft())


def exit_reason(code: int) -> str:
    """How llama-server ended at start-up, in words: a negative code is the signal that killed it."""
    if code >= 0:
        return f"llama-server exited with code {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    if -code == signal.SIGILL:
        # ggml chose a CPU variant whose instructions this machine refuses (Makefile: AMX_VARIANT)
        name += " (an instruction this CPU refuses: `make install` again, or ASSISTANT_BACKEND=transformers)"
    return f"llama-server was killed by {name}"


class LlamaServer:
    """One llama-server process; `start` returns its /v1 base URL once it answers /health."""

    def __init__(self, options: ServerOptions) -> None:
        self._options = options
        self._process: subprocess.Popen[bytes] | None = None
        self._log: LogTail | None = None
        self._finalizer: weakref.finalize[[subprocess.Popen[bytes]], LlamaServer] | None = None

    @property
    def options(self) -> ServerOptions:
        return self._options

    def start(self) -> str:
        if not self._options.binary.is_file():
            raise ModelLoadError(
                f"llama-server not found at {self._options.binary}; `make install` builds it"
            )
        if not self._options.model_path.is_file():
            raise ModelLoadError(f"GGUF model file not found: {self._options.model_path}")
        self.stop()
        port = _free_port()
        self._process = subprocess.Popen(
            self._options.command(port),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        assert self._process.stdout is not None
        self._log = LogTail(self._process.stdout)
        self._finalizer = weakref.finalize(self, _terminate, self._process)
        base_url = f"http://127.0.0.1:{port}"
        self._wait_until_ready(base_url)
        _LOG.info("llama-server pid %d ready at %s", self._process.pid, base_url)
        return base_url + "/v1"

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def exited_within(self, timeout_s: float) -> bool:
        """Whether the process is gone or ends within `timeout_s` (a refused connection can come
        a moment before the exit is visible)."""
        if self._process is None:
            return True
        try:
            self._process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return False
        return True

    def stop(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
        self._process = None
        self._log = None

    def log_tail(self, chars: int = 1500) -> str:
        if self._log is None:
            return ""
        if self._process is not None and self._process.poll() is not None:
            self._log.wait_for_end(1.0)  # an exited process's last words may still be in the pipe
        return self._log.text(chars)

    def _wait_until_ready(self, base_url: str) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self._options.ready_timeout_s
        while time.monotonic() < deadline:
            if (code := self._process.poll()) is not None:
                raise self._failed(exit_reason(code))
            try:
                if httpx.get(base_url + "/health", timeout=2.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            time.sleep(0.1)
        raise self._failed(f"llama-server did not answer /health within {self._options.ready_timeout_s} s")

    def _failed(self, reason: str) -> ModelLoadError:
        tail = self.log_tail()
        self.stop()
        return ModelLoadError(f"{reason}: {tail.strip()}")


class ManagedServerGenerator:
    """The Generator protocol over a LlamaServer it starts, restarts after a crash, and stops."""

    def __init__(self, server: LlamaServer, *, seed: int | None = None) -> None:
        self._server = server
        self._seed = seed
        self._lock = threading.Lock()
        self._client = self._connect(server.start())

    @property
    def model_id(self) -> str:
        return f"llama-server:{self._server.options.model_path.name}"

    @property
    def greedy_first(self) -> bool:
        """Whether this build decodes the greedy answer beside its samples (llama_server_patches)."""
        return self._running_client().greedy_first

    def generate(
        self,
        messages: Sequence[ChatMessage],
        *,
        n_samples: int = 0,
        temperature: float = 0.7,
        max_new_tokens: int = 64,
        stop_sampling_if: Callable[[Completion], bool] | None = None,
        known_greedy: Completion | None = None,
    ) -> Generation:
        client = self._running_client()
        try:
            return client.generate(
                messages,
                n_samples=n_samples,
                temperature=temperature,
                max_new_tokens=max_new_tokens,
                stop_sampling_if=stop_sampling_if,
                known_greedy=known_greedy,
            )
        except BackendUnavailable as error:
            if not self._server.exited_within(2.0):
                raise
            tail = self._server.log_tail(500)
            _LOG.error("llama-server died during a request: %s", tail)
            raise BackendUnavailable(
                f"llama-server stopped while answering; restarting it ({error})"
            ) from error

    def close(self) -> None:
        with self._lock:
            self._client.close()
            self._server.stop()

    def _running_client(self) -> OpenAIGenerator:
        with self._lock:
            if not self._server.alive():
                _LOG.warning("llama-server is not running; starting it again")
                self._client.close()
                self._client = self._connect(self._server.start())
            return self._client

    def _connect(self, base_url: str) -> OpenAIGenerator:
        return OpenAIGenerator(
            base_url=base_url,
            model=self._server.options.model_path.stem,
            api_key="none",
            timeout_s=self._server.options.request_timeout_s,
            retries=0,  # a dead server is restarted, not retried; a busy one queues the request itself
            max_concurrency=self._server.options.slots,
            seed=self._seed,
            greedy_first=knows_greedy_first(base_url),
        )


def knows_greedy_first(base_url: str) -> bool:
    """Whether the server at `base_url` (its `/v1`) was built with the greedy-first patch.

    Another build ignores the field, and its "greedy" first choice would be one more sample, so the
    field is sent only to a server whose `/props` says it knows it.
    """
    try:
        props = httpx.get(base_url.removesuffix("/v1") + "/props", timeout=5.0).json()
    except (httpx.HTTPError, ValueError):
        return False
    return isinstance(props, dict) and props.get("greedy_first") is True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _terminate(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
