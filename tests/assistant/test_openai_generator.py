"""OpenAIGenerator against scripted loopback servers, a closed port, and a real llama.cpp server."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator

import pytest

from assistant.backends._seeding import prompt_seeds
from assistant.backends.model_files import tiny_model_file
from assistant.backends.openai_generator import OpenAIGenerator
from assistant.errors import BackendUnavailable, GenerationError
from assistant.protocols import ChatMessage, Completion, Generator
from tests.support.generator_contract import QUESTION as CONTRACT_QUESTION
from tests.support.generator_contract import GeneratorContract, assert_same_answer
from tests.support.llama_server import llama_server
from tests.support.scripted_chat_server import Payload, Reply, choices_reply, scripted_server

QUESTION = (ChatMessage(role="user", content="What is the capital of France?"),)


def _generator(base_url: str, *, retries: int = 2, timeout_s: float = 5.0) -> OpenAIGenerator:
    return OpenAIGenerator(
        base_url=base_url, model="m", api_key="k", timeout_s=timeout_s, retries=retries, backoff_s=0.01
    )


def _honours_n(payload: Payload, number: int) -> Reply:
    texts = ["Paris"] if payload["temperature"] == 0 else [f"Paris {i}" for i in range(payload["n"])]
    return choices_reply(texts, completion_tokens=3 * len(texts))


def _ignores_n(payload: Payload, number: int) -> Reply:
    return choices_reply([f"answer {number}"], completion_tokens=2)


def test_greedy_is_a_temperature_zero_request_stopping_at_newline() -> None:
    with scripted_server(_honours_n) as server:
        generation = _generator(server.base_url).generate(QUESTION, max_new_tokens=17)
    (request,) = server.requests
    assert (request["temperature"], request["max_tokens"], request["stop"], request["n"]) == (
        0,
        17,
        ["\n"],
        1,
    )
    assert request["messages"] == [{"role": "user", "content": "What is the capital of France?"}]
    assert generation.greedy.text == "Paris" and generation.greedy.tokens == 3
    assert generation.samples == ()


def test_samples_use_the_n_parameter_when_the_server_honours_it() -> None:
    with scripted_server(_honours_n) as server:
        generation = _generator(server.base_url).generate(QUESTION, n_samples=4, temperature=0.9)
    assert [request["n"] for request in server.requests] == [1, 4]
    assert server.requests[1]["temperature"] == 0.9
    assert [s.text for s in generation.samples] == ["Paris 0", "Paris 1", "Paris 2", "Paris 3"]
    assert sum(s.tokens for s in generation.samples) == 12


def test_a_known_greedy_answer_is_not_asked_for_again() -> None:
    known = Completion(text="Paris, as before", tokens=4, logprobs=(-0.1, -0.2, -0.3, -0.4))
    with scripted_server(_honours_n) as server:
        generation = _generator(server.base_url).generate(QUESTION, n_samples=2, known_greedy=known)
    assert [(request["temperature"], request["n"]) for request in server.requests] == [(0.7, 2)]
    assert generation.greedy == known and generation.greedy_reused
    assert generation.greedy_tokens_generated == 0
    assert [s.text for s in generation.samples] == ["Paris 0", "Paris 1"]


def test_missing_samples_come_from_concurrent_requests_when_the_server_ignores_n() -> None:
    with scripted_server(_ignores_n) as server:
        generator = _generator(server.base_url)
        first = generator.generate(QUESTION, n_samples=3)
        requests_for_first = len(server.requests)
        second = generator.generate(QUESTION, n_samples=3)
    assert len(first.samples) == len(second.samples) == 3
    assert requests_for_first == 1 + 3  # greedy, the ignored n=3, then two single requests
    assert [r["n"] for r in server.requests[requests_for_first:]] == [1, 1, 1, 1]  # learned: no n=3
    assert len({s.text for s in second.samples}) == 3


def _with_logprobs(payload: Payload, number: int) -> Reply:
    reply = _honours_n(payload, number)
    assert isinstance(reply.body, dict)
    if payload.get("logprobs"):
        tokens = [("Par", -0.5), ("is", -0.25), ("\n", -0.1), ("More", -2.0)]
        content = [{"token": token, "logprob": value} for token, value in tokens]
        reply.body["choices"][0]["logprobs"] = {"content": content}
    return reply


def test_the_greedy_answer_asks_for_log_probabilities_up_to_the_line_break() -> None:
    with scripted_server(_with_logprobs) as server:
        generation = _generator(server.base_url).generate(QUESTION, n_samples=2)
    assert [request.get("logprobs") for request in server.requests] == [True, True]
    assert generation.greedy.logprobs == (-0.5, -0.25)
    assert all(sample.logprobs == () for sample in generation.samples)


def test_each_choices_tokens_are_counted_from_its_log_probabilities() -> None:
    """llama.cpp's server reports only the first choice's tokens in `usage` when n > 1."""

    def first_choice_usage(payload: Payload, number: int) -> Reply:
        lengths = [2] if payload["temperature"] == 0 else [2, 9, 5]
        choices = [
            {
                "index": i,
                "message": {"role": "assistant", "content": f"answer {i}"},
                "logprobs": {"content": [{"token": "x", "logprob": -0.1}] * length},
            }
            for i, length in enumerate(lengths)
        ]
        return Reply(body={"choices": choices, "usage": {"completion_tokens": 2}})

    with scripted_server(first_choice_usage) as server:
        generation = _generator(server.base_url).generate(QUESTION, n_samples=3)
    assert generation.greedy.tokens == 2
    assert [sample.tokens for sample in generation.samples] == [2, 9, 5]


def test_malformed_log_probabilities_leave_the_answer_without_them() -> None:
    def malformed(payload: Payload, number: int) -> Reply:
        reply = _honours_n(payload, number)
        assert isinstance(reply.body, dict)
        reply.body["choices"][0]["logprobs"] = {"content": [{"token": "Paris", "logprob": "high"}]}
        return reply

    with scripted_server(malformed) as server:
        generation = _generator(server.base_url).generate(QUESTION)
    assert generation.greedy.text == "Paris" and generation.greedy.logprobs == ()


def test_a_seeded_generator_sends_the_same_sample_seeds_for_the_same_question() -> None:
    with scripted_server(_ignores_n) as server:
        generator = OpenAIGenerator(base_url=server.base_url, model="m", api_key="k", seed=4)
        generator.generate(QUESTION, n_samples=3)
        generator.generate((ChatMessage("user", "Another question?"),), n_samples=3)
        generator.generate(QUESTION, n_samples=3)
    calls = [[r.get("seed") for r in server.requests[i : i + 4]] for i in (0, 4, 8)]
    assert [call[0] for call in calls] == [None, None, None]  # the greedy request needs none
    seeds = [set(call[1:]) for call in calls]  # the single requests go out concurrently, in any order
    assert seeds[0] == seeds[2] != seeds[1]
    assert len(seeds[0]) == 3


def _with_timings(answer: Callable[[Payload, int], Reply]) -> Callable[[Payload, int], Reply]:
    """`answer`, with llama.cpp's `timings`: request k took k ms to prefill and 10k ms to decode."""

    def reply(payload: Payload, number: int) -> Reply:
        timed = answer(payload, number)
        assert isinstance(timed.body, dict)
        timed.body["timings"] = {"prompt_ms": float(number), "predicted_ms": 10.0 * number}
        return timed

    return reply


