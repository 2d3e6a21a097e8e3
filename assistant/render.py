"""Plain-text rendering of an Answer for the CLI: the answer, its route and confidence, and its sources."""

from __future__ import annotations

from assistant.answer import Answer
from assistant.prompts import shorten

SNIPPET_CHARS = 160


def render_answer_text(answer: Answer) -> str:
    """The answer, then 'route: ... | confidence: ...', then one line per cited source."""
    status = f"route: {answer.route} | confidence: {answer.confidence:.2f}"
    if answer.grounded_support is not None:
        status += f" | support: {answer.grounded_support:.2f}"
    if answer.grounded_agreement is not None:
        status += f" | grounded agreement: {answer.grounded_agreement:.2f}"
    lines = [answer.answer, "", status]
    if answer.citations:
        lines.append("sources:")
        lines.extend(
            f"  [{c.id}] {c.source} ({c.chunk_id}, score {c.score:.2f}): {shorten(c.text, SNIPPET_CHARS)}"
            for c in answer.citations
        )
    return "\n".join(lines)
