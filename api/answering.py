"""One question through the fallback flow, shared by the HTTP routes and `assistant ask`."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.flow import answer_question
from assistant.protocols import ChatMessage, Generator, Retriever
from assistant.record import Answer
from assistant.thresholds import Thresholds


class QuestionRejected(Exception):
    """A question that is empty or longer than the configured limit."""

    def __init__(self, message: str, *, field: str = "question") -> None:
        super().__init__(message)
        self.field = field


def check_question(text: str, *, max_chars: int) -> str:
    """The question without surrounding blanks; QuestionRejected when empty or too long."""
    if len(text) > max_chars:
        raise QuestionRejected(f"question: {len(text)} characters, more than the limit of {max_chars}")
    question = text.strip()
    if not question:
        raise QuestionRejected("question: must not be empty")
    return question


def ask(
    question: str,
    *,
    generator: Generator,
    retriever: Retriever,
    thresholds: Thresholds,
    history: Sequence[ChatMessage] = (),
) -> Answer:
    """Answer `question` (already checked) with the earlier turns of the conversation as context."""
    return answer_question(
        question, generator=generator, retriever=retriever, thresholds=thresholds, history=tuple(history)
    )