def test_the_servers_timings_add_up_over_the_greedy_and_the_sample_request() -> None:
    with scripted_server(_with_timings(_honours_n)) as server:
        generation = _generator(server.base_url).generate(QUESTION, n_samples=3)
    # Request 1 (greedy) then request 2 (n=3).
    assert (generation.model_time.prefill_ms, generation.model_time.decode_ms) == (3.0, 30.0)


def test_concurrent_single_sample_requests_count_their_longest_time_not_the_sum() -> None:
    with scripted_server(_with_timings(_ignores_n)) as server:
        generation = _generator(server.base_url).generate(QUESTION, n_samples=3)
    # Greedy (1), the n=3 request answered with one choice (2), then requests 3 and 4 together.
    assert (generation.model_time.prefill_ms, generation.model_time.decode_ms) == (1 + 2 + 4, 10 + 20 + 40)


def test_a_server_without_timings_reports_no_model_time() -> None:
    with scripted_server(_honours_n) as server:
        generation = _generator(server.base_url).generate(QUESTION, n_samples=2)
    assert (generation.model_time.prefill_ms, generation.model_time.decode_ms) == (0.0, 0.0)


def test_stop_sampling_if_skips_the_sample_requests() -> None:
    with scripted_server(_honours_n) as server:
        generation = _generator(server.base_url).generate(
            QUESTION, n_samples=5, stop_sampling_if=lambda greedy: greedy.text == "Paris"
        )
    assert len(server.requests) == 1
    assert generation.samples == ()


def test_texts_are_cut_at_the_first_line_break_when_the_server_ignores_stop() -> None:
    with scripted_server(
        lambda p, n: choices_reply(["\n  Paris.\nMore text"], completion_tokens=5)
    ) as server:
        generation = _generator(server.base_url).generate(QUESTION)
    assert generation.greedy.text == "Paris."


