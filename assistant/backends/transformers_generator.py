"""The transformers Generator: a local chat model that answers greedily and samples in one batched call."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from time import perf_counter
from typing import Any

import torch
from transformers import GenerationConfig, LogitsProcessorList, StoppingCriteriaList

from assistant.backends._answer_text import cut_at_line_break
from assistant.backends._completion_rows import check_arguments
from assistant.backends._hf_loading import LoadedModel, load_model
from assistant.backends._hf_stopping import AnswerStops, GreedyFirstRow, GreedyLogprobs
from assistant.backends._seeding import prompt_seeds
from assistant.backends.cpu_flags import available_cores
from assistant.backends.model_files import embedded_model_file
from assistant.errors import GenerationError, ModelLoadError
from assistant.protocols import ChatMessage, Completion, Generation, ModelTime

# What torch and transformers raise when generation itself fails (shapes, memory, bad token ids).
_GENERATE_ERRORS = (RuntimeError, ValueError, IndexError, MemoryError)


class TransformersGenerator:
    """A `Generator` over a local transformers model; thread-safe (calls are serialised).

    The greedy answer and the samples share one `generate` call: the prompt is encoded once, its
    key/value cache is copied to 1 + k rows, and a logits processor keeps row 0 greedy while the other
    rows sample, so the main answer plus k samples cost about one decoding pass.
    """

    def __init__(self, loaded: LoadedModel, *, model_id: str, seed: int | None = None) -> None:
        self._model = loaded.model
        self._tokenizer = loaded.tokenizer
        self._model_id = model_id
        self._model_dir = loaded.directory
        self._eos_token_ids = _eos_token_ids(loaded)
        self._lock = threading.Lock()
        self._seed = seed

    @classmethod
    def load(
        cls,
        *,
        model_path: Path | None,
        cache_dir: Path,
        dtype: str = "auto",
        threads: int = 0,
        seed: int | None = None,
    ) -> TransformersGenerator:
        """Load `model_path` (a GGUF file or a transformers directory; None = the embedded default model)."""
        torch.set_num_threads(threads or available_cores())
        path = embedded_model_file(cache_dir) if model_path is None else model_path
        loaded = load_model(path, cache_dir=cache_dir, dtype=dtype)
        return cls(loaded, model_id=path.stem if path.is_file() else path.name, seed=seed)

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def model_dir(self) -> Path:
        """The transformers directory the weights came from (the converted copy, for a GGUF)."""
        return self._model_dir

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
        with self._lock, torch.inference_mode():
            # Encoding stays under the lock too: a fast tokenizer is not safe to share across threads.
            prompt = self._encode(messages)
            if self._seed is not None:
                torch.manual_seed(prompt_seeds(self._seed, messages, 1)[0])
            try:
                rows, stops, logprobs, model_time = self._decode_batch(
                    prompt,
                    n_samples=n_samples,
                    temperature=temperature,
                    max_new_tokens=max_new_tokens,
                    stop_sampling_if=stop_sampling_if,
                )
            except _GENERATE_ERRORS as error:
                raise GenerationError(f"{self._model_id} failed to generate: {error}") from error
            completions = [self._completion(row, stops.lengths[i]) for i, row in enumerate(rows)]
        first, prompt_tokens = completions[0], int(prompt.shape[1])
        greedy = Completion(first.text, first.tokens, tuple(logprobs[: first.tokens]))
        if known_greedy is not None:  # decoded all the same: row 0 leads the batch the samples share
            greedy = known_greedy
        skipped = stops.sampling_skipped or _skip_after_limit(stops, stop_sampling_if, greedy)
        samples = () if skipped else tuple(completions[1:])
        return Generation(greedy=greedy, samples=samples, prompt_tokens=prompt_tokens, model_time=model_time)

    def _encode(self, messages: Sequence[ChatMessage]) -> torch.Tensor:
        chat = [{"role": message.role, "content": message.content} for message in messages]
        try:
            encoded = self._tokenizer.apply_chat_template(
                chat, add_generation_prompt=True, return_tensors="pt", return_dict=True
            )
        except (ValueError, TypeError, KeyError) as error:
            raise GenerationError(f"cannot apply the chat template of {self._model_id}: {error}") from error
        input_ids: torch.Tensor = encoded["input_ids"]  # type: ignore[call-overload,index,assignment]
        return input_ids

    def _decode_batch(
        self,
        prompt: torch.Tensor,
        *,
        n_samples: int,
        temperature: float,
        max_new_tokens: int,
        stop_sampling_if: Callable[[Completion], bool] | None,
    ) -> tuple[list[list[int]], AnswerStops, list[float], ModelTime]:
        rows = 1 + n_samples
        started = perf_counter()
        cache = self._prefill(prompt, rows=rows)
        prefilled = perf_counter()
        input_ids = prompt.repeat(rows, 1)
        logprobs = GreedyLogprobs()
        stops = AnswerStops(
            prompt_length=prompt.shape[1],
            rows=rows,
            eos_token_ids=self._eos_token_ids,
            decode=self._decode_tokens,
            stop_sampling_if=stop_sampling_if,
            greedy_logprobs=logprobs,
        )
        processors: list[Any] = [logprobs, GreedyFirstRow()] if n_samples else [logprobs]
        output = self._model.generate(
            input_ids,
            attention_mask=torch.ones_like(input_ids),
            past_key_values=cache,
            generation_config=self._generation_config(
                sample=n_samples > 0, temperature=temperature, max_new_tokens=max_new_tokens
            ),
            logits_processor=LogitsProcessorList(processors),
            stopping_criteria=StoppingCriteriaList([stops]),
        )
        generated = output[:, prompt.shape[1] :].tolist()
        # The prompt's last token is evaluated by `generate`, with the first decode step.
        return generated, stops, logprobs.values, ModelTime.between(started, prefilled, perf_counter())

    def _prefill(self, prompt: torch.Tensor, *, rows: int) -> Any:
        """Encode all but the last prompt token once, then copy that cache to every row of the batch."""
        if prompt.shape[1] < 2:
            return None
        # logits_to_keep=1: the logits of every prompt position would be prompt length x vocabulary floats.
        outputs = self._model(input_ids=prompt[:, :-1], use_cache=True, logits_to_keep=1)
        cache = outputs.past_key_values
        if rows > 1:
            cache.batch_repeat_interleave(rows)
        return cache

    def _generation_config(
        self, *, sample: bool, temperature: float, max_new_tokens: int
    ) -> GenerationConfig:
        pad = self._tokenizer.pad_token_id
        common: dict[str, Any] = {
            "max_new_tokens": max_new_tokens,
            "repetition_penalty": 1.0,
            "eos_token_id": list(self._eos_token_ids),
            "pad_token_id": pad if pad is not None else self._eos_token_ids[0],
        }
        if not sample:
            return GenerationConfig(do_sample=False, **common)  # type: ignore[no-untyped-call]
        # Explicit neutral values: otherwise the model's own defaults (top_k, top_p) would apply,
        # and samples would not be drawn at plain `temperature`.
        return GenerationConfig(  # type: ignore[no-untyped-call]
            do_sample=True, temperature=temperature, top_k=0, top_p=1.0, **common
        )

    def _decode_tokens(self, tokens: Sequence[int]) -> str:
        return str(self._tokenizer.decode(list(tokens), skip_special_tokens=False))

    def _completion(self, row: list[int], length: int | None) -> Completion:
        tokens = row if length is None else row[:length]
        eos = set(self._eos_token_ids)
        text = self._decode_tokens([token for token in tokens if token not in eos])
        return Completion(text=cut_at_line_break(text), tokens=len(tokens))


def _skip_after_limit(
    stops: AnswerStops, stop_sampling_if: Callable[[Completion], bool] | None, greedy: Completion
) -> bool:
    """The greedy row ran into `max_new_tokens` before its predicate could run: ask it now."""
    sampled = len(stops.lengths) > 1
    return sampled and stops.lengths[0] is None and stop_sampling_if is not None and stop_sampling_if(greedy)


def _eos_token_ids(loaded: LoadedModel) -> tuple[int, ...]:
    ids: set[int] = set()
    configured = loaded.model.generation_config.eos_token_id
    if isinstance(configured, int):
        ids.add(configured)
    elif configured:
        ids.update(int(token) for token in configured)
    if loaded.tokenizer.eos_token_id is not None:
        ids.add(int(loaded.tokenizer.eos_token_id))
    if not ids:
        raise ModelLoadError(f"the model in {loaded.directory} defines no end-of-sequence token")
    return tuple(sorted(ids))
