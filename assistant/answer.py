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
    """Milliseconds. `total` = s2a + sampling + retrieval + grounded + the flow's own work between them.

    Each model stage splits into `*_prefill` + `*_decode` (the model's time as the backend measured
    it; 0 from a backend that does not report it) + `*_wait` (the rest: waiting for the model lock or
    a server slot, the network, the flow's own checks), so a slow answer shows where its time went.
    """

    sampling: float
    retrieval: float
    grounded: float
    total: float
    s2a: float = 0.0
    sampling_prefill: float = 0.0
    sampling_decode: float = 0.0
    sampling_wait: float = 0.0
    grounded_prefill: float = 0.0
    grounded_decode: float = 0.0
    grounded_wait: float = 0.0


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
    # On abstain: the answer the model gave from the passages, withheld as not sure enough ("" if none).
    withheld_answer: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["samples"] = list(self.samples)
        data["set_aside"] = list(self.set_aside)
        data["citations"] = [asdict(c) for c in self.citations]
        return data
