"""End to end: `assistant serve --prepare` in a subprocess with the real default model, real index and
real HTTP clients (openai, LangChain, httpx). One server for the whole module keeps the wall time down."""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from langchain_openai import ChatOpenAI

from tests.support.assistant_server import Server, assistant_command, serving

pytestmark = pytest.mark.slow

API_KEY = "e2e-user-key"
ADMIN_KEY = "e2e-admin-key"
USER = {"Authorization": f"Bearer {API_KEY}"}
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
CAPITAL_Q = "What is the capital of France?"
LUMORA_Q = "In what year was Lumora Robotics founded?"
# Fewer, shorter samples where the route is not what a test is about.
CHEAP: dict[str, Any] = {"fallback": {"overrides": {"n_samples": 2, "max_new_tokens": 24}}}
QUARRY_DOC = (
    "# Zentrix Quarry\n\nThe Zentrix Quarry opened in 1932 near the village of Hollin Brae. "
    "It was founded by the stonemason Hella Marrow; its granite built the Hollin Brae lighthouse.\n"
)
QUARRY_Q = "In what year did the Zentrix Quarry open?"
MAX_QUESTION_CHARS = 500


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, model_cache_dir: Path) -> Iterator[Server]:
    env = {
        "ASSISTANT_API_KEY": API_KEY,
        "ASSISTANT_ADMIN_KEY": ADMIN_KEY,
        "ASSISTANT_MAX_QUESTION_CHARS": str(MAX_QUESTION_CHARS),
    }
    with serving(tmp_path_factory.mktemp("e2e-home"), cache_dir=model_cache_dir, env=env) as running:
        yield running


def wait_for_job(http: httpx.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        job: dict[str, Any] = http.get(f"/v1/index/jobs/{job_id}").json()
        if job["state"] != "running":
            return job
        time.sleep(0.2)
    raise AssertionError(f"index job {job_id} did not finish")


def test_prepare_seeded_the_sample_corpus_and_built_the_index(server: Server) -> None:
    with server.http(**USER) as http:
        names = {d["id"] for d in http.get("/v1/documents").json()["documents"]}
        status = http.get("/v1/index").json()
    assert {"lumora-robotics.md", "qinglan-tea.md"} <= names
    assert status["documents"] == len(names) and status["embedder"]


def test_the_readme_questions_take_the_retrieval_and_abstain_routes(server: Server) -> None:
    """The sample-corpus questions of docs/api.md (the parametric one is asked by the chat tests)."""
    with server.http(**USER) as http:
        lumora = http.post("/v1/ask", json={"question": LUMORA_Q}).json()
        quenby = http.post(
            "/v1/ask", json={"question": "Who is the eldest daughter of Bartholomew Quenby?"}
        ).json()
    assert lumora["route"] == "retrieval" and "2011" in lumora["answer"], lumora
    assert lumora["citations"][0]["source"] == "lumora-robotics.md"
    assert quenby["route"] == "abstain" and quenby["citations"] == [], quenby
    # The default backend (llama-server) reports its prompt-evaluation and decode times per stage.
    timings = lumora["timings_ms"]
    for stage in ("sampling", "grounded"):
        parts = [timings[f"{stage}_{part}"] for part in ("prefill", "decode", "wait")]
        assert parts[0] > 0 and parts[1] > 0 and parts[2] >= 0, timings
        assert sum(parts) == pytest.approx(timings[stage]), timings
    stages = ("s2a", "sampling", "retrieval", "grounded")
    assert sum(timings[stage] for stage in stages) <= timings["total"], timings


def test_openai_client_chat_while_healthz_stays_responsive(server: Server) -> None:
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=API_KEY)
    (model,) = client.models.list().data
    assert "qwen2.5" in model.id.lower()
    replies: list[Any] = []
    # A retrieval question: it generates for seconds; a parametric one can be done (0.2 s on
    # llama-server) before three probes have gone out.
    request = threading.Thread(
        target=lambda: replies.append(
            client.chat.completions.create(
                model="any", messages=[{"role": "user", "content": LUMORA_Q}], extra_body=CHEAP
            )
        )
    )
    request.start()
    answered_during_generation = 0
    with server.http() as http:
        while request.is_alive():
            started = time.monotonic()
            assert http.get("/healthz").status_code == 200
            # A blocked event loop would hold /healthz until the generation ends.
            if request.is_alive() and time.monotonic() - started < 2.0:
                answered_during_generation += 1
            time.sleep(0.2)
    request.join()
    assert answered_during_generation >= 3
    (reply,) = replies
    assert "2011" in reply.choices[0].message.content
    assert reply.model_extra["fallback"]["route"] == "retrieval"


def test_openai_client_streams_chunks_then_done(server: Server) -> None:
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=API_KEY)
    stream = client.chat.completions.create(
        model="any",
        messages=[{"role": "user", "content": CAPITAL_Q}],
        stream=True,
        stream_options={"include_usage": True},
        extra_body=CHEAP,
    )
    chunks = list(stream)
    *answer_chunks, usage_chunk = chunks
    text = "".join(c.choices[0].delta.content or "" for c in answer_chunks)
    assert "Paris" in text
    fallbacks = [(c.model_extra or {}).get("fallback", {}) for c in answer_chunks]
    assert [f["stage"] for f in fallbacks if "stage" in f] == ["answering", "checking_agreement"]
    assert answer_chunks[-1].choices[0].finish_reason == "stop"
    assert fallbacks[-1]["route"] == "parametric"
    assert usage_chunk.choices == [] and usage_chunk.usage is not None
    # The real tokenizer's counts: the prompt and the greedy answer (sure enough to need no samples).
    assert usage_chunk.usage.prompt_tokens > 10 and usage_chunk.usage.completion_tokens > 3
    assert usage_chunk.usage.total_tokens == fallbacks[-1]["usage"]["total_tokens"]


