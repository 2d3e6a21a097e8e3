"""Confidence thresholds, the three named profiles, and per-request overrides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import ThresholdError


class Thresholds(BaseModel):
    """Every knob of the fallback flow, with its unit and allowed range."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    n_samples: int = Field(
        5, ge=1, le=16, description="Sampled answers compared with the main one (count, 1-16)."
    )
    sample_temperature: float = Field(
        0.7, gt=0.0, le=2.0, description="Softmax temperature of the samples (0 < t <= 2)."
    )
    min_confidence_parametric: float = Field(
        0.60,
        ge=0.0,
        le=1.0,
        description="Calibrated probability a closed-book answer must reach to be given (0-1).",
    )
    min_confidence_grounded: float = Field(
        0.60,
        ge=0.0,
        le=1.0,
        description="Calibrated probability an answer from passages must reach to be given (0-1).",
    )
    check_parametric_below: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="A closed-book answer kept below this calibrated probability is checked against the "
        "documents: the answer from passages replaces it when surer (0-1; 0 = off).",
    )
    agreement_threshold: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Expert floor: share of samples that must agree with the main answer (0-1; 0 = off).",
    )
    retrieval_top_k: int = Field(
        3, ge=1, le=20, description="Passages given to the grounded stage (count, 1-20)."
    )
    min_retrieval_score: float = Field(
        -1.0,
        ge=-1.0,
        le=1.0,
        description="Expert floor: cosine the best passage must reach, else abstain (-1 to 1; -1 = off).",
    )
    support_threshold: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="Expert floor: share of the grounded answer's claims found in its cited passages "
        "(0-1; 0 = off).",
    )
    s2a: Literal["auto", "on", "off"] = Field(
        "auto",
        description="Set the user's opinions aside before answering: auto (by rule), on (rule, then the "
        "model rewrites), off.",
    )
    max_new_tokens: int = Field(
        64, ge=1, le=1024, description="Token budget of each generated answer (1-1024)."
    )
    skip_decided_samples: bool = Field(
        True,
        description="Draw the samples only when their agreement could change the decision (true: fewer "
        "tokens) or always (false).",
    )
    grounded_samples_together: Literal["auto", "on", "off"] = Field(
        "auto",
        description="With skip_decided_samples, the grounded answer and its samples in one call whose "
        "samples stop when the answer decides alone (on: one decode for answers that need samples), or "
        "the answer first and its samples after it when needed (off: no sample rows spent on decided "
        "answers); auto: on while no other question is being answered (and for the 1.5B always).",
    )


# Each profile is a level of certainty, per stage: the lowest calibrated confidence at which that
# stage's answers on the train split of the recorded runs of the default backend (llama-server) were
# right 92 % (strict), 80 % (balanced) or 70 % (chatty) of the time: the built-in sets and, since
# session 18, the unseen documents of bench/documents_dev.py (bench/confidence_report.py;
# docs/results/confidence.md).
PROFILES: Mapping[str, Thresholds] = {
    "strict": Thresholds(n_samples=7, min_confidence_parametric=0.62, min_confidence_grounded=0.68),
    "balanced": Thresholds(),
    # Chatty keeps closed-book answers balanced would not give; those are checked against the
    # documents, so an invented answer about them does not stand where the passages hold a surer one.
    "chatty": Thresholds(
        n_samples=3,
        min_confidence_parametric=0.44,
        min_confidence_grounded=0.48,
        check_parametric_below=0.60,
    ),
}
DEFAULT_PROFILE = "balanced"


def resolve_thresholds(
    *, base: Thresholds | None = None, profile: str | None = None, overrides: Mapping[str, Any] | None = None
) -> Thresholds:
    """The thresholds for one request: a profile (or `base`), then single overrides on top.

    Raises ThresholdError naming the field and its allowed range.
    """
    if profile is not None:
        if profile not in PROFILES:
            raise ThresholdError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}")
        base = PROFILES[profile]
    start = base if base is not None else PROFILES[DEFAULT_PROFILE]
    if not overrides:
        return start
    try:
        return Thresholds.model_validate({**start.model_dump(), **dict(overrides)})
    except ValidationError as exc:
        raise ThresholdError(describe_validation_error(exc)) from exc


def describe_validation_error(exc: ValidationError) -> str:
    """One line per bad field: the field, what is wrong, and the allowed range."""
    lines = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "thresholds"
        info = Thresholds.model_fields.get(field)
        allowed = f" (allowed: {info.description})" if info is not None and info.description else ""
        lines.append(f"{field}: {err['msg']}{allowed}")
    return "; ".join(lines)
