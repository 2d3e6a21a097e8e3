"""The OpenAI-compatible routes over fakes: bodies, streaming, history, per-request thresholds, errors."""

from __future__ import annotations

import json
from typing import Any

from assistant.backends.scripted import ScriptedGenerator
from assistant.thresholds import PROFILES
from tests.support.fake_index import ClientFactory, FakeIndex

PRIDE_Q = "Who wrote Pride and Prejudice?"
ACME_Q = "When was Acme Widgets founded?"


def scripted() -> ScriptedGenerator:
    return ScriptedGenerator(
        by_prompt={
            "[1] Acme": ["Acme Widgets was founded in 1987 [1]."],
            "Pride": ["Jane Austen."],
            ACME_Q: ["I don't know."],
        },
        model_id="scripted-model",
    )


def chat(question: str, **extra: Any) -> dict[str, Any]:
    return {"model": "anything", "messages": [{"role": "user", "content": question}], **extra}


def test_completion_is_openai_shaped_with_a_fallback_object(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    client = make_client(scripted(), built_index)
    response = client.post("/v1/chat/completions", json=chat(ACME_Q))
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "chat.completion" and body["model"] == "scripted-model"
    (choice,) = body["choices"]
    assert choice["message"] == {"role": "assistant", "content": "Acme Widgets was founded in 1987 [1]."}
    assert choice["finish_reason"] == "stop"
    fallback = body["fallback"]
    assert fallback["route"] == "retrieval" and fallback["parametric_confidence"] == 0.0
    assert fallback["confidence"] == fallback["grounded_confidence"] > 0.0
    assert [(c["id"], c["source"]) for c in fallback["citations"]] == [(1, "acme.md")]


def test_stream_sends_role_then_text_then_fallback_then_done(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    client = make_client(scripted(), built_index)
    with client.stream("POST", "/v1/chat/completions", json=chat(PRIDE_Q, stream=True)) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [line[len("data: ") :] for line in response.iter_lines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(event) for event in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == "Jane Austen."
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["fallback"]["route"] == "parametric"


def test_earlier_turns_are_context_and_the_last_user_message_is_the_question(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    generator = scripted()
    client = make_client(generator, built_index)
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hello"},
        {"role": "assistant", "content": "Hi."},
        {"role": "user", "content": [{"type": "text", "text": PRIDE_Q}]},
    ]
    response = client.post("/v1/chat/completions", json={"messages": messages})
    assert response.status_code == 200
    contents = [m.content for m in generator.calls[0].messages]
    assert contents[-3:] == ["Hello", "Hi.", PRIDE_Q]


def test_profile_overrides_and_max_tokens_choose_the_thresholds_per_request(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    generator = scripted()
    client = make_client(generator, built_index)
    body = chat(
        PRIDE_Q, max_tokens=12, fallback={"profile": "strict", "overrides": {"sample_temperature": 0.3}}
    )
    assert client.post("/v1/chat/completions", json=body).status_code == 200
    greedy, sampled = generator.calls[:2]  # the greedy answer alone, then its samples
    assert (greedy.n_samples, sampled.n_samples) == (0, PROFILES["strict"].n_samples)
    assert (sampled.max_new_tokens, sampled.temperature) == (12, 0.3)
    assert greedy.max_new_tokens == 12


def test_bad_requests_get_422_naming_the_problem(make_client: ClientFactory, built_index: FakeIndex) -> None:
    client = make_client(scripted(), built_index, max_question_chars=50)
    cases = {
        "question": chat("x" * 51),
        "messages": {"messages": [{"role": "system", "content": "only a system turn"}]},
        "n_samples": chat(PRIDE_Q, fallback={"overrides": {"n_samples": 99}}),
    }
    for field, body in cases.items():
        response = client.post("/v1/chat/completions", json=body)
        assert response.status_code == 422, field
        error = response.json()["error"]
        assert error["field"] == field and field in error["message"]
    unknown = client.post("/v1/chat/completions", json=chat(PRIDE_Q, fallback={"profile": "reckless"}))
    assert unknown.status_code == 422 and "strict" in unknown.json()["error"]["message"]
    assert unknown.json()["error"]["field"] == "profile"


def test_generation_failure_is_502_or_an_error_event_in_the_stream(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    client = make_client(ScriptedGenerator(), built_index)
    response = client.post("/v1/chat/completions", json=chat(PRIDE_Q))
    assert response.status_code == 502 and response.json()["error"]["type"] == "generation_failed"
    with client.stream("POST", "/v1/chat/completions", json=chat(PRIDE_Q, stream=True)) as streamed:
        events = [line for line in streamed.iter_lines() if line.startswith("data: ")]
    assert json.loads(events[-2][len("data: ") :])["error"]["code"] == 502
    assert events[-1] == "data: [DONE]"


def test_models_lists_the_served_model(make_client: ClientFactory, built_index: FakeIndex) -> None:
    body = make_client(scripted(), built_index).get("/v1/models").json()
    assert [m["id"] for m in body["data"]] == ["scripted-model"]


def test_only_the_latest_turns_that_fit_the_budget_are_kept_as_context(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    generator = scripted()
    client = make_client(generator, built_index, max_question_chars=40)
    old = [{"role": "user", "content": f"old turn {i} " + "z" * 30} for i in range(10)]
    messages = [*old, {"role": "assistant", "content": "Sure."}, {"role": "user", "content": PRIDE_Q}]
    assert client.post("/v1/chat/completions", json={"messages": messages}).status_code == 200
    contents = [m.content for m in generator.calls[0].messages]
    assert sum("old turn" in c for c in contents) == 3
    assert "old turn 9" in " ".join(contents) and "old turn 6" not in " ".join(contents)
