"""Builders of question records for the evaluation tests (imported as a module, not a fixture)."""

from __future__ import annotations

from typing import Any

from assistant.evaluation.question_record import QuestionRecord


def make_record(**changes: Any) -> QuestionRecord:
    """A record of an answerable question whose closed-book answer is right and unanimous."""
    values: dict[str, Any] = {
        "id": "q",
        "dataset": "test",
        "question": "Who founded Acme?",
        "answers": ("Ada Lind",),
        "parametric_answer": "Acme was founded by Ada Lind.",
        "samples": ("Ada Lind founded it.",) * 3,
        "refused": False,
        "agreement": 1.0,
        "sampling_ms": 100.0,
        "greedy_tokens": 10,
        "sample_tokens": (5, 5, 5),
        "best_score": 0.8,
        "grounded_answer": "Ada Lind founded Acme [1].",
        "grounded_support": 1.0,
        "grounded_tokens": 8,
        "retrieval_ms": 10.0,
        "grounded_ms": 50.0,
    }
    values.update(changes)
    return QuestionRecord(**values)
