"""POST /v1/ask returns the answer record; every route is counted in /metrics."""

from __future__ import annotations

from assistant.backends.scripted import ScriptedGenerator
from tests.support.fake_index import ClientFactory, FakeIndex

PRIDE_Q = "Who wrote Pride and Prejudice?"
ACME_Q = "When was Acme Widgets founded?"


def scripted() -> ScriptedGenerator:
    return ScriptedGenerator(
        by_prompt={
            "[1] Acme": ["Acme Widgets was founded in 1987 [1]."],
            "Pride": ["Jane Austen."],
            ACME_Q: ["I don't know."],
        }
    )


def test_ask_returns_the_full_record_for_each_route(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    client = make_client(scripted(), built_index)
    parametric = client.post("/v1/ask", json={"question": PRIDE_Q}).json()
    retrieval = client.post("/v1/ask", json={"question": ACME_Q}).json()
    abstain = client.post(
        "/v1/ask", json={"question": ACME_Q, "overrides": {"min_retrieval_score": 0.95}}
    ).json()
    assert (parametric["route"], parametric["answer"]) == ("parametric", "Jane Austen.")
    assert retrieval["route"] == "retrieval" and retrieval["citations"][0]["source"] == "acme.md"
    assert abstain["route"] == "abstain" and abstain["citations"] == []
    assert retrieval["withheld_answer"] == "" and abstain["withheld_answer"] == ""
    assert set(parametric) >= {
        "samples",
        "timings_ms",
        "model",
        "confidence",
        "grounded_support",
        "grounded_agreement",
        "withheld_answer",
    }


def test_an_abstention_shows_the_answer_from_the_passages_it_withheld(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    invented = "Acme Widgets was founded in 1990 in Denver [1]."
    generator = ScriptedGenerator(by_prompt={"[1] Acme": [invented], ACME_Q: ["I don't know."]})
    withheld = make_client(generator, built_index).post("/v1/ask", json={"question": ACME_Q}).json()
    assert withheld["route"] == "abstain" and withheld["citations"] == []
    assert withheld["withheld_answer"] == invented


def test_metrics_count_routes_and_latency_by_stage(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    client = make_client(scripted(), built_index)
    client.post("/v1/ask", json={"question": PRIDE_Q})
    client.post("/v1/ask", json={"question": PRIDE_Q})
    client.post("/v1/ask", json={"question": ACME_Q})
    text = client.get("/metrics").text
    assert 'assistant_answers_total{route="parametric"} 2.0' in text
    assert 'assistant_answers_total{route="retrieval"} 1.0' in text
    assert 'assistant_answers_total{route="abstain"} 0.0' in text
    assert "assistant_agreement_count 3.0" in text
    assert 'assistant_stage_seconds_count{stage="total"} 3.0' in text
    assert 'assistant_stage_seconds_count{stage="grounded"} 1.0' in text
    for part in ("prefill", "decode", "wait"):
        assert f'assistant_stage_part_seconds_count{{part="{part}",stage="sampling"}} 3.0' in text
        assert f'assistant_stage_part_seconds_count{{part="{part}",stage="grounded"}} 1.0' in text


def test_each_app_has_its_own_metrics(make_client: ClientFactory, built_index: FakeIndex) -> None:
    first = make_client(scripted(), built_index)
    second = make_client(scripted(), built_index)
    first.post("/v1/ask", json={"question": PRIDE_Q})
    assert 'assistant_answers_total{route="parametric"} 0.0' in second.get("/metrics").text


def test_empty_and_over_long_questions_are_rejected(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    client = make_client(scripted(), built_index, max_question_chars=20)
    assert client.post("/v1/ask", json={"question": "   "}).status_code == 422
    too_long = client.post("/v1/ask", json={"question": "y" * 21})
    assert too_long.status_code == 422 and "20" in too_long.json()["error"]["message"]


def test_s2a_sets_the_opinion_aside_unless_the_request_turns_it_off(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    client = make_client(scripted(), built_index)
    message = f"I think it was Charlotte Bronte. {PRIDE_Q}"
    understood = client.post("/v1/ask", json={"question": message}).json()
    assert understood["question_understood"] == PRIDE_Q
    assert understood["set_aside"] == ["I think it was Charlotte Bronte."]
    kept = client.post("/v1/ask", json={"question": message, "overrides": {"s2a": "off"}}).json()
    assert (kept["question_understood"], kept["set_aside"]) == (message, [])
    bad = client.post("/v1/ask", json={"question": message, "overrides": {"s2a": "sometimes"}})
    assert bad.status_code == 422 and "s2a" in bad.text
