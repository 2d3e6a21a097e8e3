"""Every route against no key, the API key and the admin key; admin-only routes refuse the API key; no CORS.

The table must list every operation of the OpenAPI schema, so a new route fails here until it is placed.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.backends.scripted import ScriptedGenerator
from tests.support.fake_index import ClientFactory, FakeIndex

API = {"Authorization": "Bearer user-key"}
ADMIN = {"Authorization": "Bearer admin-key"}
ASK = {"question": "Who wrote Pride?"}
CHAT = {"messages": [{"role": "user", "content": "Who wrote Pride?"}]}

# (method, path as in the schema, concrete path, request keywords, who may call it)
Operation = tuple[str, str, str, dict[str, Any], str]
OPERATIONS: list[Operation] = [
    ("GET", "/healthz", "/healthz", {}, "anyone"),
    ("GET", "/readyz", "/readyz", {}, "anyone"),
    ("GET", "/metrics", "/metrics", {}, "anyone"),
    ("GET", "/v1/models", "/v1/models", {}, "user"),
    ("POST", "/v1/chat/completions", "/v1/chat/completions", {"json": CHAT}, "user"),
    ("POST", "/v1/ask", "/v1/ask", {"json": ASK}, "user"),
    ("GET", "/v1/documents", "/v1/documents", {}, "user"),
    ("POST", "/v1/documents", "/v1/documents", {"files": {"files": ("n.txt", b"Notes.")}}, "admin"),
    ("DELETE", "/v1/documents/{document_id}", "/v1/documents/acme.md", {}, "admin"),
    ("GET", "/v1/index", "/v1/index", {}, "user"),
    ("POST", "/v1/index/rebuild", "/v1/index/rebuild", {}, "admin"),
    ("GET", "/v1/index/jobs/{job_id}", "/v1/index/jobs/none", {}, "user"),
    ("GET", "/v1/config/thresholds", "/v1/config/thresholds", {}, "user"),
    ("PATCH", "/v1/config/thresholds", "/v1/config/thresholds", {"json": {"n_samples": 3}}, "admin"),
    ("GET", "/v1/config/profiles", "/v1/config/profiles", {}, "user"),
]
ALLOWED = {"anyone": {"none", "user", "admin"}, "user": {"user", "admin"}, "admin": {"admin"}}
KEYS: dict[str, dict[str, str]] = {"none": {}, "user": API, "admin": ADMIN}


@pytest.fixture
def client(make_client: ClientFactory, built_index: FakeIndex) -> TestClient:
    return make_client(
        ScriptedGenerator(by_prompt={"Pride": ["Jane Austen."]}),
        built_index,
        api_key=SecretStr("user-key"),
        admin_key=SecretStr("admin-key"),
    )


def test_the_table_lists_every_operation_of_the_schema(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["paths"]
    declared = {(method.upper(), path) for path, item in schema.items() for method in item}
    assert declared == {(method, path) for method, path, *_ in OPERATIONS}


@pytest.mark.parametrize("key", ["none", "user", "admin"])
@pytest.mark.parametrize("operation", OPERATIONS, ids=[f"{o[0]} {o[1]}" for o in OPERATIONS])
def test_each_route_with_each_key(client: TestClient, operation: Operation, key: str) -> None:
    method, _, path, keywords, who = operation
    response = client.request(method, path, headers=KEYS[key], **keywords)
    if key in ALLOWED[who]:
        assert response.status_code not in {401, 403}, response.text
        assert response.status_code < 500, response.text
    else:
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"] == "Bearer"
        assert "Authorization: Bearer" in response.json()["error"]["message"]


def test_a_wrong_key_is_refused_even_where_the_api_key_is_enough(client: TestClient) -> None:
    for headers in (
        {"Authorization": "Bearer wrong"},
        {"Authorization": "user-key"},
        {"X-Api-Key": "user-key"},
    ):
        assert client.post("/v1/ask", json=ASK, headers=headers).status_code == 401


@pytest.mark.parametrize("path", ["/v1/ask", "/v1/models", "/healthz"])
def test_no_cross_origin_access_is_granted(client: TestClient, path: str) -> None:
    preflight = client.options(
        path,
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    simple = client.get(path, headers={"Origin": "https://evil.example", **API})
    for response in (preflight, simple):
        assert "access-control-allow-origin" not in response.headers
        assert "access-control-allow-credentials" not in response.headers
    assert preflight.status_code in {401, 405}
