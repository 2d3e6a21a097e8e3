"""Reading a grounded answer: the passages it cites (or holds claims from), their support, its signals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.protocols import Completion, Passage
from assistant.refusal import is_refusal
from assistant.signals import grounded_signals
from assistant.support import attribute_passages, bracket_citations, cited_numbers, support_share


@dataclass(frozen=True)
class GroundedReading:
    """A grounded answer as checked: its cited text, the passages it cites, support, and its signals
    without the samples' agreement (left to the model's fitted mean until samples are drawn)."""

    text: str
    cited: list[int]
    support: float
    refused: bool
    signals: dict[str, float]


def read_grounded(question: str, greedy: Completion, passages: Sequence[Passage]) -> GroundedReading:
    text, cited = cite(greedy.text, passages, question=question)
    cited_passages = [passages[n - 1] for n in cited]
    signals = grounded_signals(
        question, greedy, text=text, passages=passages, cited=cited_passages, agreement=0.0, samples=0
    )
    del signals["agreement"]
    support = support_share(text, cited_passages, question=question)
    return GroundedReading(text, cited, support, is_refusal(text), signals)


def cite(answer: str, passages: Sequence[Passage], *, question: str) -> tuple[str, list[int]]:
    """The answer and the passage numbers it cites; if it cites none, the passages holding its claims."""
    answer = bracket_citations(answer)
    cited = cited_numbers(answer, passage_count=len(passages))
    if cited:
        return answer, cited
    attributed = attribute_passages(answer, passages, question=question)
    if not attributed:
        return answer, []
    markers = "".join(f"[{n}]" for n in attributed)
    return f"{answer} {markers}", attributed
