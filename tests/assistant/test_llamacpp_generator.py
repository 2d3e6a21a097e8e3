"""LlamaCppGenerator on the real GGUF models: the Generator contract, batching, errors, threads."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.backends.llamacpp_generator import LlamaCppGenerator
from assistant.backends.model_files import embedded_model_file, tiny_model_file
from assistant.errors import GenerationError, ModelLoadError
from assistant.protocols import ChatMessage, Generator
from tests.support.generator_contract import (
    QUESTION,
    GeneratorContract,
    ModelTimeContract,
    assert_same_answer,
)


@pytest.fixture(scope="module")
def tiny_llamacpp_generator() -> Iterator[LlamaCppGenerator]:
    # One thread: llama.cpp's spinning thread pool slows down several-fold on a shared, busy machine.
    generator = LlamaCppGenerator(tiny_model_file(), threads=1, seed=1)
    yield generator
    generator.close()


@pytest.mark.slow
class TestLlamaCppContract(GeneratorContract, ModelTimeContract):
    @pytest.fixture
    def generator(self, tiny_llamacpp_generator: LlamaCppGenerator) -> Generator:
        return tiny_llamacpp_generator


@pytest.mark.slow
def test_the_greedy_row_is_the_same_with_or_without_samples_in_the_batch(
    tiny_llamacpp_generator: LlamaCppGenerator,
) -> None:
    alone = tiny_llamacpp_generator.generate(QUESTION, max_new_tokens=24).greedy
    batched = tiny_llamacpp_generator.generate(QUESTION, n_samples=6, temperature=1.0, max_new_tokens=24)
    assert_same_answer(batched.greedy, alone)
    assert len(batched.samples) == 6


@pytest.mark.slow
def test_the_greedy_tokens_log_probabilities_match_the_transformers_backend(
    tiny_llamacpp_generator: LlamaCppGenerator, tiny_generator: Generator
) -> None:
    """Same weights (the transformers copy is converted from this GGUF), so the same greedy answer and
    nearly the same log-probabilities: a wrong logits row or an off-by-one token would differ widely."""
    llama = tiny_llamacpp_generator.generate(QUESTION, n_samples=2, max_new_tokens=16).greedy
    torch = tiny_generator.generate(QUESTION, max_new_tokens=16).greedy
    assert llama.text == torch.text
    assert len(llama.logprobs) == llama.tokens > 0
    # transformers also counts the end-of-sequence token it generated; llama.cpp does not.
    shared = torch.logprobs[: llama.tokens]
    assert max(abs(a - b) for a, b in zip(llama.logprobs, shared, strict=True)) < 0.3
    assert min(llama.logprobs) < -1e-4  # not all certain: real probabilities, not a constant


@pytest.mark.slow
def test_concurrent_calls_are_serialised_and_give_the_sequential_answers(
    tiny_llamacpp_generator: LlamaCppGenerator,
) -> None:
    questions = [[ChatMessage("user", f"What is {n} plus {n}?")] for n in range(1, 5)]
    sequential = [tiny_llamacpp_generator.generate(q, max_new_tokens=12).greedy for q in questions]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(
            pool.map(lambda q: tiny_llamacpp_generator.generate(q, n_samples=2, max_new_tokens=12), questions)
        )
    assert [generation.greedy for generation in concurrent] == sequential
    assert all(len(generation.samples) == 2 for generation in concurrent)


@pytest.mark.slow
def test_threads_zero_means_every_available_core() -> None:
    generator = LlamaCppGenerator(tiny_model_file(), threads=0, context_tokens=256)
    try:
        assert generator.threads == len(os.sched_getaffinity(0))
    finally:
        generator.close()


@pytest.mark.slow
def test_a_prompt_longer_than_the_context_is_a_generation_error() -> None:
    small = LlamaCppGenerator(tiny_model_file(), threads=1, context_tokens=256)
    try:
        with pytest.raises(
            GenerationError, match=r"prompt of [0-9]+ tokens .* exceeds the context of 256 tokens"
        ):
            small.generate([ChatMessage("user", "word " * 400)], max_new_tokens=8)
        assert small.generate(QUESTION, max_new_tokens=8).greedy.text  # still usable afterwards
    finally:
        small.close()


@pytest.mark.slow
def test_more_samples_than_sequences_is_a_generation_error(
    tiny_llamacpp_generator: LlamaCppGenerator,
) -> None:
    with pytest.raises(GenerationError, match="at most 15 samples"):
        tiny_llamacpp_generator.generate(QUESTION, n_samples=16, max_new_tokens=4)


@pytest.mark.slow
def test_a_closed_generator_refuses_to_generate() -> None:
    generator = LlamaCppGenerator(tiny_model_file(), threads=1, context_tokens=256)
    generator.close()
    with pytest.raises(GenerationError, match="closed"):
        generator.generate(QUESTION, max_new_tokens=4)


def test_a_missing_model_file_is_a_model_load_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="not found"):
        LlamaCppGenerator(tmp_path / "absent.gguf")


def test_a_file_that_is_not_gguf_is_a_model_load_error(tmp_path: Path) -> None:
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"not a gguf file at all" * 100)
    with pytest.raises(ModelLoadError, match="could not load"):
        LlamaCppGenerator(fake)


@pytest.mark.slow
def test_the_default_qwen_model_answers_and_samples_agree_on_an_easy_question(model_cache_dir: Path) -> None:
    generator = LlamaCppGenerator(embedded_model_file(model_cache_dir), threads=1, seed=3)
    try:
        assert generator.model_id == "llamacpp:qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
        result = generator.generate(
            [ChatMessage("user", "What is the capital of France? Answer in a few words.")],
            n_samples=5,
            temperature=0.7,
            max_new_tokens=32,
        )
    finally:
        generator.close()
    assert "Paris" in result.greedy.text
    assert len(result.samples) == 5
    assert sum("Paris" in sample.text for sample in result.samples) >= 3
