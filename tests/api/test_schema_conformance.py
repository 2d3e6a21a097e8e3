"""Schemathesis, every check, against the app's own /openapi.json on a real loopback server over fakes.

Fixed seed (derandomized), a bounded number of examples per operation: it runs in `make test`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
import uvicorn
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.app import create_app
from api.components import Components
from api.settings import Settings
from assistant.backends.scripted import ScriptedGenerator
from tests.support.fake_index import FakeIndex, write_docs

EXAMPLES_PER_OPERATION = 25
STATEFUL_SEQUENCES = 20
# Rules JSON Schema cannot state, so a schema-valid body may still be refused with 400/422 here:
SEMANTIC_RULES = {
    "POST /v1/chat/completions": "the last user message must have text",
    "POST /v1/documents": "each part needs a plain file name of a supported type",
}
# The schema only: building the app reads no file and starts nothing until it is served.
schema = schemathesis.openapi.from_dict(create_app(Settings(home=Path("unused"))).openapi())


def _app(home: Path) -> object:
    settings = Settings(home=home, cache_dir=home / "cache", api_key=None, admin_key=None)
    write_docs(settings, {"acme.md": "Acme Widgets was founded in 1987 in Tulsa."})
    index = FakeIndex()
    index.build(source=settings.documents_dir, incremental=False, progress=lambda s, d, t: None)
    # "" is in every prompt: whatever schemathesis asks gets an answer, so no 502 is expected.
    generator = ScriptedGenerator(by_prompt={"": ["I don't know."]})
    return create_app(settings, components=Components(generator=generator, index=index))


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    config = uvicorn.Config(_app(tmp_path_factory.mktemp("st")), host="127.0.0.1", port=0, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_every_operation_conforms_to_the_schema(case: schemathesis.Case, base_url: str) -> None:
    case.call_and_validate(base_url=base_url, excluded_checks=_excluded(case))


def _excluded(case: schemathesis.Case) -> list[Any]:
    return [positive_data_acceptance] if case.operation.label in SEMANTIC_RULES else []


def test_stateful_sequences_conform_to_the_schema(base_url: str) -> None:
    """Operations chained through the links schemathesis finds (upload -> rebuild -> job -> ask...)."""

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, str]:
            return {"base_url": base_url}

        def validate_response(
            self, response: Any, case: schemathesis.Case, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            case.validate_response(
                response,
                additional_checks=additional_checks,
                excluded_checks=_excluded(case),
                transport_kwargs=kwargs,
            )

        def after_call(self, response: Any, case: schemathesis.Case) -> None:
            # Hypothesis needs each step's outcome to depend on the steps before it only, not on
            # timing: a rebuild still running would turn the next one into 409 on a loaded machine
            # (seen as FlakyStrategyDefinition), so each rebuild is waited for.
            if case.operation.label == "POST /v1/index/rebuild" and response.status_code == 202:
                _wait_for_job(base_url, response.json()["job_id"])

    Workflow.run(
        settings=hypothesis.settings(
            max_examples=STATEFUL_SEQUENCES,
            stateful_step_count=6,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )


def _wait_for_job(base_url: str, job_id: str) -> None:
    deadline = time.monotonic() + 30
    while httpx.get(f"{base_url}/v1/index/jobs/{job_id}", timeout=10).json().get("state") == "running":
        assert time.monotonic() < deadline, f"index job {job_id} still running after 30 s"
        time.sleep(0.01)
