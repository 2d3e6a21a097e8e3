"""A bounded answer queue: past ASSISTANT_MAX_QUEUED, 503 with Retry-After and a message, while /healthz
answers; places are given back when answers finish (streamed or not)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import httpx
from fastapi.testclient import TestClient

from assistant.backends.scripted import ScriptedGenerator
from assistant.protocols import ChatMessage, Completion, Generation
from tests.support.fake_index import ClientFactory, FakeIndex

QUESTION = {"question": "What is the capital of France?"}
LIMIT = 2


class GatedGenerator:
    """A Generator that holds every call until `gate` opens, then answers like its scripted inner one."""

    def __init__(self, inner: ScriptedGenerator | None = None) -> None:
        self.gate = threading.Event()
        self._inner = inner or ScriptedGenerator(by_prompt={"capital of France": ["Paris."]})

    @property
    def model_id(self) -> str:
        return self._inner.model_id

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
        self.gate.wait(timeout=30)
        return self._inner.generate(
            messages,
            n_samples=n_samples,
            temperature=temperature,
            max_new_tokens=max_new_tokens,
            stop_sampling_if=stop_sampling_if,
            known_greedy=known_greedy,
        )


def _admitted(client: TestClient) -> int:
    return int(client.app.state.context.answers.admitted)  # type: ignore[attr-defined]


def _wait_admitted(client: TestClient, count: int) -> None:
    deadline = time.monotonic() + 10
    while _admitted(client) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _admitted(client) == count


def test_requests_past_the_queue_get_503_with_retry_after_while_healthz_answers(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    generator = GatedGenerator()
    client = make_client(generator, built_index, max_queued=LIMIT)  # type: ignore[arg-type]
    with ThreadPoolExecutor(max_workers=LIMIT) as pool:
        waiting = [pool.submit(client.post, "/v1/ask", json=QUESTION) for _ in range(LIMIT)]
        _wait_admitted(client, LIMIT)
        refused = client.post("/v1/ask", json=QUESTION)
        chat = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "Hi"}]})
        health = client.get("/healthz")
        generator.gate.set()
        answered: list[httpx.Response] = [future.result(timeout=30) for future in waiting]
    assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
    assert refused.json()["error"]["type"] == "overloaded" and "busy" in refused.json()["error"]["message"]
    assert chat.status_code == 503 and chat.headers["retry-after"] == "5"
    assert health.status_code == 200
    assert [r.status_code for r in answered] == [200] * LIMIT
    assert _admitted(client) == 0
    assert client.post("/v1/ask", json=QUESTION).status_code == 200


def test_streams_and_failed_answers_give_their_place_back(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    client = make_client(ScriptedGenerator(), built_index, max_queued=1)
    body = {"messages": [{"role": "user", "content": "Nothing is scripted for this"}], "stream": True}
    for _ in range(3):
        with client.stream("POST", "/v1/chat/completions", json=body) as response:
            assert "generation_failed" in "".join(response.iter_text())
        assert client.post("/v1/ask", json=QUESTION).status_code == 502  # no script: a failed answer
    assert _admitted(client) == 0


ACME_Q = "When was Acme Widgets founded?"


ACME_BODY = {"question": ACME_Q, "overrides": {"n_samples": 2}}


def _two_questions_at_once(client: TestClient, generator: GatedGenerator) -> None:
    """Both held at their first model call until both are admitted, then both answered from passages."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(client.post, "/v1/ask", json=ACME_BODY)
        _wait_admitted(client, 1)
        second = pool.submit(client.post, "/v1/ask", json=ACME_BODY)
        _wait_admitted(client, 2)
        generator.gate.set()
        routes = [future.result(timeout=30).json()["route"] for future in (first, second)]
    assert routes == ["retrieval", "retrieval"]


def _grounded_calls(inner: ScriptedGenerator) -> list[tuple[int, bool]]:
    return [(c.n_samples, c.greedy_reused) for c in inner.calls if "[1] Acme" in c.messages[-1].content]


ACME_SCRIPT = {"[1] Acme": ["Acme Widgets was founded in 1987 [1]."], ACME_Q: ["I don't know."]}


def test_auto_decodes_grounded_samples_beside_the_answer_only_for_a_question_answered_alone(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    """Two questions answered at once resolve `grounded_samples_together` "auto" when they start:
    "on" for the first, alone then (one grounded call), "off" for the second (the answer alone,
    then its samples)."""
    inner = ScriptedGenerator(by_prompt=ACME_SCRIPT)
    generator = GatedGenerator(inner)
    client = make_client(generator, built_index)  # type: ignore[arg-type]
    _two_questions_at_once(client, generator)
    assert sorted(_grounded_calls(inner)) == [(0, False), (2, False), (2, True)]
    explicit = client.post(
        "/v1/ask", json={**ACME_BODY, "overrides": {"n_samples": 2, "grounded_samples_together": "off"}}
    )
    assert explicit.status_code == 200 and [c.n_samples for c in inner.calls[-2:]] == [0, 2]


def test_auto_keeps_the_1_5b_grounded_samples_beside_the_answer_under_load_too(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    """As above, served as the embedded 1.5B: both questions decode answer and samples in one call."""
    inner = ScriptedGenerator(by_prompt=ACME_SCRIPT)
    generator = GatedGenerator(inner)
    client = make_client(generator, built_index, model="qwen2.5-coder-1.5b")  # type: ignore[arg-type]
    _two_questions_at_once(client, generator)
    assert _grounded_calls(inner) == [(2, False), (2, False)]
