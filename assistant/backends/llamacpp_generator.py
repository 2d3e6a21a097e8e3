"""Generator backed by llama.cpp: the greedy answer and k samples as parallel sequences of one batch."""

from __future__ import annotations

import importlib
import logging
import threading
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np

from assistant.backends._completion_rows import CompletionRow, check_arguments, sample_token_cap
from assistant.backends._llamacpp_vocab import LlamaVocab
from assistant.backends._seeding import prompt_seeds
from assistant.backends.cpu_flags import available_cores
from assistant.errors import GenerationError, ModelLoadError
from assistant.protocols import ChatMessage, Completion, Generation, ModelTime

_PREFILL_BATCH = 512


def _import_llama_cpp() -> Any:
    # Imported by name, as Any: llama-cpp-python is an optional extra, and its partly annotated
    # ctypes bindings would make `mypy --strict` disagree between machines with and without it.
    try:
        module = importlib.import_module("llama_cpp")
    except ImportError as exc:
        raise ModelLoadError(
            "the llama.cpp backend needs llama-cpp-python (see docs/backends.md for the install line)"
        ) from exc
    logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)
    return module


class LlamaCppGenerator:
    """A GGUF chat model on llama.cpp.

    One `generate` call prefills the prompt once on sequence 0, copies its KV cells to sequences
    1..k (in a unified KV cache the copy only tags cells, it moves no data), then decodes all k+1
    sequences step by step in one batch: row 0 greedy, rows 1..k sampled. Row 0 also reports the
    log-probability of each token it chose (a confidence signal). The model and context are not
    thread-safe, so calls are serialised by a lock.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        threads: int = 0,
        context_tokens: int = 8192,
        max_sequences: int = 16,
        seed: int | None = None,
    ) -> None:
        if not model_path.is_file():
            raise ModelLoadError(f"GGUF model file not found: {model_path}")
        self._llama = _import_llama_cpp()
        self._path = model_path
        self._max_sequences = max_sequences
        self._threads = threads or available_cores()
        self._seed = seed
        self._lock = threading.Lock()
        self._model, self._context = self._load(context_tokens)
        self._finalizer = weakref.finalize(self, _free, self._llama, self._model, self._context)
        self._vocab = LlamaVocab(self._llama, self._model, model_name=model_path.name)
        self._context_tokens = int(self._llama.llama_n_ctx(self._context))
        self._format_chat = self._vocab.chat_formatter()

    @property
    def model_id(self) -> str:
        return f"llamacpp:{self._path.name}"

    @property
    def threads(self) -> int:
        return self._threads

    @property
    def weight_bytes(self) -> int:
        """Bytes of weights a forward pass reads (for the bandwidth comparison in bench/)."""
        return int(self._llama.llama_model_size(self._model))

    @property
    def matmul_parameters(self) -> int:
        """Weights one token is multiplied by: all but the embedding table, which is only looked up.

        2 x this = the FLOPs of one token, for the matmul-throughput comparison in bench/.
        """
        embedding = int(self._llama.llama_model_n_embd(self._model)) * self._vocab.size
        return int(self._llama.llama_model_n_params(self._model)) - embedding

    def close(self) -> None:
        """Free the model and context now rather than at garbage collection."""
        with self._lock:
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
        if n_samples >= self._max_sequences:
            raise GenerationError(f"at most {self._max_sequences - 1} samples per call, not {n_samples}")
        rows = [CompletionRow(max_new_tokens) for _ in range(n_samples + 1)]
        with self._lock:
            if not self._finalizer.alive:
                raise GenerationError("the llama.cpp generator was closed")
            prompt = self._vocab.tokenize(self._format_chat(messages))
            self._check_fits(len(prompt), rows=len(rows), max_new_tokens=max_new_tokens)
            samplers = self._samplers(prompt_seeds(self._seed, messages, n_samples), temperature)
            try:
                sampled, model_time = self._decode(prompt, rows, samplers, stop_sampling_if)
            finally:
                for sampler in samplers:
                    self._llama.llama_sampler_free(sampler)
        # Decoded beside the samples all the same: the greedy row is one row of the same batch.
        greedy = rows[0].completion() if known_greedy is None else known_greedy
        samples: tuple[Completion, ...] = tuple(row.completion() for row in rows[1:]) if sampled else ()
        return Generation(greedy=greedy, samples=samples, prompt_tokens=len(prompt), model_time=model_time)

    def _check_fits(self, prompt_tokens: int, *, rows: int, max_new_tokens: int) -> None:
        if prompt_tokens + rows * max_new_tokens > self._context_tokens:
            raise GenerationError(
                f"prompt of {prompt_tokens} tokens plus {rows} x {max_new_tokens} new tokens "
                f"exceeds the context of {self._context_tokens} tokens"
            )

    # -- decoding ---------------------------------------------------------------------------------

    def _decode(
        self,
        prompt: list[int],
        rows: list[CompletionRow],
        samplers: list[Any],
        stop_sampling_if: Callable[[Completion], bool] | None,
    ) -> tuple[bool, ModelTime]:
        """Decode all rows to their stop; False when the samples were abandoned after the greedy row."""
        llama = self._llama
        memory = llama.llama_get_memory(self._context)
        llama.llama_memory_clear(memory, True)
        batch = llama.llama_batch_init(max(_PREFILL_BATCH, len(rows)), 0, 1)
        try:
            started = perf_counter()
            last = self._prefill(batch, prompt)
            prefilled = perf_counter()
            for seq_id in range(1, len(rows)):
                llama.llama_memory_seq_cp(memory, 0, seq_id, -1, -1)
            outputs = {seq_id: last for seq_id in range(len(rows))}
            position = len(prompt)
            sampling = len(rows) > 1
            greedy_running = True
            while outputs:
                tokens = self._sample(rows, samplers, outputs)
                if greedy_running and rows[0].done:
                    greedy_running = False
                    sampling = sampling and _keep_sampling(rows, stop_sampling_if)
                active = {
                    seq_id: token
                    for seq_id, token in tokens.items()
                    if seq_id == 0 or (sampling and not rows[seq_id].done)
                }
                outputs = self._step(batch, active, position)
                position += 1
            return sampling, ModelTime.between(started, prefilled, perf_counter())
        finally:
            llama.llama_batch_free(batch)

    def _prefill(self, batch: Any, prompt: list[int]) -> int:
        """Evaluate the prompt on sequence 0; the batch index of the last token's logits."""
        for start in range(0, len(prompt), _PREFILL_BATCH):
            chunk = prompt[start : start + _PREFILL_BATCH]
            is_last_chunk = start + len(chunk) == len(prompt)
            for index, token in enumerate(chunk):
                wants_logits = is_last_chunk and index == len(chunk) - 1
                _put(batch, index, token=token, position=start + index, seq_id=0, logits=wants_logits)
            batch.n_tokens = len(chunk)
            self._run(batch)
        return int(batch.n_tokens) - 1

    def _sample(
        self, rows: list[CompletionRow], samplers: list[Any], outputs: dict[int, int]
    ) -> dict[int, int]:
        """Sample the next token of every row that has logits; the tokens of rows still running."""
        next_tokens = {}
        for seq_id, batch_index in outputs.items():
            token = int(self._llama.llama_sampler_sample(samplers[seq_id], self._context, batch_index))
            end = self._vocab.ends_generation(token)
            logprob = self._logprob(batch_index, token) if seq_id == 0 and not end else None
            rows[seq_id].add(b"" if end else self._vocab.piece(token), end_of_sequence=end, logprob=logprob)
            if not rows[seq_id].done:
                next_tokens[seq_id] = token
        return next_tokens

    def _logprob(self, batch_index: int, token: int) -> float:
        """log softmax(logits)[token] at `batch_index` (the raw logits: samplers do not change them)."""
        pointer = self._llama.llama_get_logits_ith(self._context, batch_index)
        logits = np.ctypeslib.as_array(pointer, shape=(self._vocab.size,)).astype(np.float64)
        top = float(logits.max())
        return float(logits[token] - top - np.log(np.exp(logits - top).sum()))

    def _step(self, batch: Any, tokens: dict[int, int], position: int) -> dict[int, int]:
        """Decode one token per running row; where each row's logits sit in the batch."""
        if not tokens:
            return {}
        outputs = {}
        for index, (seq_id, token) in enumerate(tokens.items()):
            _put(batch, index, token=token, position=position, seq_id=seq_id, logits=True)
            outputs[seq_id] = index
        batch.n_tokens = len(tokens)
        self._run(batch)
        return outputs

    def _run(self, batch: Any) -> None:
        status = int(self._llama.llama_decode(self._context, batch))
        if status != 0:
            raise GenerationError(f"llama_decode failed with status {status}")

    def _samplers(self, seeds: list[int], temperature: float) -> list[Any]:
        """The greedy row's sampler, then one seeded sampler per sample row."""
        llama = self._llama
        samplers = [llama.llama_sampler_init_greedy()]
        for seed in seeds:
            chain = llama.llama_sampler_chain_init(llama.llama_sampler_chain_default_params())
            llama.llama_sampler_chain_add(chain, llama.llama_sampler_init_temp(temperature))
            llama.llama_sampler_chain_add(chain, llama.llama_sampler_init_dist(seed))
            samplers.append(chain)
        return samplers

    # -- model, tokens, chat template -------------------------------------------------------------

    def _load(self, context_tokens: int) -> tuple[Any, Any]:
        llama = self._llama
        llama.llama_backend_init()
        model = llama.llama_model_load_from_file(str(self._path).encode(), llama.llama_model_default_params())
        if not model:
            raise ModelLoadError(f"llama.cpp could not load {self._path}")
        params = llama.llama_context_default_params()
        params.n_ctx = min(context_tokens, int(llama.llama_model_n_ctx_train(model)))
        params.n_batch = params.n_ubatch = _PREFILL_BATCH
        params.n_seq_max = self._max_sequences
        params.kv_unified = True  # one cache shared by all rows, so the prompt is stored once
        params.n_threads = params.n_threads_batch = self._threads
        params.no_perf = True
        context = llama.llama_init_from_model(model, params)
        if not context:
            llama.llama_model_free(model)
            raise ModelLoadError(f"llama.cpp could not create a context for {self._path}")
        return model, context


def _keep_sampling(rows: list[CompletionRow], stop_sampling_if: Callable[[Completion], bool] | None) -> bool:
    """The greedy row 0 has ended: False to drop the samples, else cap them near its length."""
    if stop_sampling_if is not None and stop_sampling_if(rows[0].completion()):
        return False
    for row in rows[1:]:
        row.cap(sample_token_cap(rows[0].tokens))
    return True


def _put(batch: Any, index: int, *, token: int, position: int, seq_id: int, logits: bool) -> None:
    batch.token[index] = token
    batch.pos[index] = position
    batch.n_seq_id[index] = 1
    batch.seq_id[index][0] = seq_id
    batch.logits[index] = logits


def _free(llama: Any, model: Any, context: Any) -> None:
    llama.llama_free(context)
    llama.llama_model_free(model)
