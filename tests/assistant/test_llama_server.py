"""The managed llama-server backend's process lifecycle, over a stand-in executable (fast), and the
Generator contract over the real llama-server that `make install` builds (slow)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from assistant.backends.cpu_flags import has_amx_int8
from assistant.backends.llama_server import (
    LOG_TAIL_BYTES,
    LlamaServer,
    LogTail,
    ManagedServerGenerator,
    ServerOptions,
    default_binary,
    knows_greedy_first,
)
from assistant.backends.model_files import embedded_model_file, tiny_model_file
from assistant.backends.requantize import pinned_q8_0_copy
from assistant.errors import BackendUnavailable, ModelLoadError
from assistant.protocols import ChatMessage, Generation, Generator
from tests.support.generator_contract import (
    QUESTION,
    GeneratorContract,
    ModelTimeContract,
    assert_same_answer,
)
from tests.support.served_process import free_port, stop, wait_until_ok

FAKE_SERVER = Path(__file__).resolve().parents[1] / "support" / "fake_llama_server.py"
CRASH = [ChatMessage("user", "crash")]
FERRY_QUESTION = (
    "Passages:\n[1] The Varnholm ferry crossing takes 47 minutes.\n\nQuestion: How long is the crossing?"
)


@pytest.fixture
def fake_options(tmp_path: Path) -> ServerOptions:
    binary = tmp_path / "llama-server"
    binary.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_SERVER}" "$@"\n')
    binary.chmod(0o755)
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF")
    return ServerOptions(binary=binary, model_path=model, threads=1, ready_timeout_s=30)


@pytest.fixture
def fake_generator(fake_options: ServerOptions) -> Iterator[ManagedServerGenerator]:
    generator = ManagedServerGenerator(LlamaServer(fake_options))
    yield generator
    generator.close()


def _pid(generator: ManagedServerGenerator) -> int:
    return int(generator.generate(QUESTION).greedy.text.split()[-1])


def _gone(pid: int, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists():
            return True
        time.sleep(0.05)
    return False


def test_the_command_runs_parallel_slots_over_one_shared_cache(fake_options: ServerOptions) -> None:
    command = fake_options.command(port=4321)
    assert command[0] == str(fake_options.binary)
    for flag, value in [
        ("--port", "4321"),
        ("--parallel", "48"),
        ("--host", "127.0.0.1"),
        ("--threads", "1"),
    ]:
        assert command[command.index(flag) + 1] == value
    assert "--kv-unified" in command


def test_a_missing_executable_is_a_clear_load_error(fake_options: ServerOptions, tmp_path: Path) -> None:
    options = ServerOptions(binary=tmp_path / "absent", model_path=fake_options.model_path, threads=1)
    with pytest.raises(ModelLoadError, match=r"llama-server not found at .*make install"):
        ManagedServerGenerator(LlamaServer(options))


def test_a_server_that_exits_at_start_reports_its_output(
    fake_options: ServerOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_FAIL_AT_START", "1")
    with pytest.raises(ModelLoadError, match="exited with code 1: error: failed to load model"):
        ManagedServerGenerator(LlamaServer(fake_options))


def test_a_server_killed_by_a_signal_at_start_names_it(
    fake_options: ServerOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_SIGNAL_AT_START", str(int(signal.SIGILL)))
    with pytest.raises(ModelLoadError, match=r"killed by SIGILL \(an instruction this CPU.*threadpool init"):
        ManagedServerGenerator(LlamaServer(fake_options))


def test_a_crash_fails_that_request_and_the_next_one_gets_a_new_server(
    fake_generator: ManagedServerGenerator,
) -> None:
    first_pid = _pid(fake_generator)
    with pytest.raises(BackendUnavailable, match="llama-server stopped while answering"):
        fake_generator.generate(CRASH)
    assert _gone(first_pid)
    second_pid = _pid(fake_generator)
    assert second_pid != first_pid
    assert fake_generator.model_id == "llama-server:model.gguf"


def test_the_server_outlives_the_thread_that_started_it(fake_options: ServerOptions) -> None:
    """The app loads its models in a thread that ends; the server must keep serving after it."""
    started: list[ManagedServerGenerator] = []
    loader = threading.Thread(
        target=lambda: started.append(ManagedServerGenerator(LlamaServer(fake_options)))
    )
    loader.start()
    loader.join()
    (generator,) = started
    try:
        time.sleep(0.5)
        assert generator.generate(QUESTION).greedy.text.startswith("answer")
    finally:
        generator.close()


def test_close_stops_the_server(fake_options: ServerOptions) -> None:
    generator = ManagedServerGenerator(LlamaServer(fake_options))
    pid = _pid(generator)
    generator.close()
    assert _gone(pid)


def test_the_kept_log_is_bounded_and_holds_the_latest_lines(fake_options: ServerOptions) -> None:
    server = LlamaServer(fake_options)
    generator = ManagedServerGenerator(server)
    try:
        for _ in range(100):  # about 100 KB of log
            generator.generate(QUESTION)
        time.sleep(0.2)  # the reader thread catches up with the pipe
        kept = server.log_tail(10**7)
    finally:
        generator.close()
    assert len(kept.encode()) <= LOG_TAIL_BYTES
    assert "request 100 " in kept and "request 1 " not in kept


def test_a_log_tail_keeps_the_last_bytes_written_to_its_pipe() -> None:
    read_end, write_end = os.pipe()
    tail = LogTail(os.fdopen(read_end, "rb"), limit=1000)
    with os.fdopen(write_end, "wb") as writer:
        for n in range(300):
            writer.write(f"line {n:03d}\n".encode())
            writer.flush()
    tail.wait_for_end(5.0)
    kept = tail.text(10**6)
    assert kept.endswith("line 299\n") and "line 000" not in kept
    assert len(kept) == 1000


# -- the real llama-server ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_llama_server() -> LlamaServer:
    options = ServerOptions(binary=default_binary(), model_path=tiny_model_file(), threads=1, slots=8)
    return LlamaServer(options)


@pytest.fixture(scope="module")
def tiny_managed_server(tiny_llama_server: LlamaServer) -> Iterator[ManagedServerGenerator]:
    generator = ManagedServerGenerator(tiny_llama_server, seed=1)
    yield generator
    generator.close()


@pytest.mark.slow
class TestManagedServerContract(GeneratorContract, ModelTimeContract):
    @pytest.fixture
    def generator(self, tiny_managed_server: ManagedServerGenerator) -> Generator:
        return tiny_managed_server


@pytest.mark.slow
def test_the_real_server_reports_the_greedy_tokens_log_probabilities(
    tiny_managed_server: ManagedServerGenerator,
) -> None:
    greedy = tiny_managed_server.generate(QUESTION, max_new_tokens=16).greedy
    assert len(greedy.logprobs) == greedy.tokens
    assert all(value <= 0.0 for value in greedy.logprobs)


@pytest.mark.slow
def test_the_real_server_says_it_knows_greedy_first(tiny_managed_server: ManagedServerGenerator) -> None:
    """The patched build says so in `/props`; the managed server's client then sends the greedy
    answer and its samples as one request (`OpenAIGenerator(greedy_first=True)`)."""
    assert tiny_managed_server.greedy_first
    assert not knows_greedy_first(f"http://127.0.0.1:{free_port()}/v1")  # nothing there: a plain client


@pytest.mark.slow
def test_the_greedy_answer_beside_its_samples_is_the_greedy_answer_alone(model_cache_dir: Path) -> None:
    """The greedy-first request gives the greedy answer of a request alone, log-probabilities and
    all (the patch streams those of tokens that add no text too: the end of sequence, bytes of a
    character split across tokens), in English and in Chinese, over the default model."""
    weights = pinned_q8_0_copy(
        embedded_model_file(model_cache_dir), server_binary=default_binary(), cache_dir=model_cache_dir
    )
    generator = ManagedServerGenerator(
        LlamaServer(ServerOptions(binary=default_binary(), model_path=weights, threads=2, slots=8)), seed=1
    )
    chinese = "段落：\n[1] 瓦恩霍尔姆渡轮的航程需要四十七分钟。\n\n问题：航程需要多长时间？请用中文回答。"
    try:
        for question in (FERRY_QUESTION, chinese):
            messages = [ChatMessage("user", question)]
            alone = generator.generate(messages, max_new_tokens=32).greedy
            together = generator.generate(
                messages,
                n_samples=3,
                temperature=0.7,
                max_new_tokens=32,
                stop_sampling_if=lambda greedy: False,
            )
            assert_same_answer(together.greedy, alone, logprob_tolerance=1e-3)
            assert len(together.samples) == 3 and alone.logprobs
    finally:
        generator.close()


@pytest.mark.slow
def test_the_server_drops_the_samples_once_the_greedy_answer_decides(
    tiny_managed_server: ManagedServerGenerator, tiny_llama_server: LlamaServer
) -> None:
    """At temperature 2 the tiny model's samples of this question run far past its greedy answer;
    when `stop_sampling_if` says so at the greedy answer's end, the server stops them there (its
    log: each task's tokens when its slot is released)."""
    messages = [ChatMessage("user", "What is 2+2?")]
    options = {"n_samples": 3, "temperature": 2.0, "max_new_tokens": 400}
    kept = tiny_managed_server.generate(messages, stop_sampling_if=lambda greedy: False, **options)
    assert max(s.tokens for s in kept.samples) >= kept.greedy.tokens + 60  # else nothing to stop
    released_before = _released_slot_tokens(tiny_llama_server)
    dropped = tiny_managed_server.generate(messages, stop_sampling_if=lambda greedy: True, **options)
    assert dropped.samples == () and dropped.greedy == kept.greedy
    deadline = time.monotonic() + 30
    while len(released := _released_slot_tokens(tiny_llama_server)) < len(released_before) + 4:
        assert time.monotonic() < deadline, "the server did not release the request's four slots"
        time.sleep(0.1)
    # Each row holds the prompt and what it generated; a few steps pass before the server sees the
    # closed stream.
    assert max(released[-4:]) <= dropped.prompt_tokens + dropped.greedy.tokens + 10


