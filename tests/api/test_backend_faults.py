"""The remote model server slow past the timeout or dropping the connection mid-body, seen over HTTP:
504 or 503 with a message, in bounded time, and the next request is answered."""

from __future__ import annotations

import time

import pytest

from assistant.backends.openai_generator import OpenAIGenerator
from tests.support.fake_index import ClientFactory, FakeIndex
from tests.support.scripted_chat_server import Payload, Reply, choices_reply, scripted_server

TIMEOUT_S = 0.5
ASK = {"question": "What is the capital of France?", "overrides": {"n_samples": 1}}
CHAT = {"messages": [{"role": "user", "content": "What is the capital of France?"}]}


@pytest.mark.parametrize(
    ("fault", "status", "kind"),
    [
        (Reply(delay_s=3 * TIMEOUT_S), 504, "backend_timeout"),
        (Reply(body={"choices": []}, drop_after_bytes=5), 503, "backend_unavailable"),
    ],
    ids=["slow", "dropped"],
)
@pytest.mark.parametrize("path", ["/v1/ask", "/v1/chat/completions"])
def test_a_faulty_model_server_is_a_5xx_with_a_message_and_the_next_request_works(
    make_client: ClientFactory, built_index: FakeIndex, fault: Reply, status: int, kind: str, path: str
) -> None:
    healthy = False

    def script(payload: Payload, number: int) -> Reply:
        return choices_reply(["Paris."] * payload["n"], completion_tokens=2) if healthy else fault

    with scripted_server(script) as server:
        generator = OpenAIGenerator(
            base_url=server.base_url, model="m", api_key="k", timeout_s=TIMEOUT_S, retries=1, backoff_s=0.01
        )
        client = make_client(generator, built_index)  # type: ignore[arg-type]
        started = time.perf_counter()
        failed = client.post(path, json=ASK if path == "/v1/ask" else CHAT)
        assert time.perf_counter() - started < 2 * TIMEOUT_S + 3
        assert failed.status_code == status, failed.text
        error = failed.json()["error"]
        assert error["type"] == kind and server.base_url in error["message"]
        healthy = True
        assert client.post(path, json=ASK if path == "/v1/ask" else CHAT).status_code == 200
