"""Wrappers that watch one answer being made, without the flow knowing: the token usage of every generate
call, and the passages retrieved (for their positions)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.protocols import ChatMessage, Completion, Generation, Generator, Passage, Retriever


@dataclass(frozen=True)
class Usage:
    """Tokens of every generate call one answer took, samples included."""

    prompt_tokens: int = 0  # each call's prompt, counted once per call (its samples share it)
    answer_tokens: int = 0  # the greedy answers
    sample_tokens: int = 0  # the sampled answers used to measure agreement
    generate_calls: int = 0

    @property
    def completion_tokens(self) -> int:
        return self.answer_tokens + self.sample_tokens

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def plus(self, generation: Generation) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + generation.prompt_tokens,
            answer_tokens=self.answer_tokens + generation.greedy_tokens_generated,
            sample_tokens=self.sample_tokens + sum(s.tokens for s in generation.samples),
            generate_calls=self.generate_calls + 1,
        )

    def openai(self) -> dict[str, Any]:
        """The OpenAI `usage` object; the answer/sample split rides in `completion_tokens_details`."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "answer_tokens": self.answer_tokens,
                "sample_tokens": self.sample_tokens,
            },
        }

    def split(self) -> dict[str, int]:
        """The same numbers for the `fallback` object."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "answer_tokens": self.answer_tokens,
            "sample_tokens": self.sample_tokens,
            "generate_calls": self.generate_calls,
        }


class CountingGenerator:
    """Delegates to `inner` and sums the usage of every call; one instance per answer."""

    def __init__(self, inner: Generator) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self._usage = Usage()

    @property
    def model_id(self) -> str:
        return self._inner.model_id

    @property
    def usage(self) -> Usage:
        with self._lock:
            return self._usage

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
        with self._lock:
            self._usage = self._usage.plus(generation)
        return generation


class RecordingRetriever:
    """Delegates to `inner` and keeps the passages it returned, so citations can name their position."""

    def __init__(self, inner: Retriever) -> None:
        self._inner = inner
        self.passages: list[Passage] = []

    def retrieve(self, query: str, *, k: int) -> Sequence[Passage]:
        hits = self._inner.retrieve(query, k=k)
        self.passages.extend(hits)
        return hits

    def positions(self) -> dict[str, str]:
        """chunk_id -> where the chunk lies in its document ("page 2, chars 0-480"), for passages that
        carry a position (index.Hit does; the Passage protocol does not require it)."""
        found = ((p.chunk_id, getattr(p, "position", None)) for p in self.passages)
        return {chunk_id: str(position) for chunk_id, position in found if position is not None}