def _released_slot_tokens(server: LlamaServer) -> list[int]:
    """`n_tokens` of every "stop processing" line in the server's kept log, oldest first."""
    log = server.log_tail(LOG_TAIL_BYTES)
    return [int(match) for match in re.findall(r"stop processing: n_tokens = (\d+)", log)]


@pytest.mark.slow
def test_eight_simultaneous_requests_are_all_answered(tiny_managed_server: ManagedServerGenerator) -> None:
    alone = tiny_managed_server.generate(QUESTION, n_samples=2, max_new_tokens=12)

    def ask(_: int) -> Generation:
        return tiny_managed_server.generate(QUESTION, n_samples=2, max_new_tokens=12)

    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(ask, range(8)))
    assert all(len(result.samples) == 2 for result in together)
    assert {result.greedy.text for result in together} == {alone.greedy.text}


@pytest.mark.slow
def test_rows_decoded_together_come_out_alike_whatever_their_number(model_cache_dir: Path) -> None:
    """5 to 7 rows take the wide tiles of llama_server_patches/q0-wide-tiles.patch on AVX-512 builds,
    4 rows the tiles llama.cpp ships: at temperature 0 every row of every request must be the same
    answer. Over the default model's Q8_0 copy, the weights those tiles compute."""
    weights = pinned_q8_0_copy(
        embedded_model_file(model_cache_dir), server_binary=default_binary(), cache_dir=model_cache_dir
    )
    server = LlamaServer(ServerOptions(binary=default_binary(), model_path=weights, threads=1, slots=8))
    url = server.start()
    try:
        rows = {
            n: [
                choice["message"]["content"]
                for choice in httpx.post(
                    f"{url}/chat/completions",
                    json={
                        "messages": [{"role": "user", "content": FERRY_QUESTION}],
                        "n": n,
                        "temperature": 0.0,
                        "max_tokens": 24,
                    },
                    timeout=300,
                ).json()["choices"]
            ]
            for n in (4, 5, 6, 7)
        }
    finally:
        server.stop()
    assert {n: len(texts) for n, texts in rows.items()} == {4: 4, 5: 5, 6: 6, 7: 7}
    answers = {text for texts in rows.values() for text in texts}
    assert len(answers) == 1, rows
    assert "47" in answers.pop()


