"""Translation between OpenAI chat-completion bodies and the assistant's question, history and Answer."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from api.answering import Answered, QuestionRejected, check_question
from api.observing import Usage
from api.schemas import ChatMessageIn
from assistant.answer import Citation
from assistant.protocols import ChatMessage, Role

_ROLES: dict[str, Role] = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "assistant": "assistant",
}
_PIECES = re.compile(r"\s*\S+|\s+")
# Earlier turns kept as context, in multiples of the question limit; older turns are dropped.
HISTORY_BUDGET = 4


@dataclass(frozen=True)
class Conversation:
    question: str
    history: tuple[ChatMessage, ...]


@dataclass(frozen=True)
class CompletionIds:
    id: str
    created: int
    model: str

    @classmethod
    def new(cls, model: str) -> CompletionIds:
        return cls(id=f"chatcmpl-{uuid.uuid4().hex}", created=int(time.time()), model=model)


def split_conversation(messages: Sequence[ChatMessageIn], *, max_chars: int) -> Conversation:
    """The last user message is the question; the turns before it are context (tool turns are dropped)."""
    last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
    if last_user is None:
        raise QuestionRejected("messages: there is no user message to answer", field="messages")
    question = check_question(messages[last_user].text(), max_chars=max_chars)
    turns = [
        ChatMessage(role=_ROLES[m.role], content=m.text()) for m in messages[:last_user] if m.role in _ROLES
    ]
    return Conversation(question=question, history=recent_turns(turns, budget=HISTORY_BUDGET * max_chars))


def recent_turns(turns: Sequence[ChatMessage], *, budget: int) -> tuple[ChatMessage, ...]:
    """The latest turns whose text fits in `budget` characters: a small model's context is short."""
    kept: list[ChatMessage] = []
    for turn in reversed(turns):
        budget -= len(turn.content)
        if budget < 0:
            break
        kept.append(turn)
    return tuple(reversed(kept))


def fallback_object(answered: Answered) -> dict[str, Any]:
    """The `fallback` field added to OpenAI bodies: how the answer was reached and what it cites."""
    answer = answered.answer
    return {
        "route": answer.route,
        "confidence": answer.confidence,
        "parametric_confidence": answer.parametric_confidence,
        "grounded_confidence": answer.grounded_confidence,
        "agreement": answer.agreement,
        "grounded_support": answer.grounded_support,
        "grounded_agreement": answer.grounded_agreement,
        "citations": [citation_object(c, answered.positions) for c in answer.citations],
        "parametric_answer": answer.parametric_answer,
        "withheld_answer": answer.withheld_answer,
        "samples": list(answer.samples),
        "timings_ms": asdict(answer.timings_ms),
        "usage": answered.usage.split(),
    }


def citation_object(citation: Citation, positions: Mapping[str, str]) -> dict[str, Any]:
    """A citation, with where the cited chunk lies in its document when the index says (else null)."""
    return {**asdict(citation), "position": positions.get(citation.chunk_id)}


def completion_body(answered: Answered, ids: CompletionIds) -> dict[str, Any]:
    answer = answered.answer
    return {
        "id": ids.id,
        "object": "chat.completion",
        "created": ids.created,
        "model": ids.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.answer},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": answered.usage.openai(),
        "fallback": fallback_object(answered),
    }


def chunk_body(
    ids: CompletionIds, *, delta: dict[str, Any], finish_reason: str | None = None, **extra: Any
) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
    return {
        "id": ids.id,
        "object": "chat.completion.chunk",
        "created": ids.created,
        "model": ids.model,
        "choices": [choice],
        **extra,
    }


def usage_chunk(ids: CompletionIds, usage: Usage) -> dict[str, Any]:
    """The last chunk of a stream asked for `stream_options.include_usage`: no choices, the usage."""
    return {
        "id": ids.id,
        "object": "chat.completion.chunk",
        "created": ids.created,
        "model": ids.model,
        "choices": [],
        "usage": usage.openai(),
    }


def stage_chunk(ids: CompletionIds, stage: str) -> dict[str, Any]:
    """Live progress: an empty delta (clients add nothing to the text) and `fallback.stage`."""
    return chunk_body(ids, delta={}, fallback={"stage": stage})


def text_pieces(text: str) -> list[str]:
    """The answer cut into word-sized deltas for streaming (each keeps its leading blank)."""
    return _PIECES.findall(text) or [text]


def sse(data: dict[str, Any] | str) -> str:
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return f"data: {payload}\n\n"
