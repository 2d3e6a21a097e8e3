"""The small interfaces the fallback flow is built from: Generator, Retriever and the shapes they pass."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class Completion:
    text: str
    tokens: int  # generated tokens, for cost accounting
    # Natural-log probability of each generated token, for the greedy answer of backends that report
    # them (a confidence signal); empty when the backend does not.
    logprobs: tuple[float, ...] = ()


@dataclass(frozen=True)
class ModelTime:
    """Milliseconds a backend spent evaluating the prompt and generating tokens, as it measured them.

    Both are 0 for a backend that does not report them; the rest of a call's wall time is waiting
    (for the model lock, a server slot, the network).
    """

    prefill_ms: float = 0.0
    decode_ms: float = 0.0

    def __add__(self, other: ModelTime) -> ModelTime:
        return ModelTime(self.prefill_ms + other.prefill_ms, self.decode_ms + other.decode_ms)

    @classmethod
    def between(cls, started: float, prefilled: float, finished: float) -> ModelTime:
        """From three `time.perf_counter()` readings: before the prompt pass, after it, after decoding."""
        return cls((prefilled - started) * 1000.0, (finished - prefilled) * 1000.0)


@dataclass(frozen=True)
class Generation:
    """One greedy answer and the samples drawn beside it."""

    greedy: Completion
    samples: tuple[Completion, ...]
    # Tokens of the prompt the backend processed for this call (once when the samples share it).
    prompt_tokens: int = 0
    model_time: ModelTime = ModelTime()
    # The greedy answer was the caller's `known_greedy`, not generated again (its tokens cost nothing).
    greedy_reused: bool = False

    @property
    def greedy_tokens_generated(self) -> int:
        return 0 if self.greedy_reused else self.greedy.tokens


class Generator(Protocol):
    """A chat model that answers greedily and, in the same call, draws extra samples.

    Contract (checked by tests/assistant/test_generator_contract.py against every backend):
    - `greedy` is the deterministic (temperature 0) answer;
    - `samples` has exactly `n_samples` completions drawn at `temperature`, unless `stop_sampling_if`
      returned True for the greedy answer (the `Completion` returned as `greedy`: text, tokens and
      log-probabilities), in which case `samples` is empty: the caller skips samples that cannot change
      its decision (a refusal, an answer already sure or hopeless). Backends that decode the samples
      beside the greedy row stop them when it ends and the predicate says so;
    - with `known_greedy` (the greedy answer an earlier call with the same messages and
      `max_new_tokens` returned), `greedy` is that completion; a backend that asks for the greedy
      answer and the samples separately asks only for the samples (`greedy_reused`);
    - generation stops at end-of-sequence, at the first line break after some text, or at
      `max_new_tokens`; returned texts are stripped;
    - failures raise `assistant.errors.GenerationError`.
    """

    @property
    def model_id(self) -> str: ...

    def generate(
        self,
        messages: Sequence[ChatMessage],
        *,
        n_samples: int = 0,
        temperature: float = 0.7,
        max_new_tokens: int = 64,
        stop_sampling_if: Callable[[Completion], bool] | None = None,
        known_greedy: Completion | None = None,
    ) -> Generation: ...


class Passage(Protocol):
    """A retrieved chunk; `index.Hit` satisfies it by shape."""

    @property
    def text(self) -> str: ...

    @property
    def source(self) -> str: ...

    @property
    def chunk_id(self) -> str: ...

    @property
    def score(self) -> float: ...


class Retriever(Protocol):
    def retrieve(self, query: str, *, k: int) -> Sequence[Passage]:
        """The `k` best passages for `query`, best first; scores are comparable to `min_retrieval_score`."""
        ...