@pytest.mark.slow
def test_an_amx_cpu_multiplies_the_q8_0_weights_with_amx_and_answers_right(model_cache_dir: Path) -> None:
    """ggml loads its Sapphire Rapids variant exactly where the CPU has AMX, and there the weights go
    to AMX buffers (llama_server_patches/amx-tile-config.patch keeps its first tile instruction from
    dying of SIGILL); elsewhere a variant without AMX answers the same question."""
    weights = pinned_q8_0_copy(
        embedded_model_file(model_cache_dir), server_binary=default_binary(), cache_dir=model_cache_dir
    )
    port = free_port()
    command = [str(default_binary()), "--model", str(weights), "--port", str(port), "--threads", "2"]
    command += ["--ctx-size", "2048", "--no-webui", "-lv", "4"]  # level 4 names variant and buffers
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)

        def log_text() -> str:
            log.seek(0)
            return log.read().decode(errors="replace")

        try:
            wait_until_ok(f"http://127.0.0.1:{port}/health", server, timeout_s=120, log_tail=log_text)
            reply = httpx.post(
                f"http://127.0.0.1:{port}/v1/chat/completions",
                json={
                    "messages": [{"role": "user", "content": FERRY_QUESTION}],
                    "temperature": 0.0,
                    "max_tokens": 24,
                },
                timeout=300,
            ).json()
        finally:
            stop(server)
        text = log_text()
    assert "47" in reply["choices"][0]["message"]["content"]
    assert ("libggml-cpu-sapphirerapids.so" in text) is has_amx_int8(), text[:2000]
    assert ("AMX model buffer size" in text) is has_amx_int8(), text[:2000]
