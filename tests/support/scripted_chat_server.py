"""A real HTTP server on loopback that answers chat-completions requests from a script (for unit tests)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Payload = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Payload | str = field(default_factory=dict)
    delay_s: float = 0.0
    drop_after_bytes: int | None = None  # close the connection after this much of the body
    trickle_s: float = 0.0  # pause before each byte of the body: slow, but never idle for long


def choices_reply(texts: list[str], *, completion_tokens: int) -> Reply:
    choices = [
        {"index": i, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        for i, text in enumerate(texts)
    ]
    return Reply(body={"choices": choices, "usage": {"completion_tokens": completion_tokens}})


@dataclass
class ScriptedServer:
    base_url: str
    requests: list[Payload]


def _write_body(handler: BaseHTTPRequestHandler, data: bytes, reply: Reply) -> None:
    if reply.drop_after_bytes is not None:
        handler.wfile.write(data[: reply.drop_after_bytes])
        handler.wfile.flush()
        handler.connection.shutdown(socket.SHUT_RDWR)  # mid-body: the client sees the stream end early
        handler.close_connection = True
        return
    if reply.trickle_s:
        for index in range(len(data)):
            time.sleep(reply.trickle_s)
            handler.wfile.write(data[index : index + 1])
            handler.wfile.flush()
        return
    handler.wfile.write(data)


@contextmanager
def scripted_server(answer: Callable[[Payload, int], Reply]) -> Iterator[ScriptedServer]:
    """Serve `answer(payload, request_number)` for every POST until the block ends."""
    requests: list[Payload] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with lock:
                requests.append(payload)
                number = len(requests)
            reply = answer(payload, number)
            time.sleep(reply.delay_s)
            data = (reply.body if isinstance(reply.body, str) else json.dumps(reply.body)).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                _write_body(self, data, reply)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test); nothing to answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield ScriptedServer(f"http://127.0.0.1:{server.server_address[1]}/v1", requests)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