def test_langchain_chat_openai_invokes_and_streams(server: Server) -> None:
    llm = ChatOpenAI(base_url=f"{server.url}/v1", api_key=API_KEY, model="any", extra_body=CHEAP)
    assert "Paris" in str(llm.invoke(CAPITAL_Q).content)
    assert "Paris" in "".join(str(chunk.content) for chunk in llm.stream(CAPITAL_Q))


def test_keys_are_required_and_accepted(server: Server) -> None:
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=f"{server.url}/v1", api_key="wrong").models.list()
    with server.http() as anonymous, server.http(**USER) as user, server.http(**ADMIN) as admin:
        assert anonymous.get("/v1/documents").status_code == 401
        assert user.get("/v1/documents").status_code == 200
        assert user.patch("/v1/config/thresholds", json={"n_samples": 3}).status_code == 401
        assert user.post("/v1/index/rebuild").status_code == 401
        assert admin.get("/v1/config/thresholds").status_code == 200
        assert anonymous.get("/healthz").status_code == 200


def test_bad_input_is_refused_cleanly(server: Server) -> None:
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key=API_KEY)
    with pytest.raises(openai.UnprocessableEntityError, match="limit of 500"):
        client.chat.completions.create(
            model="any", messages=[{"role": "user", "content": "why " * MAX_QUESTION_CHARS}]
        )
    with server.http(**ADMIN) as admin:
        escape = admin.post("/v1/documents", files={"files": ("../../escape.txt", b"x", "text/plain")})
        assert escape.status_code == 400 and "invalid file name" in escape.json()["error"]["message"]
        assert list(server.home.parent.rglob("escape.txt")) == []
        big = admin.post("/v1/ask", content=b"{" + b" " * 2_000_000 + b"}", headers=USER)
        assert big.status_code == 413


def test_a_second_rebuild_while_one_runs_is_409(server: Server) -> None:
    bulky = "\n\n".join(
        f"Filler paragraph {i} about the harbour, the weather and the tides." for i in range(800)
    )
    with server.http(**ADMIN) as admin:
        admin.post("/v1/documents", files={"files": ("bulky.txt", bulky.encode(), "text/plain")})
        first = admin.post("/v1/index/rebuild", json={"incremental": True})
        second = admin.post("/v1/index/rebuild")
        assert first.status_code == 202 and second.status_code == 409
        assert wait_for_job(admin, first.json()["job_id"])["state"] == "succeeded"
        assert admin.delete("/v1/documents/bulky.txt").status_code == 200


def answers_by_route(metrics: str) -> dict[str, float]:
    """The `assistant_answers_total` counters of a /metrics page, by route."""
    found = re.findall(r'^assistant_answers_total\{route="(\w+)"\} ([0-9.]+)$', metrics, flags=re.MULTILINE)
    return {route: float(count) for route, count in found}


def test_upload_rebuild_answer_with_citation_failed_rebuild_and_threshold_change(server: Server) -> None:
    with server.http(**ADMIN) as admin:
        before = answers_by_route(admin.get("/metrics").text)
        upload = admin.post(
            "/v1/documents", files={"files": ("quarry.md", QUARRY_DOC.encode(), "text/markdown")}
        )
        assert upload.status_code == 201
        good = wait_for_job(admin, admin.post("/v1/index/rebuild").json()["job_id"])
        assert good["state"] == "succeeded", good
        version = admin.get("/v1/index").json()["version"]
        # A rebuild with nothing readable fails; the index built before it keeps serving.
        for document in admin.get("/v1/documents").json()["documents"]:
            admin.delete(f"/v1/documents/{document['id']}")
        bad = wait_for_job(admin, admin.post("/v1/index/rebuild").json()["job_id"])
        assert bad["state"] == "failed" and bad["error"].startswith("EmptyCorpus")
        assert admin.get("/v1/index").json()["version"] == version
        answered = admin.post("/v1/ask", json={"question": QUARRY_Q}).json()
        assert answered["route"] == "retrieval", answered
        assert "1932" in answered["answer"]
        assert "quarry.md" in [c["source"] for c in answered["citations"]]
        try:
            patched = admin.patch("/v1/config/thresholds", json={"min_retrieval_score": 1.0})
            assert patched.status_code == 200
            abstained = admin.post("/v1/ask", json={"question": QUARRY_Q}).json()
            assert abstained["route"] == "abstain" and abstained["citations"] == []
        finally:
            admin.patch("/v1/config/thresholds", json={"profile": "balanced"})
        after = answers_by_route(admin.get("/metrics").text)
    # Counted by the route each answer took (other tests of this module's server asked before).
    assert after.get("retrieval", 0) - before.get("retrieval", 0) == 1
    assert after.get("abstain", 0) - before.get("abstain", 0) == 1


def test_cli_config_and_ask_share_the_servers_home(server: Server) -> None:
    set_result = subprocess.run(
        assistant_command("config", "set", "retrieval_top_k", "6"),
        env=server.env,
        capture_output=True,
        text=True,
    )
    assert set_result.returncode == 0, set_result.stderr
    with server.http(**USER) as user:
        assert user.get("/v1/config/thresholds").json()["thresholds"]["retrieval_top_k"] == 6
    asked = subprocess.run(
        assistant_command("ask", CAPITAL_Q, "--profile", "chatty"),
        env=server.env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert asked.returncode == 0, asked.stderr
    assert "Paris" in asked.stdout and "route: parametric" in asked.stdout
