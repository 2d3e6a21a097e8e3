"""Per-row stop rules and the greedy row 0 for one batched transformers `generate` (answer + samples)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from transformers import LogitsProcessor, StoppingCriteria

from assistant.backends._answer_text import cut_at_line_break, ends_answer
from assistant.backends._completion_rows import sample_token_cap
from assistant.protocols import Completion


class GreedyLogprobs(LogitsProcessor):
    """Records, step by step, the log-probability of row 0's best next token: the greedy choice.

    Placed before any processor that changes row 0's scores, so it reads the model's own distribution.
    """

    def __init__(self) -> None:
        self.values: list[float] = []

    def __call__(self, input_ids: torch.LongTensor, scores: torch.Tensor) -> torch.Tensor:
        row = scores[0].float()
        self.values.append(float(row.max() - torch.logsumexp(row, dim=-1)))
        return scores


class GreedyFirstRow(LogitsProcessor):
    """Leaves only the best token for row 0, so sampling turns greedy there while other rows sample."""

    def __call__(self, input_ids: torch.LongTensor, scores: torch.Tensor) -> torch.Tensor:
        best = scores[0].argmax()
        row = torch.full_like(scores[0], float("-inf"))
        row[best] = scores[0, best]
        scores = scores.clone()
        scores[0] = row
        return scores


class AnswerStops(StoppingCriteria):
    """Ends each row at end-of-sequence or at its first line break after text; watches the greedy row 0.

    When row 0 ends and `stop_sampling_if(greedy answer)` is True, every row ends at once and
    `sampling_skipped` is set: the caller returns no samples. Otherwise the sample rows still running
    get `sample_token_cap(greedy length)` tokens at most. `lengths[i]` is the number of tokens row i
    generated up to and including its stopping token.
    """

    def __init__(
        self,
        *,
        prompt_length: int,
        rows: int,
        eos_token_ids: Sequence[int],
        decode: Callable[[Sequence[int]], str],
        stop_sampling_if: Callable[[Completion], bool] | None,
        greedy_logprobs: GreedyLogprobs | None = None,
    ) -> None:
        self._prompt_length = prompt_length
        self._eos = frozenset(eos_token_ids)
        self._decode = decode
        self._stop_sampling_if = stop_sampling_if
        self._greedy_logprobs = greedy_logprobs
        self._pieces: dict[int, str] = {}
        self._seen_text = [False] * rows
        self.lengths: list[int | None] = [None] * rows
        self.sampling_skipped = False
        self._sample_cap: int | None = None

    def __call__(self, input_ids: torch.LongTensor, scores: Any, **kwargs: Any) -> torch.BoolTensor:
        generated = input_ids.shape[1] - self._prompt_length
        last_tokens = input_ids[:, -1].tolist()
        for row, token in enumerate(last_tokens):
            if self.lengths[row] is None and self._ends_row(row, token):
                self.lengths[row] = generated
                if row == 0:
                    self._check_greedy(input_ids[0, self._prompt_length :].tolist())
                    self._sample_cap = sample_token_cap(generated)
        if self._sample_cap is not None and generated >= self._sample_cap:
            self.lengths = [generated if length is None else length for length in self.lengths]
        done = [length is not None or self.sampling_skipped for length in self.lengths]
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)  # type: ignore[return-value]

    def _ends_row(self, row: int, token: int) -> bool:
        if token in self._eos:
            return True
        piece = self._piece(token)
        if ends_answer(piece, seen_text=self._seen_text[row]):
            return True
        self._seen_text[row] = self._seen_text[row] or bool(piece.strip())
        return False

    def _piece(self, token: int) -> str:
        piece = self._pieces.get(token)
        if piece is None:
            piece = self._pieces[token] = self._decode([token])
        return piece

    def _check_greedy(self, greedy_tokens: list[int]) -> None:
        if self._stop_sampling_if is None or len(self.lengths) == 1:
            return
        text = cut_at_line_break(self._decode([t for t in greedy_tokens if t not in self._eos]))
        logprobs = self._greedy_logprobs.values if self._greedy_logprobs is not None else []
        greedy = Completion(text, len(greedy_tokens), tuple(logprobs[: len(greedy_tokens)]))
        self.sampling_skipped = bool(self._stop_sampling_if(greedy))
