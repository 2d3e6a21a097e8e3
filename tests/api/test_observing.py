"""The api layer's watchers of one answer: token usage summed over generate calls, passage positions."""

from __future__ import annotations

from dataclasses import dataclass

from api.observing import CountingGenerator, RecordingRetriever, Usage
from assistant.backends.scripted import ScriptedGenerator
from assistant.fakes import StaticPassage, StaticRetriever
from assistant.protocols import ChatMessage

QUESTION = [ChatMessage("user", "Who wrote Pride and Prejudice?")]


@dataclass(frozen=True)
class _Where:
    start: int
    end: int

    def __str__(self) -> str:
        return f"chars {self.start}-{self.end}"


@dataclass(frozen=True)
class PlacedPassage:
    text: str
    source: str
    chunk_id: str
    score: float
    position: _Where


def test_usage_sums_prompt_answer_and_sample_tokens_of_every_call() -> None:
    generator = CountingGenerator(ScriptedGenerator(queue=[["Jane Austen.", "Austen."], ["I don't know."]]))
    assert generator.usage == Usage()
    generator.generate(QUESTION, n_samples=3)
    generator.generate(QUESTION, n_samples=0)
    usage = generator.usage
    # Prompts: 5 words each; answers: 2 + 3 words; samples: 3 of 1 word.
    assert (usage.prompt_tokens, usage.answer_tokens, usage.sample_tokens) == (10, 5, 3)
    assert usage.generate_calls == 2 and usage.total_tokens == 18
    openai_usage = usage.openai()
    assert openai_usage["completion_tokens"] == 8 and openai_usage["total_tokens"] == 18
    assert openai_usage["completion_tokens_details"]["sample_tokens"] == 3


def test_a_greedy_answer_handed_back_for_its_samples_is_counted_once() -> None:
    generator = CountingGenerator(ScriptedGenerator(queue=[["Jane Austen."], ["Jane Austen.", "Austen."]]))
    first = generator.generate(QUESTION, n_samples=0)
    generator.generate(QUESTION, n_samples=2, known_greedy=first.greedy)
    usage = generator.usage
    assert (usage.answer_tokens, usage.sample_tokens, usage.generate_calls) == (2, 2, 2)


def test_positions_are_kept_for_passages_that_carry_one() -> None:
    placed = PlacedPassage("Acme was founded in 1987.", "acme.md", "acme#0", 0.9, _Where(0, 25))
    retriever = RecordingRetriever(StaticRetriever([placed, StaticPassage("No position here.")]))
    assert len(retriever.retrieve("acme", k=2)) == 2
    assert retriever.positions() == {"acme#0": "chars 0-25"}
