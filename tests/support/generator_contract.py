"""The Generator contract every backend passes: subclass `GeneratorContract`, provide a `generator` fixture.

Example (tests/assistant/test_llamacpp_generator.py):

    @pytest.mark.slow
    class TestLlamaCppContract(GeneratorContract):
        @pytest.fixture
        def generator(self, tiny_llamacpp_generator):
            return tiny_llamacpp_generator

The checks use only `assistant.protocols` and `assistant.errors`, so they hold for local and remote backends.
Prompts are short factual questions that small instruction models answer in one line.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from assistant.errors import GenerationError
from assistant.protocols import ChatMessage, Completion, Generation, Generator

QUESTION = [ChatMessage("user", "What is the capital of France? Answer in a few words.")]
OTHER_QUESTION = [ChatMessage("user", "How many legs does a spider have? Answer with a number.")]
LIST_REQUEST = [
    ChatMessage("system", "You are a helpful assistant."),
    ChatMessage("user", "Write the names of three colours, one per line."),
]
LONG_REQUEST = [ChatMessage("user", "Tell me a long story about a dragon and a knight.")]


def assert_same_answer(actual: Completion, expected: Completion, *, logprob_tolerance: float = 1e-4) -> None:
    """Same text and tokens; log-probabilities equal up to float rounding, which differs when the
    sequence is computed in a padded batch or with another thread split (seen on CI: 2e-6)."""
    assert (actual.text, actual.tokens) == (expected.text, expected.tokens)
    assert actual.logprobs == pytest.approx(expected.logprobs, abs=logprob_tolerance)


# Replies for a scripted Generator under the protocol half: [greedy, samples...] by prompt key.
SCRIPT = {
    "capital of France": ["Paris is the capital of France.", "Paris.", "It is Paris."],
    "spider": ["Eight.", "A spider has eight legs."],
    "three colours": ["Red\nGreen\nBlue", "Blue\nRed"],
    "dragon": ["Once upon a time a dragon and a knight met on a long road to the mountains."],
}


class CallRecorder:
    """A `stop_sampling_if` predicate that remembers the greedy answers it was shown."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.seen: list[Completion] = []

    def __call__(self, greedy: Completion) -> bool:
        self.seen.append(greedy)
        return self.answer

    @property
    def texts(self) -> list[str]:
        return [greedy.text for greedy in self.seen]


def _is_stripped_line(completion: Completion) -> bool:
    text = completion.text
    return text == text.strip() and "\n" not in text


