"""A llama.cpp model's vocabulary: text to tokens, tokens to text, and the chat template it ships."""

from __future__ import annotations

import ctypes
import importlib
from collections.abc import Callable, Sequence
from typing import Any

from assistant.errors import GenerationError, ModelLoadError
from assistant.protocols import ChatMessage

_PIECE_BUFFER = 256


class LlamaVocab:
    """`llama` is the llama_cpp module, passed in so that only the generator imports it."""

    def __init__(self, llama: Any, model: Any, *, model_name: str) -> None:
        self._llama = llama
        self._model = model
        self._model_name = model_name
        self._vocab = llama.llama_model_get_vocab(model)
        self.size = int(llama.llama_vocab_n_tokens(self._vocab))

    def tokenize(self, text: str) -> list[int]:
        data = text.encode()
        capacity = len(data) + 8
        buffer = (self._llama.llama_token * capacity)()
        # add_special=False: the chat template already writes any BOS token the model expects.
        count = int(self._llama.llama_tokenize(self._vocab, data, len(data), buffer, capacity, False, True))
        if count < 0:
            raise GenerationError(f"tokenization failed ({count})")
        return list(buffer[:count])

    def piece(self, token: int) -> bytes:
        buffer = ctypes.create_string_buffer(_PIECE_BUFFER)
        length = int(self._llama.llama_token_to_piece(self._vocab, token, buffer, _PIECE_BUFFER, 0, False))
        return buffer.raw[: max(length, 0)]

    def ends_generation(self, token: int) -> bool:
        return bool(self._llama.llama_vocab_is_eog(self._vocab, token))

    def chat_formatter(self) -> Callable[[Sequence[ChatMessage]], str]:
        template = self._llama.llama_model_chat_template(self._model, None)
        if not template:
            raise ModelLoadError(f"{self._model_name} has no chat template in its GGUF metadata")
        chat_format = importlib.import_module("llama_cpp.llama_chat_format")
        formatter = chat_format.Jinja2ChatFormatter(
            template=bytes(template).decode(),
            eos_token=self._token_text(int(self._llama.llama_vocab_eos(self._vocab))),
            bos_token=self._token_text(int(self._llama.llama_vocab_bos(self._vocab))),
        )

        def format_chat(messages: Sequence[ChatMessage]) -> str:
            rendered = formatter(messages=[{"role": m.role, "content": m.content} for m in messages])
            return str(rendered.prompt)

        return format_chat

    def _token_text(self, token: int) -> str:
        if token < 0:
            return ""
        return bytes(self._llama.llama_vocab_get_text(self._vocab, token)).decode(errors="ignore")
