"""Thresholds at run time: the routes and the store they share with `assistant config`."""

from __future__ import annotations

import json

import pytest

from api.runtime_config import ThresholdStore
from api.settings import Settings
from assistant.backends.scripted import ScriptedGenerator
from assistant.errors import ThresholdError
from assistant.thresholds import PROFILES
from tests.support.fake_index import ClientFactory, FakeIndex

PRIDE_Q = "Who wrote Pride and Prejudice?"


def test_patch_validates_persists_and_applies_to_the_next_request(
    make_client: ClientFactory, built_index: FakeIndex, settings: Settings
) -> None:
    generator = ScriptedGenerator(by_prompt={"Pride": ["Jane Austen."]})
    client = make_client(generator, built_index)
    assert client.get("/v1/config/thresholds").json()["thresholds"] == PROFILES["balanced"].model_dump()
    patched = client.patch("/v1/config/thresholds", json={"n_samples": 3, "agreement_threshold": 0.9})
    assert patched.status_code == 200 and patched.json()["thresholds"]["n_samples"] == 3
    stored = json.loads(settings.runtime_config_path.read_text(encoding="utf-8"))["thresholds"]
    assert (stored["n_samples"], stored["agreement_threshold"]) == (3, 0.9)
    client.post("/v1/ask", json={"question": PRIDE_Q})
    assert generator.calls[-1].n_samples == 3
    assert client.get("/v1/config/thresholds").json()["thresholds"]["agreement_threshold"] == 0.9


def test_patch_out_of_range_is_422_with_the_field_and_range_and_changes_nothing(
    make_client: ClientFactory, built_index: FakeIndex, settings: Settings
) -> None:
    client = make_client(ScriptedGenerator(), built_index)
    response = client.patch("/v1/config/thresholds", json={"agreement_threshold": 1.5})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "agreement_threshold" and "0-1" in error["message"]
    assert client.patch("/v1/config/thresholds", json={"no_such_knob": 1}).status_code == 422
    assert not settings.runtime_config_path.exists()
    assert client.get("/v1/config/thresholds").json()["thresholds"] == PROFILES["balanced"].model_dump()


def test_patch_profile_resets_to_that_profile_then_applies_the_rest(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    client = make_client(ScriptedGenerator(), built_index)
    body = client.patch("/v1/config/thresholds", json={"profile": "strict", "n_samples": 9}).json()
    assert body["thresholds"] == {**PROFILES["strict"].model_dump(), "n_samples": 9}


def test_profiles_are_listed(make_client: ClientFactory, built_index: FakeIndex) -> None:
    profiles = make_client(ScriptedGenerator(), built_index).get("/v1/config/profiles").json()["profiles"]
    assert set(profiles) == set(PROFILES)
    assert profiles["chatty"] == PROFILES["chatty"].model_dump()


def test_store_sees_changes_written_by_another_process(settings: Settings) -> None:
    server_side = ThresholdStore(settings.runtime_config_path, default_profile="balanced")
    cli_side = ThresholdStore(settings.runtime_config_path, default_profile="balanced")
    cli_side.update({"retrieval_top_k": "7"})
    assert server_side.current().retrieval_top_k == 7
    assert (
        ThresholdStore(settings.runtime_config_path, default_profile="chatty").current().retrieval_top_k == 7
    )


def test_store_refuses_a_corrupt_file_at_start_and_keeps_good_values_later(settings: Settings) -> None:
    store = ThresholdStore(settings.runtime_config_path, default_profile="balanced")
    store.update({"n_samples": 4})
    settings.runtime_config_path.write_text("{not json", encoding="utf-8")
    assert store.current().n_samples == 4
    with pytest.raises(ThresholdError, match=r"runtime\.json"):
        ThresholdStore(settings.runtime_config_path, default_profile="balanced")
