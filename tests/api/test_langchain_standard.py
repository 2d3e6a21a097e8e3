"""LangChain's own standard chat-model suite, run through `ChatOpenAI` against a real `assistant serve`.

It guards the OpenAI compatibility of the chat endpoint (bodies, streaming with stage chunks, `usage`
and `stream_options.include_usage`) against every later change. The tiny SmolLM2 model answers: the
suite checks the protocol, not the quality of the answers. Tool calling and structured output are
declared unsupported: the assistant answers questions, it does not call tools.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_openai import ChatOpenAI
from langchain_tests.integration_tests import ChatModelIntegrationTests

from assistant.backends.model_files import tiny_model_file
from tests.support.assistant_server import Server, serving

pytestmark = pytest.mark.slow

API_KEY = "langchain-suite-key"
CHEAP_THRESHOLDS = {"n_samples": 1, "max_new_tokens": 24}
_SERVED: dict[str, Server] = {}


@pytest.fixture(scope="module", autouse=True)
def server(tmp_path_factory: pytest.TempPathFactory, model_cache_dir: Path) -> Iterator[Server]:
    """One server for the whole suite; its URL is what `chat_model_params` points ChatOpenAI at."""
    home = tmp_path_factory.mktemp("langchain-home")
    # One short sample per answer keeps the suite's runtime down: it checks the protocol, not the routes.
    (home / "runtime.json").write_text(json.dumps({"thresholds": CHEAP_THRESHOLDS}), encoding="utf-8")
    env = {"ASSISTANT_MODEL_PATH": str(tiny_model_file()), "ASSISTANT_API_KEY": API_KEY}
    with serving(home, cache_dir=model_cache_dir, env=env) as running:
        _SERVED["server"] = running
        yield running
        _SERVED.clear()


class TestChatOpenAIAgainstTheAssistant(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatOpenAI

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {
            "base_url": f"{_SERVED['server'].url}/v1",
            "api_key": API_KEY,
            "model": "served-model",
            "stream_usage": True,
            "timeout": 300,
            "max_retries": 0,
        }

    @property
    def has_tool_calling(self) -> bool:
        return False

    @property
    def has_structured_output(self) -> bool:
        return False

    @property
    def supports_json_mode(self) -> bool:
        return False

    @property
    def returns_usage_metadata(self) -> bool:
        return True
