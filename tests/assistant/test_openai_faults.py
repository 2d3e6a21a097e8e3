"""The remote model server misbehaving: slow past the timeout, trickling bytes, dropping the connection in
the middle of a body. Each ends in BackendTimeout / BackendUnavailable within a bound; the next call works."""

from __future__ import annotations

import time

import pytest

from assistant.backends.openai_generator import OpenAIGenerator
from assistant.errors import BackendTimeout, BackendUnavailable
from assistant.protocols import ChatMessage
from tests.support.scripted_chat_server import Payload, Reply, choices_reply, scripted_server

QUESTION = (ChatMessage(role="user", content="What is the capital of France?"),)
TIMEOUT_S = 0.5
RETRIES = 1
# Every attempt ends by the timeout; backoff and thread start-up on a busy machine get the rest.
BOUND_S = (RETRIES + 1) * TIMEOUT_S + 2.0


def _generator(base_url: str) -> OpenAIGenerator:
    return OpenAIGenerator(
        base_url=base_url, model="m", api_key="k", timeout_s=TIMEOUT_S, retries=RETRIES, backoff_s=0.01
    )


def _faulty_then_ok(fault: Reply, *, faulty_requests: int) -> object:
    def answer(payload: Payload, number: int) -> Reply:
        return fault if number <= faulty_requests else choices_reply(["Paris"], completion_tokens=1)

    return answer


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Reply(delay_s=3 * TIMEOUT_S), BackendTimeout),
        (Reply(body={"choices": [{"message": {"content": "Paris"}}]}, trickle_s=0.05), BackendTimeout),
        (
            Reply(body={"choices": [{"message": {"content": "Paris"}}]}, drop_after_bytes=10),
            BackendUnavailable,
        ),
    ],
    ids=["slow", "trickling", "dropped-mid-body"],
)
def test_a_faulty_server_fails_within_the_bound_and_the_next_call_works(
    fault: Reply, error: type[Exception]
) -> None:
    with scripted_server(_faulty_then_ok(fault, faulty_requests=RETRIES + 1)) as server:  # type: ignore[arg-type]
        generator = _generator(server.base_url)
        started = time.perf_counter()
        with pytest.raises(error, match="unavailable after 2 attempts") as raised:
            generator.generate(QUESTION)
        elapsed = time.perf_counter() - started
        assert elapsed < BOUND_S, elapsed
        assert generator.generate(QUESTION).greedy.text == "Paris"
    assert len(server.requests) == RETRIES + 2
    if error is BackendUnavailable:
        assert not isinstance(raised.value, BackendTimeout)