def test_overloaded_server_is_retried_then_answers() -> None:
    def busy_twice(payload: Payload, number: int) -> Reply:
        return Reply(status=503) if number <= 2 else choices_reply(["Paris"], completion_tokens=1)

    with scripted_server(busy_twice) as server:
        generation = _generator(server.base_url, retries=2).generate(QUESTION)
    assert generation.greedy.text == "Paris"
    assert len(server.requests) == 3


def test_retries_exhausted_raise_backend_unavailable() -> None:
    with (
        scripted_server(lambda p, n: Reply(status=503)) as server,
        pytest.raises(BackendUnavailable, match="after 2 attempts"),
    ):
        _generator(server.base_url, retries=1).generate(QUESTION)
    assert len(server.requests) == 2


def test_a_rejected_request_is_a_generation_error_without_retry() -> None:
    with (
        scripted_server(lambda p, n: Reply(status=400, body='{"error": "bad model"}')) as server,
        pytest.raises(GenerationError, match="HTTP 400") as caught,
    ):
        _generator(server.base_url).generate(QUESTION)
    assert not isinstance(caught.value, BackendUnavailable)
    assert len(server.requests) == 1


def test_a_malformed_response_is_a_generation_error() -> None:
    with (
        scripted_server(lambda p, n: Reply(body={"object": "nothing useful"})) as server,
        pytest.raises(GenerationError, match="unexpected chat-completions response"),
    ):
        _generator(server.base_url).generate(QUESTION)


def test_a_server_slower_than_the_timeout_is_unavailable_within_the_bound() -> None:
    with scripted_server(lambda p, n: Reply(delay_s=2.0)) as server:
        started = time.monotonic()
        with pytest.raises(BackendUnavailable, match="Timeout"):
            _generator(server.base_url, retries=1, timeout_s=0.3).generate(QUESTION)
        elapsed = time.monotonic() - started
    assert elapsed < 1.5  # two attempts of 0.3 s plus backoff, not the server's 2 s each


def test_a_down_server_is_unavailable_quickly() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    generator = _generator(f"http://127.0.0.1:{closed_port}/v1", retries=2, timeout_s=2.0)
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match="ConnectError"):
        generator.generate(QUESTION)
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"n_samples": -1}, "n_samples"),
        ({"n_samples": 2, "temperature": 0.0}, "temperature"),
        ({"max_new_tokens": 0}, "max"),
    ],
)
def test_bad_arguments_raise_generation_error_before_any_request(
    arguments: dict[str, float], message: str
) -> None:
    with scripted_server(_honours_n) as server, pytest.raises(GenerationError, match=message):
        _generator(server.base_url).generate(QUESTION, **arguments)  # type: ignore[arg-type]
    assert server.requests == []


@pytest.fixture(scope="module")
def tiny_server_url() -> Iterator[str]:
    # One thread, as in test_llamacpp_generator: a spinning thread pool suffers on a busy machine.
    with llama_server(tiny_model_file(), threads=1) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def tiny_remote_generator(tiny_server_url: str) -> Iterator[OpenAIGenerator]:
    generator = OpenAIGenerator(
        base_url=tiny_server_url, model="smollm2", api_key="none", timeout_s=60, seed=1
    )
    yield generator
    generator.close()


@pytest.mark.slow
class TestOpenAIContractOnLlamaCppServer(GeneratorContract):
    @pytest.fixture
    def generator(self, tiny_remote_generator: OpenAIGenerator) -> Generator:
        return tiny_remote_generator


@pytest.mark.slow
def test_the_real_server_answers_the_greedy_request_like_a_local_greedy_answer(
    tiny_remote_generator: OpenAIGenerator,
) -> None:
    remote = tiny_remote_generator
    first = remote.generate(CONTRACT_QUESTION, n_samples=3, temperature=1.0, max_new_tokens=16)
    second = remote.generate(CONTRACT_QUESTION, max_new_tokens=16)
    assert_same_answer(first.greedy, second.greedy)
    assert first.greedy.text and 1 <= first.greedy.tokens <= 16
    assert len(first.samples) == 3


# -- greedy answer and samples in one streamed request (a server with the greedy-first patch) --------


def _event(index: int, content: str | None, tokens: list[tuple[str, float]], **extra: object) -> str:
    choice: dict[str, object] = {"index": index, "delta": {} if content is None else {"content": content}}
    if tokens:
        choice["logprobs"] = {"content": [{"token": t, "logprob": p} for t, p in tokens]}
    choice["finish_reason"] = extra.pop("finish_reason", None)
    return "data: " + json.dumps({"choices": [choice], **extra}) + "\n\n"


