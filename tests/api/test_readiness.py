"""Ready when it can serve: with no index the server answers from the model (or abstains) and says so;
an index that cannot be opened makes /readyz say "failed" with the reason, and a rebuild recovers."""

from __future__ import annotations

import time

from api.settings import Settings
from assistant.backends.scripted import ScriptedGenerator
from assistant.fakes import StaticRetriever
from index.errors import CorruptIndex
from tests.support.fake_index import ClientFactory, FakeIndex, write_docs

CAPITAL_Q = "What is the capital of France?"
ZED_Q = "Where is Zed Quarry?"


class TruncatedIndex(FakeIndex):
    """An index on disk that fails to open until a build replaces it."""

    def open(self) -> StaticRetriever:
        if self.builds == 0:
            raise CorruptIndex("index version in v1 is unreadable: chunks.sqlite: file is not a database")
        return super().open()


def generator() -> ScriptedGenerator:
    return ScriptedGenerator(
        by_prompt={
            "in Oslo.": ["Zed Quarry is in Oslo [1]."],
            CAPITAL_Q: ["Paris."],
            ZED_Q: ["I don't know."],
        }
    )


def test_a_fresh_server_is_ready_and_answers_closed_book_saying_nothing_is_indexed(
    make_client: ClientFactory,
) -> None:
    client = make_client(generator(), FakeIndex())
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready" and ready.json()["index"] == "none"
    assert "POST /v1/documents" in ready.json()["detail"]
    known = client.post("/v1/ask", json={"question": CAPITAL_Q}).json()
    assert (known["route"], known["answer"]) == ("parametric", "Paris.")
    assert "no documents are indexed" in known["notice"]
    chat = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": ZED_Q}]})
    assert chat.status_code == 200
    fallback = chat.json()["fallback"]
    assert fallback["route"] == "abstain" and "no documents are indexed" in fallback["notice"]


def test_the_notice_reaches_the_end_of_a_stream(make_client: ClientFactory) -> None:
    client = make_client(generator(), FakeIndex())
    body = {"messages": [{"role": "user", "content": ZED_Q}], "stream": True}
    with client.stream("POST", "/v1/chat/completions", json=body) as response:
        text = "".join(response.iter_text())
    assert response.status_code == 200 and "no documents are indexed" in text and "[DONE]" in text


def test_a_corrupt_index_at_start_is_failed_with_the_reason_and_a_rebuild_recovers(
    make_client: ClientFactory, settings: Settings
) -> None:
    write_docs(settings, {"zed.md": "Zed Quarry is in Oslo."})
    client = make_client(generator(), TruncatedIndex())
    failed = client.get("/readyz")
    assert failed.status_code == 503
    assert failed.json()["status"] == "failed" and failed.json()["index"] == "failed"
    assert "file is not a database" in failed.json()["detail"]
    assert client.get("/healthz").status_code == 200
    degraded = client.post("/v1/ask", json={"question": ZED_Q})
    assert degraded.status_code == 200 and "could not be opened" in degraded.json()["notice"]
    job_id = client.post("/v1/index/rebuild").json()["job_id"]
    deadline = time.monotonic() + 10
    while client.get(f"/v1/index/jobs/{job_id}").json()["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.02)
    recovered = client.get("/readyz")
    assert recovered.status_code == 200 and recovered.json()["index"] == "ready"
    assert client.post("/v1/ask", json={"question": ZED_Q}).json()["route"] == "retrieval"


class ClosingGenerator(ScriptedGenerator):
    """A generator that owns something to release (as the managed llama-server does)."""

    closed = 0

    def close(self) -> None:
        type(self).closed += 1


def test_server_shutdown_closes_the_generator(make_client: ClientFactory) -> None:
    client = make_client(ClosingGenerator(by_prompt={CAPITAL_Q: ["Paris."]}), FakeIndex())
    assert client.get("/readyz").status_code == 200
    client.__exit__(None, None, None)
    assert ClosingGenerator.closed == 1
