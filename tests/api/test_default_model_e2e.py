"""End to end: `assistant serve --prepare` with the default `ASSISTANT_MODEL=auto`, as `make run` starts it.

On a CPU with AMX (where `make install` has put the 1.5B) that is the 1.5B through llama-server; the
other tests pin the 0.5B (tests/conftest.py). The questions are the README's: a fact from the sample
corpus in English and in Chinese, a known fact and a made-up person.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.backends.cpu_flags import has_amx_int8
from assistant.backends.model_files import large_model_installed
from assistant.thresholds import PROFILES
from tests.support.assistant_server import Server, serving

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, model_cache_dir: Path) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("default-model-home")
    with serving(home, cache_dir=model_cache_dir, env={"ASSISTANT_MODEL": "auto"}) as running:
        yield running


def test_auto_serves_the_1_5b_where_the_cpu_has_amx(server: Server) -> None:
    with server.http() as http:
        served = http.get("/v1/models").json()["data"][0]["id"]
    expected = "1.5b" if has_amx_int8() and large_model_installed() else "0.5b"
    assert served.startswith("llama-server:qwen2.5-coder-") and expected in served, served


def test_the_default_model_takes_the_three_routes_of_the_readme(server: Server) -> None:
    with server.http() as http:
        known = http.post("/v1/ask", json={"question": "What is the capital of France?"}).json()
        english = http.post("/v1/ask", json={"question": "In what year was Lumora Robotics founded?"}).json()
        chinese = http.post("/v1/ask", json={"question": "青岚茶业的创始人是谁？"}).json()
        made_up = http.post(
            "/v1/ask", json={"question": "Who is the eldest daughter of Bartholomew Quenby?"}
        ).json()
    assert known["route"] == "parametric" and "Paris" in known["answer"], known
    assert english["route"] == "retrieval" and "2011" in english["answer"], english
    assert english["citations"][0]["source"] == "lumora-robotics.md"
    assert chinese["route"] == "retrieval" and "林雾秋" in chinese["answer"], chinese
    assert chinese["citations"][0]["source"] == "qinglan-tea.md"
    level = PROFILES["balanced"].min_confidence_grounded
    assert level <= english["confidence"] <= 1.0 and level <= chinese["confidence"] <= 1.0
    assert made_up["route"] == "abstain" and made_up["citations"] == [], made_up
