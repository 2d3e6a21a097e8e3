"""Chat-completions answers read into Completions: a whole response body, or a server-sent stream."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from assistant.backends._completion_rows import first_line_end
from assistant.errors import GenerationError
from assistant.protocols import Completion, ModelTime


@dataclass(frozen=True)
class Reply:
    completions: list[Completion]
    prompt_tokens: int  # the server's `usage.prompt_tokens` for this request
    # llama.cpp's `timings` (of the first choice: the others decode beside it); zero from other servers
    model_time: ModelTime = field(default_factory=ModelTime)


class ChatStream:
    """The choices of one streamed chat completion, put together from its server-sent events."""

    def __init__(self, n: int) -> None:
        self._pieces: dict[int, list[str]] = {index: [] for index in range(n)}
        self._entries: dict[int, list[Any]] = {index: [] for index in range(n)}
        self._timings: dict[int, Any] = {}  # llama.cpp's `timings`, sent with each choice's last event
        self.greedy_ended_now = False  # the last event ended choice 0
        self.samples_dropped = False

    def add_event(self, line: str) -> bool:
        """One line of the stream; False once the server says the stream is done."""
        self.greedy_ended_now = False
        if not line.startswith("data:"):
            return True  # blank separators and keep-alive comments
        data = line[len("data:") :].strip()
        if data == "[DONE]":
            return False
        try:
            event = json.loads(data)
            if "error" in event:
                raise GenerationError(f"model server failed while answering: {str(event['error'])[:300]}")
            for choice in event["choices"]:
                self._add_choice(choice, event.get("timings"))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise GenerationError(f"unexpected chat-completions stream event: {data[:300]}") from exc
        return True

    def _add_choice(self, choice: Any, timings: Any) -> None:
        index = int(choice["index"])
        if index not in self._pieces:
            raise GenerationError(f"the model server streamed choice {index} of {len(self._pieces)}")
        piece = (choice.get("delta") or {}).get("content")
        if piece:
            self._pieces[index].append(str(piece))
        self._entries[index].extend(_logprob_entries(choice))
        if choice.get("finish_reason") is not None:
            self._timings[index] = timings if isinstance(timings, dict) else {}
            self.greedy_ended_now = index == 0

    def completion(self, index: int, *, greedy: bool) -> Completion:
        """Choice `index` as `completions` reads a whole answer, which leaves out the stop string's
        tokens: the stream sends their log-probabilities too (this project's llama-server patch)."""
        entries = list(itertools.takewhile(_before_line_break, self._entries[index]))
        choice = {"message": {"content": "".join(self._pieces[index])}, "logprobs": {"content": entries}}
        (completion,) = read_reply({"choices": [choice]}, greedy=greedy).completions
        return completion

    def ended(self) -> bool:
        """Whether every choice still wanted (the greedy one alone once the samples were dropped) ended."""
        wanted = [0] if self.samples_dropped else list(self._pieces)
        return all(index in self._timings for index in wanted)

    def prompt_tokens(self) -> int:
        timings = self._timings.get(0, {})
        try:
            return int(timings.get("prompt_n", 0)) + int(timings.get("cache_n", 0))
        except (TypeError, ValueError):
            return 0

    def model_time(self) -> ModelTime:
        """The greedy choice's prompt time; the longest decode of the choices that ran to their end."""
        decode_ms = max((_read_timings(timings).decode_ms for timings in self._timings.values()), default=0.0)
        return ModelTime(_read_timings(self._timings.get(0)).prefill_ms, decode_ms)


def _before_line_break(entry: Any) -> bool:
    return isinstance(entry, dict) and "\n" not in str(entry.get("token", ""))


def read_reply(body: Any, *, greedy: bool) -> Reply:
    """Texts cut at the first line break (in case the server ignored `stop`); tokens counted from
    each choice's log-probabilities where the server sent them, else shared out of `usage`."""
    try:
        choices = list(body["choices"])
        texts = [_first_line(choice["message"]["content"] or "") for choice in choices]
        usage = body.get("usage") or {}
        total_tokens = int(usage.get("completion_tokens", 0))
        prompt_tokens = int(usage.get("prompt_tokens", 0))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise GenerationError(f"unexpected chat-completions response: {str(body)[:300]}") from exc
    if not texts:
        raise GenerationError("the model server returned no choices")
    counted = [len(_logprob_entries(choice)) for choice in choices]
    tokens = counted if all(counted) else _split(total_tokens, texts)
    completions = [
        Completion(text=text, tokens=count, logprobs=_first_line_logprobs(choice) if greedy else ())
        for text, count, choice in zip(texts, tokens, choices, strict=True)
    ]
    return Reply(completions, prompt_tokens, _read_timings(body.get("timings")))


def _read_timings(timings: Any) -> ModelTime:
    """llama.cpp's `timings` object (prompt_ms, predicted_ms); zero when absent or malformed."""
    try:
        return ModelTime(float(timings["prompt_ms"]), float(timings["predicted_ms"]))
    except (KeyError, TypeError, ValueError):
        return ModelTime()


def _logprob_entries(choice: Any) -> list[Any]:
    """The choice's per-token `logprobs.content` entries; [] when the server sent none."""
    logprobs = choice.get("logprobs") if isinstance(choice, dict) else None
    content = logprobs.get("content") if isinstance(logprobs, dict) else None
    return content if isinstance(content, list) else []


def _first_line_logprobs(choice: Any) -> tuple[float, ...]:
    """The log-probability of each token up to the first line break; () when the server sent none."""
    logprobs: list[float] = []
    try:
        for entry in _logprob_entries(choice):
            if "\n" in str(entry.get("token", "")):
                break
            logprobs.append(float(entry["logprob"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        return ()  # a malformed optional field is no reason to lose the answer
    return tuple(logprobs)


def _split(total: int, texts: list[str]) -> list[int]:
    # `usage` counts all choices together; share it out by text length, keeping the exact total.
    if len(texts) == 1:
        return [total]
    weights = [len(text) + 1 for text in texts]
    shares = [total * weight // sum(weights) for weight in weights]
    shares[0] += total - sum(shares)
    return shares


def _first_line(text: str) -> str:
    data = text.encode()
    cut = first_line_end(data)
    return (data if cut is None else data[:cut]).decode().strip()