def _end(index: int, predicted_ms: float) -> str:
    timings = {"prompt_n": 9, "cache_n": 3, "prompt_ms": 40.0, "predicted_ms": predicted_ms}
    return _event(index, None, [], finish_reason="stop", timings=timings)


# Choice 0 ends after "Paris" and a token that adds no text yet (the first bytes of a character
# split across tokens), then the stop string's token, which is not part of the answer; the samples
# end later.
GREEDY_EVENTS = [
    _event(0, "Par", [("Par", -0.1)]),
    _event(1, "Lyon", [("Lyon", -2.0)]),
    _event(0, "is", [("is", -0.2)]),
    _event(0, "", [("\u00e2", -0.3)]),
    _event(0, "", [(".\n", -0.4)]),
    _end(0, 100.0),
]
SAMPLE_EVENTS = [_event(2, "Paris", [("Paris", -0.5)]), _end(1, 120.0), _end(2, 110.0), "data: [DONE]\n\n"]


def _streamed(events: list[str]) -> Callable[[Payload, int], Reply]:
    return lambda payload, number: Reply(body="".join(events))


def _greedy_first(base_url: str) -> OpenAIGenerator:
    return OpenAIGenerator(
        base_url=base_url, model="m", api_key="k", timeout_s=5.0, retries=0, seed=3, greedy_first=True
    )


def test_greedy_first_asks_for_the_answer_and_its_samples_in_one_streamed_request() -> None:
    with scripted_server(_streamed([*GREEDY_EVENTS, *SAMPLE_EVENTS])) as server:
        generation = _greedy_first(server.base_url).generate(QUESTION, n_samples=2, temperature=0.7)
    (payload,) = server.requests
    # The server seeds choice i with seed + i: the samples get the seeds of a samples request alone.
    assert payload["seed"] == prompt_seeds(3, QUESTION, 1)[0] - 1
    assert (payload["n"], payload["temperature"], payload["greedy_first"], payload["stream"]) == (
        3,
        0.7,
        True,
        True,
    )
    assert generation.greedy == Completion("Paris", 3, (-0.1, -0.2, -0.3))
    assert [s.text for s in generation.samples] == ["Lyon", "Paris"]
    assert generation.prompt_tokens == 12  # evaluated and cached prompt tokens
    assert (generation.model_time.prefill_ms, generation.model_time.decode_ms) == (40.0, 120.0)


def test_greedy_first_closes_the_stream_when_the_greedy_answer_decides_alone() -> None:
    broken = ["data: {not json\n\n"]  # read only if the samples were still wanted
    seen: list[Completion] = []

    def decided(greedy: Completion) -> bool:
        seen.append(greedy)
        return True

    with scripted_server(_streamed([*GREEDY_EVENTS, *broken])) as server:
        generation = _greedy_first(server.base_url).generate(QUESTION, n_samples=2, stop_sampling_if=decided)
    assert generation.samples == () and seen == [generation.greedy]
    assert generation.greedy.text == "Paris" and generation.model_time.decode_ms == 100.0


def test_greedy_first_reads_on_when_the_samples_are_wanted() -> None:
    with scripted_server(_streamed([*GREEDY_EVENTS, *SAMPLE_EVENTS])) as server:
        generation = _greedy_first(server.base_url).generate(
            QUESTION, n_samples=2, stop_sampling_if=lambda greedy: False
        )
    assert len(generation.samples) == 2


def test_a_stream_that_ends_before_its_choices_do_is_an_unavailable_server() -> None:
    ended = scripted_server(_streamed([*GREEDY_EVENTS, "data: [DONE]\n\n"]))
    with ended as server, pytest.raises(BackendUnavailable, match="before every choice"):
        _greedy_first(server.base_url).generate(QUESTION, n_samples=2)


def test_an_error_in_the_stream_is_a_generation_error() -> None:
    failing = [*GREEDY_EVENTS[:2], 'data: {"error": {"code": 500, "message": "out of memory"}}\n\n']
    with scripted_server(_streamed(failing)) as server, pytest.raises(GenerationError, match="out of memory"):
        _greedy_first(server.base_url).generate(QUESTION, n_samples=2)


def test_greedy_first_does_not_apply_to_a_greedy_answer_alone_or_a_known_one() -> None:
    with scripted_server(_honours_n) as server:
        generator = _greedy_first(server.base_url)
        alone = generator.generate(QUESTION)
        generator.generate(QUESTION, n_samples=2, known_greedy=alone.greedy)
    assert ["greedy_first" in payload for payload in server.requests] == [False, False]
