"""A stand-in for the llama-server executable, for the process-lifecycle tests of the managed backend.

Takes llama-server's arguments (only --port is used), answers GET /health and POST
/v1/chat/completions with "answer <pid>", logs about 1 KB per request to stdout (as llama-server
logs a few KB), and exits with code 3 when the last message says "crash".
Started with FAKE_FAIL_AT_START=1 in its environment it prints an error and exits at once, as
llama-server does when it cannot load the model; with FAKE_SIGNAL_AT_START=N it kills itself with
signal N, as llama-server dies of SIGILL where a CPU variant uses an instruction the machine refuses.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REQUEST_LOG_PADDING = "." * 1000


class Handler(BaseHTTPRequestHandler):
    requests = 0

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._send(200 if self.path == "/health" else 404, {"status": "ok"})

    def do_POST(self) -> None:
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if payload["messages"][-1]["content"] == "crash":
            os._exit(3)
        Handler.requests += 1
        print(f"request {Handler.requests} {REQUEST_LOG_PADDING}", flush=True)
        choices = [
            {"index": i, "message": {"role": "assistant", "content": f"answer {os.getpid()}"}}
            for i in range(payload.get("n", 1))
        ]
        self._send(200, {"choices": choices, "usage": {"completion_tokens": 2, "prompt_tokens": 5}})

    def _send(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args, _ = parser.parse_known_args()
    if os.environ.get("FAKE_FAIL_AT_START"):
        print("error: failed to load model", flush=True)
        sys.exit(1)
    if number := os.environ.get("FAKE_SIGNAL_AT_START"):
        print("init: llama threadpool init, n_threads = 1", flush=True)
        os.kill(os.getpid(), int(number))
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
