"""API and admin keys, body-size limits, and the loopback rule for servers without a key."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from api.security import check_bind_address, is_loopback
from api.settings import Settings
from assistant.backends.scripted import ScriptedGenerator
from tests.support.fake_index import ClientFactory, FakeIndex

API = {"Authorization": "Bearer user-key"}
ADMIN = {"Authorization": "Bearer admin-key"}


@pytest.fixture
def keyed(make_client: ClientFactory, built_index: FakeIndex) -> ClientFactory:
    def factory() -> object:
        return make_client(
            ScriptedGenerator(by_prompt={"Pride": ["Jane Austen."]}),
            built_index,
            api_key=SecretStr("user-key"),
            admin_key=SecretStr("admin-key"),
        )

    return factory


def test_every_v1_route_needs_the_api_key(keyed: ClientFactory) -> None:
    client = keyed()
    for method, path in [("GET", "/v1/models"), ("GET", "/v1/documents"), ("GET", "/v1/config/thresholds")]:
        assert client.request(method, path).status_code == 401, path
        assert client.request(method, path, headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.request(method, path, headers=API).status_code == 200
    refused = client.post("/v1/ask", json={"question": "Who wrote Pride?"})
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert client.post("/v1/ask", json={"question": "Who wrote Pride?"}, headers=API).status_code == 200
    assert client.get("/healthz").status_code == 200 and client.get("/readyz").status_code == 200


def test_writes_need_the_admin_key(keyed: ClientFactory, settings: Settings) -> None:
    client = keyed()
    upload = {"files": ("a.txt", b"text", "text/plain")}
    assert client.post("/v1/documents", files=upload, headers=API).status_code == 401
    assert client.patch("/v1/config/thresholds", json={"n_samples": 2}, headers=API).status_code == 401
    assert client.post("/v1/index/rebuild", headers=API).status_code == 401
    assert client.delete("/v1/documents/acme.md", headers=API).status_code == 401
    assert not (settings.documents_dir / "a.txt").exists()
    assert client.post("/v1/documents", files=upload, headers=ADMIN).status_code == 201
    assert client.patch("/v1/config/thresholds", json={"n_samples": 2}, headers=ADMIN).status_code == 200
    assert client.get("/v1/models", headers=ADMIN).status_code == 200


def test_bodies_over_the_limit_are_413_declared_or_streamed(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    client = make_client(ScriptedGenerator(), built_index, max_body_bytes=200)
    big = '{"question": "' + "x" * 300 + '"}'
    declared = client.post("/v1/ask", content=big, headers={"content-type": "application/json"})
    assert declared.status_code == 413 and "200" in declared.json()["error"]["message"]

    def chunks() -> object:
        yield big[:150].encode()
        yield big[150:].encode()

    streamed = client.post("/v1/ask", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413


def test_without_an_api_key_only_loopback_addresses_are_allowed(settings: Settings) -> None:
    assert all(is_loopback(h) for h in ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
    assert not any(is_loopback(h) for h in ["0.0.0.0", "192.168.1.4", "example.com", "::"])
    assert check_bind_address(settings, "127.0.0.1") is None
    assert "ASSISTANT_API_KEY" in (check_bind_address(settings, "0.0.0.0") or "")
    keyed = settings.model_copy(update={"api_key": SecretStr("k")})
    assert check_bind_address(keyed, "0.0.0.0") is None
