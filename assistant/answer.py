"""The answer record: what a question comes back as, in Python and as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Route = Literal["parametric", "retrieval", "abstain"]


@dataclass(frozen=True)
class Citation:
    id: int  # the [n] the answer cites, 1-based
    source: str
    chunk_id: str
    score: float
    text: str


@dataclass(frozen=True)
class Timings:
    sampling: float  # milliseconds
    retrieval: float
    grounded: float
    total: float


@dataclass(frozen=True)
class Answer:
    answer: str
    route: Route
    # Calibrated probability that the answer given is right (of the best withheld one on abstain).
    confidence: float
    grounded_support: float | None  # None when the grounded stage did not run
    samples: tuple[str, ...]
    citations: tuple[Citation, ...]
    timings_ms: Timings
    model: str
    parametric_answer: str = ""  # the closed-book main answer, kept for evaluation and calibration
    # Agreement of the grounded samples with the grounded answer; None when none was generated.
    grounded_agreement: float | None = None
    agreement: float = 0.0  # of the closed-book samples with the closed-book answer, in [0, 1]
    parametric_confidence: float = 0.0  # calibrated, of the closed-book answer
    grounded_confidence: float | None = None  # calibrated, of the grounded answer, when one was generated
    # The raw signals each stage's confidence was computed from ("parametric", "grounded").
    signals: dict[str, dict[str, float]] = field(default_factory=dict)
    # The question as answered, after the user's opinions were set aside (S2A), and what was set aside.
    question_understood: str = ""
    set_aside: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["samples"] = list(self.samples)
        data["set_aside"] = list(self.set_aside)
        data["citations"] = [asdict(c) for c in self.citations]
        return data
