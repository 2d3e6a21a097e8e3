"""Generator backed by a remote OpenAI-compatible chat-completions server (llama.cpp, vLLM, OpenAI...)."""

from __future__ import annotations

import json
import time
import weakref
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from assistant.backends._chat_replies import ChatStream, Reply, read_reply
from assistant.backends._completion_rows import check_arguments
from assistant.backends._retry import with_retries
from assistant.backends._seeding import prompt_seeds
from assistant.errors import BackendTimeout, BackendUnavailable, GenerationError
from assistant.protocols import ChatMessage, Completion, Generation, ModelTime

_RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_T = TypeVar("_T")


class _Transient(Exception):
    """A failure worth retrying: the server is unreachable, slow or overloaded."""


class _TooSlow(_Transient):
    """No complete answer within the timeout (a server that stalls, or trickles its bytes)."""


@dataclass(frozen=True)
class _Request:
    messages: tuple[dict[str, str], ...]
    temperature: float
    max_tokens: int
    n: int
    seed: int | None = None  # distinct per sample request: some servers reuse a fixed default seed


class OpenAIGenerator:
    """Greedy answer = a temperature-0 request; the k samples = one request with `n=k`.

    Servers that ignore `n` (llama.cpp's own server among them) answer with fewer choices; the
    missing samples are then requested concurrently, one per request (each with its own `seed`:
    llama.cpp's server otherwise reuses one seed and returns k identical samples), and later calls
    go straight to that. Every request stops at a line break (`stop: ["\\n"]`) and `max_tokens`.

    With `greedy_first` (a server built with this project's llama-server patch, which says so in
    `/props`), the greedy answer and the samples are one streamed request of `n=k+1` choices whose
    first is greedy: they decode together from one evaluation of the prompt, and the stream is
    closed (the server then drops the samples) as soon as `stop_sampling_if` says so of the greedy
    answer.
    """

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str,
        timeout_s: float = 60.0,
        retries: int = 2,
        backoff_s: float = 0.5,
        max_concurrency: int = 8,
        seed: int | None = None,
        greedy_first: bool = False,
    ) -> None:
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._timeout_s = timeout_s
        self._model = model
        self._retries = retries
        self._backoff_s = backoff_s
        self._max_concurrency = max_concurrency
        self._server_honours_n: bool | None = None
        self._seed = seed
        self._greedy_first = greedy_first
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout_s), headers={"Authorization": f"Bearer {api_key}"}
        )
        # Pooled connections are closed with the generator, even when nobody calls close().
        self._finalizer = weakref.finalize(self, self._client.close)

    @property
    def model_id(self) -> str:
        return f"openai:{self._model}"

    @property
    def greedy_first(self) -> bool:
        """Whether the greedy answer and its samples go out as one request (see the class)."""
        return self._greedy_first

    def close(self) -> None:
        self._finalizer()

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
        chat = tuple({"role": m.role, "content": m.content} for m in messages)
        if known_greedy is None and n_samples > 0 and self._greedy_first:
            # llama-server seeds choice i with seed + i: one below the samples request's seed, the
            # samples draw with the seeds they would draw with when asked for apart.
            seed = (prompt_seeds(self._seed, messages, 1)[0] - 1) % 2**31 if self._seed is not None else None
            request = _Request(chat, temperature, max_new_tokens, n_samples + 1, seed)
            return self._together(request, stop_sampling_if)
        reused = known_greedy is not None
        if known_greedy is None:
            first = self._complete(_Request(chat, 0.0, max_new_tokens, 1))
        else:
            first = Reply([known_greedy], prompt_tokens=0)
        (greedy,) = first.completions
        if n_samples == 0 or (stop_sampling_if is not None and stop_sampling_if(greedy)):
            return Generation(
                greedy=greedy,
                samples=(),
                prompt_tokens=first.prompt_tokens,
                model_time=first.model_time,
                greedy_reused=reused,
            )
        seeds = prompt_seeds(self._seed, messages, n_samples)
        sampled = self._samples(_Request(chat, temperature, max_new_tokens, n_samples, seeds[0]), seeds)
        return Generation(
            greedy=greedy,
            samples=tuple(sampled.completions),
            prompt_tokens=first.prompt_tokens + sampled.prompt_tokens,
            model_time=first.model_time + sampled.model_time,
            greedy_reused=reused,
        )

    def _samples(self, request: _Request, seeds: list[int]) -> Reply:
        """`request.n` samples seeded from `seeds` (a function of the prompt), however the server is asked."""
        samples: list[Completion] = []
        prompt_tokens = 0
        model_time = ModelTime()
        if self._server_honours_n is not False:
            reply = self._complete(request)
            samples, prompt_tokens = reply.completions[: request.n], reply.prompt_tokens
            model_time = reply.model_time
            self._server_honours_n = len(samples) == request.n
        missing = request.n - len(samples)
        if missing > 0:
            singles = [
                _Request(request.messages, request.temperature, request.max_tokens, 1, seed)
                for seed in seeds[len(samples) :]
            ]
            with ThreadPoolExecutor(max_workers=min(missing, self._max_concurrency)) as pool:
                replies = list(pool.map(self._complete, singles))
            for single in replies:
                samples.extend(single.completions)
                prompt_tokens += single.prompt_tokens
            model_time += _overlapping(single.model_time for single in replies)
        return Reply(samples, prompt_tokens, model_time)

    def _together(
        self, request: _Request, stop_sampling_if: Callable[[Completion], bool] | None
    ) -> Generation:
        """The greedy answer (choice 0) and `request.n - 1` samples from one streamed request."""
        payload = self._payload(request) | {"greedy_first": True, "stream": True}
        streamed = self._with_retries(lambda: self._stream(payload, stop_sampling_if))
        greedy = streamed.completion(0, greedy=True)
        if streamed.samples_dropped:
            samples: tuple[Completion, ...] = ()
        else:
            samples = tuple(streamed.completion(index, greedy=False) for index in range(1, request.n))
        return Generation(
            greedy=greedy,
            samples=samples,
            prompt_tokens=streamed.prompt_tokens(),
            model_time=streamed.model_time(),
        )

    def _stream(
        self, payload: dict[str, Any], stop_sampling_if: Callable[[Completion], bool] | None
    ) -> ChatStream:
        """Reads the server-sent events until every choice has ended, or until the greedy answer
        (choice 0) has ended and `stop_sampling_if` says its samples are not wanted."""
        streamed = ChatStream(int(payload["n"]))
        deadline = time.monotonic() + self._timeout_s
        try:
            with self._client.stream("POST", self._url, json=payload) as response:
                if response.status_code != 200:
                    _check_status(response.status_code, response.read())
                for line in response.iter_lines():
                    if time.monotonic() > deadline:
                        raise _TooSlow(f"the answer took longer than {self._timeout_s} s")
                    if not streamed.add_event(line):
                        break
                    if streamed.greedy_ended_now and _stops(
                        stop_sampling_if, streamed.completion(0, greedy=True)
                    ):
                        streamed.samples_dropped = True
                        break  # closing the stream makes the server drop the samples
        except httpx.TimeoutException as exc:
            raise _TooSlow(f"no answer within {self._timeout_s} s ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise _Transient(f"{type(exc).__name__}: {exc}") from exc
        if not streamed.ended():
            raise _Transient("the stream ended before every choice did")
        return streamed

    def _payload(self, request: _Request) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self._model,
            "messages": list(request.messages),
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "stop": ["\n"],
            "n": request.n,
            "top_p": 1.0,  # plain temperature sampling, as the local backends do
            # The greedy answer's are a confidence signal; every choice's count its tokens (llama.cpp's
            # server puts only the first choice's tokens in `usage` when n > 1).
            "logprobs": True,
        }
        if request.seed is not None:
            payload["seed"] = request.seed
        return payload

    def _complete(self, request: _Request) -> Reply:
        payload = self._payload(request)
        body = self._with_retries(lambda: self._post(payload))
        return read_reply(body, greedy=request.temperature == 0)

    def _with_retries(self, call: Callable[[], _T]) -> _T:
        try:
            return with_retries(
                call, retries=self._retries, backoff_s=self._backoff_s, retry_on=(_Transient,)
            )
        except _Transient as exc:
            error = BackendTimeout if isinstance(exc, _TooSlow) else BackendUnavailable
            raise error(
                f"model server {self._url} unavailable after {self._retries + 1} attempts: {exc}"
            ) from exc

    def _post(self, payload: dict[str, Any]) -> Any:
        try:
            status, data = self._read_within_deadline(payload)
        except httpx.TimeoutException as exc:
            raise _TooSlow(f"no answer within {self._timeout_s} s ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:  # refused, reset, or closed in the middle of the body
            raise _Transient(f"{type(exc).__name__}: {exc}") from exc
        _check_status(status, data)
        try:
            return json.loads(data)
        except ValueError as exc:
            text = data.decode("utf-8", "replace")
            raise GenerationError(f"model server sent a body that is not JSON: {text[:200]}") from exc

    def _read_within_deadline(self, payload: dict[str, Any]) -> tuple[int, bytes]:
        """Status and body; httpx's timeout bounds each read, this bounds the whole answer."""
        deadline = time.monotonic() + self._timeout_s
        parts: list[bytes] = []
        with self._client.stream("POST", self._url, json=payload) as response:
            for part in response.iter_bytes():
                parts.append(part)
                if time.monotonic() > deadline:
                    raise _TooSlow(f"the answer took longer than {self._timeout_s} s")
            return response.status_code, b"".join(parts)


def _stops(stop_sampling_if: Callable[[Completion], bool] | None, greedy: Completion) -> bool:
    return stop_sampling_if is not None and stop_sampling_if(greedy)


def _check_status(status: int, data: bytes) -> None:
    if status in _RETRYABLE_STATUS:
        raise _Transient(f"HTTP {status}")
    if status >= 400:
        text = data.decode("utf-8", "replace")
        raise GenerationError(f"model server rejected the request: HTTP {status}: {text[:300]}")


def _overlapping(times: Iterable[ModelTime]) -> ModelTime:
    """Requests that ran at the same time on the server: the longest of each part, not the sum."""
    parts = list(times)
    return ModelTime(
        max((t.prefill_ms for t in parts), default=0.0), max((t.decode_ms for t in parts), default=0.0)
    )