class GeneratorProtocolContract:
    """The protocol half of the contract: shapes, counts, budgets, the sampling gate, argument checks.

    Every Generator passes it, the scripted fake (assistant.backends.scripted) included, scripted with
    `SCRIPT` below.
    """

    @pytest.fixture
    def generator(self) -> Generator:
        raise NotImplementedError("subclasses provide the generator under test")

    def test_model_id_names_the_model(self, generator: Generator) -> None:
        assert isinstance(generator.model_id, str)
        assert generator.model_id.strip()

    def test_greedy_only_returns_no_samples(self, generator: Generator) -> None:
        result = generator.generate(QUESTION, max_new_tokens=16)
        assert isinstance(result, Generation)
        assert result.samples == ()
        assert result.greedy.text
        assert 1 <= result.greedy.tokens <= 16

    def test_greedy_is_deterministic_across_calls(self, generator: Generator) -> None:
        first = generator.generate(OTHER_QUESTION, max_new_tokens=16)
        second = generator.generate(OTHER_QUESTION, max_new_tokens=16)
        assert_same_answer(first.greedy, second.greedy)

    @pytest.mark.parametrize("n_samples", [1, 4])
    def test_returns_exactly_n_samples(self, generator: Generator, n_samples: int) -> None:
        result = generator.generate(QUESTION, n_samples=n_samples, temperature=0.9, max_new_tokens=16)
        assert len(result.samples) == n_samples
        for sample in result.samples:
            assert isinstance(sample, Completion)
            assert 1 <= sample.tokens <= 16

    def test_answers_stop_at_the_first_line_break(self, generator: Generator) -> None:
        result = generator.generate(LIST_REQUEST, n_samples=2, temperature=0.7, max_new_tokens=48)
        for completion in (result.greedy, *result.samples):
            assert _is_stripped_line(completion)
        assert result.greedy.tokens < 48

    def test_max_new_tokens_bounds_every_completion(self, generator: Generator) -> None:
        result = generator.generate(LONG_REQUEST, n_samples=2, temperature=0.7, max_new_tokens=5)
        for completion in (result.greedy, *result.samples):
            assert 1 <= completion.tokens <= 5
            assert _is_stripped_line(completion)

    def test_stop_sampling_if_true_skips_samples(self, generator: Generator) -> None:
        predicate = CallRecorder(answer=True)
        result = generator.generate(QUESTION, n_samples=3, max_new_tokens=16, stop_sampling_if=predicate)
        assert result.samples == ()
        assert result.greedy.text
        assert predicate.seen == [result.greedy]

    def test_stop_sampling_if_false_keeps_samples(self, generator: Generator) -> None:
        predicate = CallRecorder(answer=False)
        result = generator.generate(QUESTION, n_samples=3, max_new_tokens=16, stop_sampling_if=predicate)
        assert len(result.samples) == 3
        assert predicate.seen == [result.greedy]

    def test_stop_sampling_if_applies_to_a_greedy_answer_cut_by_max_new_tokens(
        self, generator: Generator
    ) -> None:
        predicate = CallRecorder(answer=True)
        result = generator.generate(LONG_REQUEST, n_samples=2, max_new_tokens=4, stop_sampling_if=predicate)
        assert result.samples == ()
        assert predicate.seen == [result.greedy]

    def test_stop_sampling_if_sees_the_same_greedy_answer(self, generator: Generator) -> None:
        plain = generator.generate(QUESTION, max_new_tokens=16).greedy
        predicate = CallRecorder(answer=True)
        gated = generator.generate(QUESTION, n_samples=2, max_new_tokens=16, stop_sampling_if=predicate)
        assert gated.greedy.text == plain.text
        assert predicate.texts == [plain.text]

    def test_a_known_greedy_answer_comes_back_with_fresh_samples(self, generator: Generator) -> None:
        first = generator.generate(QUESTION, max_new_tokens=16)
        result = generator.generate(
            QUESTION, n_samples=3, temperature=0.7, max_new_tokens=16, known_greedy=first.greedy
        )
        assert result.greedy == first.greedy
        assert len(result.samples) == 3 and all(_is_stripped_line(s) for s in result.samples)
        assert result.greedy_tokens_generated in (0, first.greedy.tokens)

    def test_a_known_greedy_refusal_still_stops_sampling(self, generator: Generator) -> None:
        first = generator.generate(QUESTION, max_new_tokens=16)
        predicate = CallRecorder(answer=True)
        result = generator.generate(
            QUESTION, n_samples=2, max_new_tokens=16, stop_sampling_if=predicate, known_greedy=first.greedy
        )
        assert result.samples == () and predicate.texts == [first.greedy.text]

    def test_logprobs_when_reported_are_one_per_greedy_token(self, generator: Generator) -> None:
        """A backend may report none; one that does gives each greedy token's natural-log probability."""
        result = generator.generate(QUESTION, n_samples=2, temperature=0.7, max_new_tokens=16)
        logprobs = result.greedy.logprobs
        assert logprobs == () or len(logprobs) == result.greedy.tokens
        assert all(value <= 0.0 for value in logprobs)

    @pytest.mark.parametrize(
        "bad_call",
        [
            lambda g: g.generate([], max_new_tokens=8),
            lambda g: g.generate(QUESTION, n_samples=-1, max_new_tokens=8),
            lambda g: g.generate(QUESTION, max_new_tokens=0),
            lambda g: g.generate(QUESTION, n_samples=2, temperature=0.0, max_new_tokens=8),
        ],
        ids=["no-messages", "negative-samples", "no-tokens", "sampling-at-zero-temperature"],
    )
    def test_bad_arguments_raise_generation_error(
        self, generator: Generator, bad_call: Callable[[Generator], Generation]
    ) -> None:
        with pytest.raises(GenerationError):
            bad_call(generator)

    def test_prompt_tokens_grow_with_the_prompt(self, generator: Generator) -> None:
        """`prompt_tokens` feeds the `usage` of HTTP answers; a longer conversation costs more."""
        short = generator.generate(QUESTION, max_new_tokens=8)
        follow_up = [*QUESTION, ChatMessage("assistant", "Paris."), *OTHER_QUESTION]
        longer = generator.generate(follow_up, max_new_tokens=8)
        assert 0 < short.prompt_tokens < longer.prompt_tokens


class GeneratorContract(GeneratorProtocolContract):
    """The whole contract: the protocol half, and what a real language model does with the prompts."""

    def test_different_prompts_get_different_answers(self, generator: Generator) -> None:
        france = generator.generate(QUESTION, max_new_tokens=16).greedy.text
        spider = generator.generate(OTHER_QUESTION, max_new_tokens=16).greedy.text
        assert france != spider

    def test_high_temperature_samples_vary(self, generator: Generator) -> None:
        result = generator.generate(LONG_REQUEST, n_samples=4, temperature=1.5, max_new_tokens=12)
        texts = {sample.text for sample in result.samples}
        assert len(texts) > 1

    def test_more_tokens_allow_a_longer_answer(self, generator: Generator) -> None:
        short = generator.generate(LONG_REQUEST, max_new_tokens=3).greedy
        longer = generator.generate(LONG_REQUEST, max_new_tokens=12).greedy
        assert short.tokens <= 3 < longer.tokens
        assert len(short.text) < len(longer.text)


class ModelTimeContract:
    """For backends that measure their model time (transformers, llama.cpp, llama-server)."""

    @pytest.fixture
    def generator(self) -> Generator:
        raise NotImplementedError("subclasses provide the generator under test")

    def test_model_time_is_measured_for_prefill_and_decode(self, generator: Generator) -> None:
        started = time.perf_counter()
        result = generator.generate(LONG_REQUEST, n_samples=2, max_new_tokens=8)
        wall_ms = (time.perf_counter() - started) * 1000.0
        assert result.model_time.prefill_ms > 0
        assert result.model_time.decode_ms > 0
        # A server's clock is not ours: allow it a few milliseconds past the call.
        assert result.model_time.prefill_ms + result.model_time.decode_ms <= wall_ms + 5.0

    def test_more_new_tokens_take_more_decode_time(self, generator: Generator) -> None:
        generator.generate(LONG_REQUEST, max_new_tokens=2)  # warm: the prompt may be cached after this
        short = generator.generate(LONG_REQUEST, max_new_tokens=2)
        longer = generator.generate(LONG_REQUEST, max_new_tokens=24)
        assert longer.greedy.tokens > short.greedy.tokens
        assert longer.model_time.decode_ms > short.model_time.decode_ms
