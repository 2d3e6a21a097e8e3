"""The transformers Generator: the shared contract on real models, the batched greedy row, loading, errors."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from assistant.backends._answer_text import cut_at_line_break, ends_answer
from assistant.backends._hf_loading import resolved_dtype
from assistant.backends.transformers_generator import TransformersGenerator
from assistant.errors import ModelLoadError
from assistant.protocols import ChatMessage, Generator
from tests.conftest import DEFAULT_TEST_DTYPE
from tests.support.generator_contract import GeneratorContract, ModelTimeContract, assert_same_answer

PROMPTS = [
    [ChatMessage("user", "What is the capital of Japan?")],
    [ChatMessage("user", "Who painted the Mona Lisa?")],
    [ChatMessage("system", "Answer briefly."), ChatMessage("user", "What is the largest planet?")],
]
# bfloat16 logits near 20 lie 0.125 apart, so computing a row in a padded batch moves its
# log-probabilities by up to about that (seen: 0.015 on an AVX512-BF16 CPU); float32 only by rounding.
LOGPROB_TOLERANCE = {"float32": 1e-4, "bfloat16": 0.15}


@pytest.mark.slow
class TestTinyModelContract(GeneratorContract, ModelTimeContract):
    @pytest.fixture
    def generator(self, tiny_generator: Generator) -> Generator:
        return tiny_generator


@dataclass(frozen=True)
class PlainTransformers:
    """The tiny model loaded with transformers alone, for unbatched reference answers."""

    model: Any
    tokenizer: Any

    def greedy(self, messages: list[ChatMessage], *, max_new_tokens: int) -> str:
        chat = [{"role": m.role, "content": m.content} for m in messages]
        encoded = self.tokenizer.apply_chat_template(
            chat, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        with torch.inference_mode():
            output = self.model.generate(**encoded, do_sample=False, max_new_tokens=max_new_tokens)
        new_tokens = output[0, encoded["input_ids"].shape[1] :]
        return cut_at_line_break(self.tokenizer.decode(new_tokens, skip_special_tokens=True))


@pytest.fixture(scope="module")
def plain_tiny(tiny_generator: TransformersGenerator) -> PlainTransformers:
    directory = tiny_generator.model_dir
    return PlainTransformers(
        model=AutoModelForCausalLM.from_pretrained(directory, dtype=torch.float32),
        tokenizer=AutoTokenizer.from_pretrained(directory),
    )


@pytest.fixture(scope="module")
def float32_tiny(tiny_generator: TransformersGenerator) -> TransformersGenerator:
    """The tiny model in float32, as the reference runs: with `auto` an AVX512-BF16/AMX CPU computes in
    bfloat16, whose rounding alone turned a 24-token greedy answer elsewhere (session 17)."""
    return TransformersGenerator.load(
        model_path=tiny_generator.model_dir, cache_dir=tiny_generator.model_dir, dtype="float32", threads=1
    )


@pytest.mark.slow
@pytest.mark.parametrize("messages", PROMPTS)
def test_tiny_greedy_row_matches_plain_greedy_generate(
    float32_tiny: TransformersGenerator, plain_tiny: PlainTransformers, messages: list[ChatMessage]
) -> None:
    batched = float32_tiny.generate(messages, n_samples=4, temperature=1.0, max_new_tokens=24)
    assert batched.greedy.text == plain_tiny.greedy(messages, max_new_tokens=24)


@pytest.mark.slow
@pytest.mark.parametrize("messages", PROMPTS)
def test_default_greedy_does_not_depend_on_sampling(
    default_generator: TransformersGenerator, messages: list[ChatMessage]
) -> None:
    alone = default_generator.generate(messages, max_new_tokens=24)
    batched = default_generator.generate(messages, n_samples=5, temperature=1.0, max_new_tokens=24)
    tolerance = LOGPROB_TOLERANCE[resolved_dtype(DEFAULT_TEST_DTYPE)]
    assert_same_answer(batched.greedy, alone.greedy, logprob_tolerance=tolerance)
    assert len(batched.samples) == 5


@pytest.mark.slow
def test_default_model_knows_a_simple_fact(default_generator: TransformersGenerator) -> None:
    answer = default_generator.generate(
        [ChatMessage("user", "What is the capital of France?")], max_new_tokens=24
    )
    assert "Paris" in answer.greedy.text
    assert default_generator.model_id.startswith("qwen2.5-coder-0.5b-instruct")


@pytest.mark.slow
def test_concurrent_calls_are_serialised_and_match_sequential_ones(
    tiny_generator: TransformersGenerator,
) -> None:
    expected = [tiny_generator.generate(m, max_new_tokens=12).greedy for m in PROMPTS]
    results: dict[int, object] = {}

    def ask(index: int) -> None:
        results[index] = tiny_generator.generate(PROMPTS[index], max_new_tokens=12).greedy

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(PROMPTS))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[i] for i in range(len(PROMPTS))] == expected


@pytest.mark.slow
def test_gguf_is_converted_once_into_the_cache(
    tiny_generator: TransformersGenerator, model_cache_dir: Path
) -> None:
    converted = tiny_generator.model_dir
    assert converted.is_relative_to(model_cache_dir / "converted")
    assert (converted / "config.json").is_file()
    assert "quantization_config" not in (converted / "config.json").read_text()


@pytest.mark.slow
def test_a_transformers_directory_loads_directly(
    tiny_generator: TransformersGenerator, tmp_path: Path
) -> None:
    from_directory = TransformersGenerator.load(
        model_path=tiny_generator.model_dir, cache_dir=tmp_path, threads=1
    )
    question = PROMPTS[0]
    loaded = from_directory.generate(question, max_new_tokens=12)
    converted = tiny_generator.generate(question, max_new_tokens=12)
    assert_same_answer(loaded.greedy, converted.greedy)
    assert (loaded.samples, loaded.prompt_tokens) == (converted.samples, converted.prompt_tokens)
    assert list(tmp_path.iterdir()) == []  # nothing to convert


@pytest.mark.slow
def test_a_seed_makes_a_prompts_samples_repeat(tiny_generator: TransformersGenerator) -> None:
    def samples_of_a_fresh_generator(seed: int) -> list[tuple[str, ...]]:
        seeded = TransformersGenerator.load(
            model_path=tiny_generator.model_dir, cache_dir=tiny_generator.model_dir, threads=1, seed=seed
        )
        calls = [seeded.generate(p, n_samples=4, temperature=1.0, max_new_tokens=12) for p in PROMPTS[:2]]
        calls.append(seeded.generate(PROMPTS[0], n_samples=4, temperature=1.0, max_new_tokens=12))
        return [tuple(s.text for s in call.samples) for call in calls]

    first = samples_of_a_fresh_generator(7)
    assert samples_of_a_fresh_generator(7) == first
    # The prompt alone decides the draw: asked again after another question, the same samples.
    assert first[2] == first[0]
    assert samples_of_a_fresh_generator(8)[0] != first[0]


def test_missing_model_path_is_a_model_load_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="does not exist"):
        TransformersGenerator.load(model_path=tmp_path / "absent.gguf", cache_dir=tmp_path)


def test_corrupt_gguf_is_a_model_load_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 4096)
    with pytest.raises(ModelLoadError, match=r"broken\.gguf"):
        TransformersGenerator.load(model_path=broken, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache" / "converted").exists() or not any(
        (tmp_path / "cache" / "converted").iterdir()
    )


def test_directory_without_a_model_is_a_model_load_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="cannot load"):
        TransformersGenerator.load(model_path=tmp_path, cache_dir=tmp_path / "cache")


def test_unknown_dtype_is_a_model_load_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="dtype"):
        TransformersGenerator.load(model_path=tmp_path, cache_dir=tmp_path, dtype="float8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Paris", "Paris"),
        ("  Paris.  ", "Paris."),
        ("Paris.\nIt is the capital.", "Paris."),
        ("\n\n  Paris\nmore", "Paris"),
        ("\n \n", ""),
        ("Red, blue\r\nGreen", "Red, blue"),
    ],
)
def test_answers_are_cut_at_the_first_line_break_after_text(text: str, expected: str) -> None:
    assert cut_at_line_break(text) == expected


@pytest.mark.parametrize(
    ("piece", "seen_text", "ends"),
    [
        ("\n", False, False),
        ("\n", True, True),
        ("Paris\n", False, True),
        ("\nParis", False, False),
        (" Paris", True, False),
        (".\n\n", True, True),
    ],
)
def test_a_token_ends_the_answer_only_after_text(piece: str, seen_text: bool, ends: bool) -> None:
    assert ends_answer(piece, seen_text=seen_text) is ends
