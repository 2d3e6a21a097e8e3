"""A scripted Generator for tests and demos: replies chosen by prompt, under the real backends' rules.

It keeps the protocol half of the Generator contract (argument checks, exactly `n_samples` samples,
`stop_sampling_if`, one stripped line within `max_new_tokens`), so the fake cannot accept calls that a
real backend would refuse. A "token" here is a whitespace-separated word, of the replies and of the prompt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from assistant.backends._completion_rows import check_arguments
from assistant.errors import GenerationError
from assistant.protocols import ChatMessage, Completion, Generation


@dataclass(frozen=True)
class GenerateCall:
    """One recorded `generate` call: what was asked, and whether sampling was skipped."""

    messages: tuple[ChatMessage, ...]
    n_samples: int
    temperature: float
    max_new_tokens: int
    sampling_skipped: bool
    greedy_reused: bool = False

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
        stop_sampling_if: Callable[[Completion], bool] | None = None,
        known_greedy: Completion | None = None,
    ) -> Generation:
        check_arguments(messages, n_samples=n_samples, temperature=temperature, max_new_tokens=max_new_tokens)
        reply = self._reply_for("\n".join(m.content for m in messages))
        # Like a server asked for the samples alone: the caller's greedy answer is not generated again.
        greedy = _completion(reply[0], max_new_tokens) if known_greedy is None else known_greedy
        skip = n_samples > 0 and stop_sampling_if is not None and stop_sampling_if(greedy)
        pool = reply[1:] or (reply[0],)
        samples = (
            () if skip else tuple(_completion(pool[i % len(pool)], max_new_tokens) for i in range(n_samples))
        )
        self.calls.append(
            GenerateCall(
                messages=tuple(messages),
                n_samples=n_samples,
                temperature=temperature,
                max_new_tokens=max_new_tokens,
                sampling_skipped=skip,
                greedy_reused=known_greedy is not None,
            )
        )
        prompt_tokens = sum(len(m.content.split()) for m in messages)
        return Generation(
            greedy=greedy,
            samples=samples,
            prompt_tokens=prompt_tokens,
            greedy_reused=known_greedy is not None,
        )

    def _reply_for(self, prompt: str) -> tuple[str, ...]:
        for key, reply in self._by_prompt.items():
            if key in prompt:
                return reply
        if self._queue:
            return self._queue.pop(0)
        raise GenerationError(f"ScriptedGenerator has no reply for prompt: {prompt[-200:]!r}")


def _completion(scripted: str, max_new_tokens: int) -> Completion:
    """The scripted text as a backend would return it: its first line, at most `max_new_tokens` words."""
    lines = [line for line in scripted.strip().splitlines() if line.strip()]
    words = (lines[0] if lines else "").split()[:max_new_tokens]
    return Completion(text=" ".join(words), tokens=len(words))
