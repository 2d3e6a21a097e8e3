"""The Generator contract's rules, backend-free: valid arguments, and when one completion stops."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.errors import GenerationError
from assistant.protocols import ChatMessage, Completion

_NEWLINE = b"\n"

# Once the greedy row has ended after N tokens, the sample rows get at most N + this many tokens.
# A batch lasts until its longest row ends, and samples only need the core claim, which comes as
# early as in the greedy answer. On the agreement fixture (24 questions x 5 real samples) a cap of
# N + 4 cut 5 of 120 samples and changed no agree/disagree label (N + 0 flipped 2); see
# docs/backends.md, "Sample-length cap".
SAMPLE_TOKEN_MARGIN = 4
# ... but never fewer than this: a grounded sample may open with a preamble the greedy answer
# skipped ("根据 Passage 1，公司成立于2003年" beside a greedy "2003年", about 12 tokens), and a cap
# of N + 4 after a 3-token answer cut every such sample before its claim.
SAMPLE_TOKEN_FLOOR = 16


def sample_token_cap(greedy_tokens: int) -> int:
    """The most tokens a sample row may generate once the greedy row has ended after `greedy_tokens`."""
    return max(greedy_tokens + SAMPLE_TOKEN_MARGIN, SAMPLE_TOKEN_FLOOR)


@dataclass
class CompletionRow:
    """The bytes generated so far for one sequence, and whether it has stopped.

    Bytes, not text, because a token can end in the middle of a UTF-8 character; a newline byte
    never occurs inside a multi-byte character, so the line-break rule is safe on bytes.
    """

    max_new_tokens: int
    pieces: bytearray = field(default_factory=bytearray)
    tokens: int = 0
    done: bool = False
    logprobs: list[float] = field(default_factory=list)  # of each counted token, where measured

    def add(self, piece: bytes, *, end_of_sequence: bool, logprob: float | None = None) -> None:
        """Append one sampled token; stop at end of sequence, a line break after text, or the budget."""
        if self.done:
            return
        if end_of_sequence:
            self.done = True
            return
        self.tokens += 1
        self.pieces += piece
        if logprob is not None:
            self.logprobs.append(logprob)
        cut = first_line_end(bytes(self.pieces))
        if cut is not None:
            del self.pieces[cut:]
            self.done = True
        elif self.tokens >= self.max_new_tokens:
            self.done = True

    def cap(self, budget: int) -> None:
        """Lower this row's token budget; a row that already has `budget` tokens stops now."""
        self.max_new_tokens = min(self.max_new_tokens, budget)
        if self.tokens >= self.max_new_tokens:
            self.done = True

    def text(self) -> str:
        return bytes(self.pieces).decode("utf-8", errors="ignore").strip()

    def completion(self) -> Completion:
        return Completion(text=self.text(), tokens=self.tokens, logprobs=tuple(self.logprobs))


def first_line_end(data: bytes) -> int | None:
    """The offset of the first line break that follows some non-blank text, if any."""
    start = 0
    while (position := data.find(_NEWLINE, start)) >= 0:
        if data[:position].strip():
            return position
        start = position + 1
    return None


def check_arguments(
    messages: Sequence[ChatMessage], *, n_samples: int, temperature: float, max_new_tokens: int
) -> None:
    """Raise GenerationError for a call the contract does not allow, before any work is done."""
    if not messages:
        raise GenerationError("no messages to answer")
    if n_samples < 0:
        raise GenerationError(f"n_samples must be >= 0, not {n_samples}")
    if n_samples and temperature <= 0:
        raise GenerationError(f"sampling needs a temperature > 0, not {temperature}")
    if max_new_tokens < 1:
        raise GenerationError(f"max_new_tokens must be >= 1, not {max_new_tokens}")
