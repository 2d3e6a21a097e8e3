"""The streaming chat format over fakes: stage chunks, usage, include_usage, and both official clients."""

from __future__ import annotations

import json
from typing import Any

import openai
from fastapi.testclient import TestClient
from langchain_openai import ChatOpenAI

from assistant.backends.scripted import ScriptedGenerator
from tests.support.fake_index import ClientFactory, FakeIndex

PRIDE_Q = "Who wrote Pride and Prejudice?"
ACME_Q = "When was Acme Widgets founded?"
CHEAP = {"overrides": {"n_samples": 2}}


def scripted() -> ScriptedGenerator:
    """Pride is known (samples agree); Acme is refused closed-book, then answered from the passage."""
    return ScriptedGenerator(
        by_prompt={
            "[1] Acme": ["Acme Widgets was founded in 1987 [1]."],
            "Pride": ["Jane Austen wrote it."],
            ACME_Q: ["I don't know."],
        }
    )


def chat(question: str, **extra: Any) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": question}], "fallback": CHEAP, **extra}


def stream_events(client: TestClient, body: dict[str, Any]) -> list[Any]:
    with client.stream("POST", "/v1/chat/completions", json={**body, "stream": True}) as response:
        assert response.status_code == 200
        data = [line[len("data: ") :] for line in response.iter_lines() if line.startswith("data: ")]
    assert data[-1] == "[DONE]"
    return [json.loads(event) for event in data[:-1]]


def stages(chunks: list[dict[str, Any]]) -> list[str]:
    return [c["fallback"]["stage"] for c in chunks if "stage" in c.get("fallback", {})]


def test_stage_chunks_come_before_the_text_with_empty_deltas(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    chunks = stream_events(make_client(scripted(), built_index), chat(ACME_Q))
    assert stages(chunks) == [
        "answering",
        "checking_agreement",
        "searching",
        "answering_from_passages",
        "verifying",
    ]
    staged = [c for c in chunks if "stage" in c.get("fallback", {})]
    assert all(c["choices"][0]["delta"] == {} and c["object"] == "chat.completion.chunk" for c in staged)
    first_text = next(
        i for i, c in enumerate(chunks) if c["choices"] and c["choices"][0]["delta"].get("content")
    )
    assert first_text > chunks.index(staged[-1])
    assert chunks[-1]["fallback"]["route"] == "retrieval"


def test_a_known_answer_stops_after_the_agreement_check(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    chunks = stream_events(make_client(scripted(), built_index), chat(PRIDE_Q))
    assert stages(chunks) == ["answering", "checking_agreement"]
    final = chunks[-1]["fallback"]
    assert final["route"] == "parametric" and final["samples"] == ["Jane Austen wrote it."] * 2
    assert final["parametric_answer"] == "Jane Austen wrote it."


def test_include_usage_adds_a_last_chunk_without_choices(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    client = make_client(scripted(), built_index)
    plain = stream_events(client, chat(PRIDE_Q))
    assert all("usage" not in c for c in plain)
    chunks = stream_events(client, chat(PRIDE_Q, stream_options={"include_usage": True}))
    last = chunks[-1]
    assert last["choices"] == [] and last["object"] == "chat.completion.chunk"
    usage = last["usage"]
    # The scripted fake counts words: 4 of the greedy answer alone, then 2 samples of 4 (the greedy
    # answer is handed back, not generated again).
    assert usage["completion_tokens"] == 12
    assert usage["completion_tokens_details"]["sample_tokens"] == 8
    assert usage["prompt_tokens"] > len(PRIDE_Q.split())
    assert usage["total_tokens"] == usage["prompt_tokens"] + 12


def test_usage_counts_every_generate_call_of_a_retrieval_answer(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    generator = scripted()
    body = make_client(generator, built_index).post("/v1/chat/completions", json=chat(ACME_Q)).json()
    closed, grounded = generator.calls
    prompt_words = sum(len(m.content.split()) for call in generator.calls for m in call.messages)
    assert body["usage"]["prompt_tokens"] == prompt_words
    # The closed-book refusal skips its samples; the grounded answer (7 words) comes with its 2
    # samples of 7 in one call, kept because their agreement can still decide.
    assert body["usage"]["completion_tokens"] == 3 + 7 + 7 * 2
    assert body["fallback"]["usage"]["generate_calls"] == 2
    assert closed.n_samples == 0  # a refusal is never sampled
    assert grounded.n_samples == 2 and not grounded.sampling_skipped
    (citation,) = body["fallback"]["citations"]
    assert citation["source"] == "acme.md" and "position" in citation


def test_a_request_can_ask_for_every_sample_in_one_call_per_stage(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    generator = scripted()
    overrides = {"n_samples": 2, "skip_decided_samples": False}
    body = (
        make_client(generator, built_index)
        .post("/v1/ask", json={"question": ACME_Q, "overrides": overrides})
        .json()
    )
    assert body["route"] == "retrieval" and body["grounded_agreement"] == 1.0
    closed, grounded = generator.calls  # no greedy-only call first
    assert (closed.n_samples, grounded.n_samples) == (2, 2)
    assert body["usage"]["completion_tokens"] == 3 + 7 * 3  # the closed-book refusal stops its samples
    bad = make_client(scripted(), built_index).post(
        "/v1/ask", json={"question": ACME_Q, "overrides": {"skip_decided_samples": "sometimes"}}
    )
    assert bad.status_code == 422 and "skip_decided_samples" in bad.text


def test_ask_reports_usage_too(make_client: ClientFactory, built_index: FakeIndex) -> None:
    body = make_client(scripted(), built_index).post("/v1/ask", json={"question": PRIDE_Q}).json()
    assert body["route"] == "parametric"
    # The greedy answer alone, then balanced's 5 samples: agreement decides here.
    assert body["usage"]["completion_tokens"] == 4 + 4 * 5


def test_the_openai_client_parses_the_stream_unchanged(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    client = openai.OpenAI(
        base_url="http://testserver/v1", api_key="unused", http_client=make_client(scripted(), built_index)
    )
    chunks = list(
        client.chat.completions.create(
            model="any",
            messages=[{"role": "user", "content": ACME_Q}],
            stream=True,
            stream_options={"include_usage": True},
            extra_body={"fallback": CHEAP},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Acme Widgets was founded in 1987 [1]."
    assert [
        c.model_extra["fallback"]["stage"]
        for c in chunks
        if "stage" in (c.model_extra or {}).get("fallback", {})
    ][:1] == ["answering"]
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 3 + 7 + 7 * 2
    assert chunks[-2].model_extra["fallback"]["route"] == "retrieval"


def test_langchain_streams_text_and_usage_metadata(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    llm = ChatOpenAI(
        base_url="http://testserver/v1",
        api_key="unused",
        model="any",
        http_client=make_client(scripted(), built_index),
        stream_usage=True,
        extra_body={"fallback": CHEAP},
    )
    chunks = list(llm.stream(PRIDE_Q))
    assert "".join(str(c.content) for c in chunks) == "Jane Austen wrote it."
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert total.usage_metadata is not None and total.usage_metadata["output_tokens"] == 12
    invoked = llm.invoke(PRIDE_Q)
    assert invoked.usage_metadata is not None and invoked.usage_metadata["total_tokens"] > 16
