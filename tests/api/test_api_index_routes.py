"""Rebuilds over HTTP: 202 and a job, hot swap on success, 409 while one runs, old index kept on failure."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from api.jobs import KEPT_JOBS, BuildJobs
from api.settings import Settings
from assistant.backends.scripted import ScriptedGenerator
from tests.support.fake_index import ClientFactory, FakeIndex, write_docs

ZED_Q = "Where is Zed Quarry?"
ACME_Q = "When was Acme Widgets founded?"


def scripted() -> ScriptedGenerator:
    return ScriptedGenerator(
        by_prompt={
            "in Oslo.": ["Zed Quarry is in Oslo [2]."],
            "[1] Acme": ["Acme Widgets was founded in 1987 [1]."],
            ZED_Q: ["I don't know."],
            ACME_Q: ["I don't know."],
        }
    )


def wait_for(client: TestClient, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/v1/index/jobs/{job_id}").json()
        if job["state"] != "running":
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} still running")


def test_rebuild_switches_the_new_index_in_without_restart(
    make_client: ClientFactory, built_index: FakeIndex, settings: Settings
) -> None:
    client = make_client(scripted(), built_index)
    before = client.post("/v1/ask", json={"question": ZED_Q}).json()
    assert before["route"] == "abstain" and before["citations"] == []  # only Acme is indexed yet
    write_docs(settings, {"zed.md": "Zed Quarry is in Oslo."})
    started = client.post("/v1/index/rebuild", json={"incremental": True})
    assert started.status_code == 202
    job = wait_for(client, started.json()["job_id"])
    assert job["state"] == "succeeded" and job["incremental"] is True and job["error"] is None
    assert job["progress"] == {"stage": "reading", "done": 2, "total": 2}
    answer = client.post("/v1/ask", json={"question": ZED_Q}).json()
    assert answer["route"] == "retrieval" and [c["source"] for c in answer["citations"]] == ["zed.md"]
    assert client.get("/v1/index").json() == {"documents": 2, "version": 2}


def test_second_rebuild_while_one_runs_is_409(make_client: ClientFactory, built_index: FakeIndex) -> None:
    client = make_client(scripted(), built_index)
    built_index.gate.clear()
    first = client.post("/v1/index/rebuild")
    second = client.post("/v1/index/rebuild", json={})
    assert first.status_code == 202
    assert second.status_code == 409 and first.json()["job_id"] in second.json()["error"]["message"]
    built_index.gate.set()
    assert wait_for(client, first.json()["job_id"])["state"] == "succeeded"
    assert client.post("/v1/index/rebuild").status_code == 202


def test_failed_rebuild_reports_the_error_and_keeps_the_old_index(
    make_client: ClientFactory, built_index: FakeIndex, settings: Settings
) -> None:
    client = make_client(scripted(), built_index)
    (settings.documents_dir / "acme.md").unlink()
    job = wait_for(client, client.post("/v1/index/rebuild").json()["job_id"])
    assert job["state"] == "failed" and job["error"].startswith("EmptyCorpus")
    answer = client.post("/v1/ask", json={"question": ACME_Q}).json()
    assert [c["source"] for c in answer["citations"]] == ["acme.md"]
    assert client.get("/v1/readyz").status_code == 404
    assert client.get("/readyz").status_code == 200


def test_unknown_job_is_404(make_client: ClientFactory, built_index: FakeIndex) -> None:
    response = make_client(scripted(), built_index).get("/v1/index/jobs/nope")
    assert response.status_code == 404 and response.json()["error"]["type"] == "job_not_found"


def test_without_an_index_questions_abstain_with_a_notice_until_a_rebuild(
    make_client: ClientFactory, settings: Settings
) -> None:
    client = make_client(scripted(), FakeIndex())
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["index"] == "none"
    unindexed = client.post("/v1/ask", json={"question": ZED_Q})
    assert unindexed.status_code == 200 and unindexed.json()["route"] == "abstain"
    assert "no documents are indexed" in unindexed.json()["notice"]
    assert client.get("/v1/index").status_code == 503
    write_docs(settings, {"zed.md": "Zed Quarry is in Oslo."})
    assert wait_for(client, client.post("/v1/index/rebuild").json()["job_id"])["state"] == "succeeded"
    assert client.get("/readyz").json()["index"] == "ready"
    answered = client.post("/v1/ask", json={"question": ZED_Q}).json()
    assert answered["route"] == "retrieval" and "notice" not in answered


def test_only_the_latest_jobs_are_kept(built_index: FakeIndex, settings: Settings) -> None:
    swapped: list[object] = []
    jobs = BuildJobs(index=lambda: built_index, source=settings.documents_dir, on_success=swapped.append)
    ids = []
    for _ in range(KEPT_JOBS + 2):
        ids.append(jobs.start(incremental=False).id)
        deadline = time.monotonic() + 10
        while (
            (job := jobs.get(ids[-1])) is not None and job.state == "running" and time.monotonic() < deadline
        ):
            time.sleep(0.001)
    assert len(swapped) == KEPT_JOBS + 2
    assert jobs.get(ids[0]) is None and jobs.get(ids[1]) is None
    assert all(jobs.get(i) is not None for i in ids[2:])
