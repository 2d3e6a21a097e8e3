"""A Generator wrapper that counts generated tokens, which the flow's stage results do not carry."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.protocols import ChatMessage, Completion, Generation, Generator


class CountingGenerator:
    """Delegates to `inner` and keeps the token counts of the last call (greedy, then each sample)."""

    def __init__(self, inner: Generator) -> None:
        self._inner = inner
        self.last_greedy_tokens = 0
        self.last_sample_tokens: tuple[int, ...] = ()

    @property
    def model_id(self) -> str:
        return self._inner.model_id

    def generate(
        self,
        messages: Sequence[ChatMessage],
        *,
        n_samples: int = 0,
        temperature: float = 0.7,
        max_new_tokens: int = 64,
        stop_sampling_if: Callable[[Completion], bool] | None = None,
        known_greedy: Completion | None = None,
    ) -> Generation:
        generation = self._inner.generate(
            messages,
            n_samples=n_samples,
            temperature=temperature,
            max_new_tokens=max_new_tokens,
            stop_sampling_if=stop_sampling_if,
            known_greedy=known_greedy,
        )
        self.last_greedy_tokens = generation.greedy.tokens
        self.last_sample_tokens = tuple(sample.tokens for sample in generation.samples)
        return generation

    def reset(self) -> None:
        self.last_greedy_tokens = 0
        self.last_sample_tokens = ()
