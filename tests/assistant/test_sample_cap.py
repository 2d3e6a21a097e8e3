"""The sample-length cap of the local backends: once the greedy row ends, samples get a few tokens more."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.backends._completion_rows import CompletionRow, sample_token_cap
from assistant.backends.llamacpp_generator import LlamaCppGenerator
from assistant.backends.model_files import tiny_model_file
from assistant.protocols import ChatMessage, Generator

# A short answer for the greedy row; at a high temperature the tiny model's samples ramble on.
SHORT_QUESTION = [ChatMessage("user", "What is the capital of France? Answer in a few words.")]
BUDGET = 48


def test_capping_a_row_that_already_has_the_budget_stops_it() -> None:
    row = CompletionRow(max_new_tokens=10)
    for _ in range(5):
        row.add(b" word", end_of_sequence=False)
    row.cap(5)
    assert row.done and row.tokens == 5


def test_a_capped_row_stops_at_its_new_budget() -> None:
    row = CompletionRow(max_new_tokens=10)
    row.add(b"one", end_of_sequence=False)
    row.cap(3)
    assert not row.done
    row.add(b" two", end_of_sequence=False)
    row.add(b" three", end_of_sequence=False)
    assert row.done and row.text() == "one two three"


def test_the_cap_never_raises_the_budget() -> None:
    row = CompletionRow(max_new_tokens=2)
    row.cap(50)
    row.add(b"a", end_of_sequence=False)
    row.add(b"b", end_of_sequence=False)
    assert row.done and row.tokens == 2


def _assert_samples_capped(generator: Generator) -> None:
    result = generator.generate(SHORT_QUESTION, n_samples=6, temperature=1.6, max_new_tokens=BUDGET)
    assert result.greedy.tokens < BUDGET
    cap = sample_token_cap(result.greedy.tokens)
    assert cap < BUDGET  # otherwise this prompt does not exercise the cap
    lengths = [sample.tokens for sample in result.samples]
    assert len(lengths) == 6 and all(1 <= n <= cap for n in lengths), (result.greedy, lengths)
    # At this temperature some sample runs past the greedy answer's length and is cut at the cap.
    assert max(lengths) == cap, (result.greedy, lengths)


@pytest.fixture(scope="module")
def tiny_llamacpp() -> Iterator[LlamaCppGenerator]:
    generator = LlamaCppGenerator(tiny_model_file(), threads=1, seed=3)
    yield generator
    generator.close()


@pytest.mark.slow
def test_llamacpp_samples_stop_near_the_greedy_length(tiny_llamacpp: LlamaCppGenerator) -> None:
    _assert_samples_capped(tiny_llamacpp)


@pytest.mark.slow
def test_transformers_samples_stop_near_the_greedy_length(tiny_generator: Generator) -> None:
    import torch

    torch.manual_seed(3)
    _assert_samples_capped(tiny_generator)
