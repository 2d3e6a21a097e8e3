"""The scripted fake passes the protocol half of the Generator contract, like every real backend."""

from __future__ import annotations

import pytest

from assistant.backends.scripted import ScriptedGenerator
from assistant.errors import GenerationError
from assistant.protocols import ChatMessage, Generator
from tests.support.generator_contract import SCRIPT, GeneratorProtocolContract


class TestScriptedGeneratorContract(GeneratorProtocolContract):
    @pytest.fixture
    def generator(self) -> Generator:
        return ScriptedGenerator(by_prompt=SCRIPT)


def test_a_prompt_without_a_script_is_a_generation_error() -> None:
    with pytest.raises(GenerationError, match="no reply"):
        ScriptedGenerator(by_prompt=SCRIPT).generate([ChatMessage("user", "Unscripted?")])


def test_queued_replies_are_used_in_order_and_recorded() -> None:
    generator = ScriptedGenerator(queue=[["first"], ["second", "s1", "s2"]])
    assert generator.generate([ChatMessage("user", "a")]).greedy.text == "first"
    result = generator.generate([ChatMessage("user", "b")], n_samples=3)
    assert result.greedy.text == "second"
    assert [s.text for s in result.samples] == ["s1", "s2", "s1"]
    assert [call.n_samples for call in generator.calls] == [0, 3]
