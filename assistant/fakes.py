"""Deterministic fakes of the Generator and Retriever protocols, shipped for tests of every package."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from assistant.errors import GenerationError
from assistant.protocols import ChatMessage, Completion, Generation, Passage


@dataclass(frozen=True)
class GenerateCall:
    """One recorded `generate` call: what was asked, and whether sampling was skipped."""

    messages: tuple[ChatMessage, ...]
    n_samples: int
    temperature: float
    max_new_tokens: int
    sampling_skipped: bool

    @property
    def prompt(self) -> str:
        return "\n".join(m.content for m in self.messages)


class ScriptedGenerator:
    """A Generator whose replies are scripted: `[greedy, sample, sample, ...]` per call.

    A reply is chosen by the first key of `by_prompt` (in insertion order) found in the prompt (all
    message contents joined), else taken from the front of `queue`. Samples beyond those scripted
    repeat the scripted ones in turn (the greedy text if none). No match raises GenerationError.
    """

    def __init__(
        self,
        *,
        by_prompt: Mapping[str, Sequence[str]] | None = None,
        queue: Sequence[Sequence[str]] = (),
        model_id: str = "scripted",
    ) -> None:
        self._by_prompt = {key: tuple(reply) for key, reply in (by_prompt or {}).items()}
        self._queue = [tuple(reply) for reply in queue]
        self._model_id = model_id
        self.calls: list[GenerateCall] = []

    @property
    def model_id(self) -> str:
        return self._model_id

    def generate(
        self,
        messages: Sequence[ChatMessage],
        *,
        n_samples: int = 0,
        temperature: float = 0.7,
        max_new_tokens: int = 64,
        stop_sampling_if: Callable[[str], bool] | None = None,
    ) -> Generation:
        reply = self._reply_for("\n".join(m.content for m in messages))
        greedy = reply[0].strip()
        skip = n_samples > 0 and stop_sampling_if is not None and stop_sampling_if(greedy)
        pool = reply[1:] or (greedy,)
        samples = () if skip else tuple(pool[i % len(pool)].strip() for i in range(n_samples))
        self.calls.append(
            GenerateCall(
                messages=tuple(messages),
                n_samples=n_samples,
                temperature=temperature,
                max_new_tokens=max_new_tokens,
                sampling_skipped=skip,
            )
        )
        return Generation(greedy=_completion(greedy), samples=tuple(_completion(s) for s in samples))

    def _reply_for(self, prompt: str) -> tuple[str, ...]:
        for key, reply in self._by_prompt.items():
            if key in prompt:
                return reply
        if self._queue:
            return self._queue.pop(0)
        raise GenerationError(f"ScriptedGenerator has no reply for prompt: {prompt[-200:]!r}")


@dataclass(frozen=True)
class StaticPassage:
    """A passage with fixed fields; satisfies the Passage protocol."""

    text: str
    source: str = "doc.txt"
    chunk_id: str = "doc.txt#0"
    score: float = 0.8


@dataclass
class StaticRetriever:
    """A Retriever that returns the first `k` of the given passages for any query, and records queries."""

    passages: Sequence[Passage]
    queries: list[str] = field(default_factory=list)

    def retrieve(self, query: str, *, k: int) -> Sequence[Passage]:
        self.queries.append(query)
        return list(self.passages[:k])


def _completion(text: str) -> Completion:
    return Completion(text=text, tokens=len(text.split()))
