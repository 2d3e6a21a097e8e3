"""The modes an evaluation compares: closed-book, always-retrieve, and the fallback flow per profile."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.confidence import Calibrator, default_calibrator
from assistant.evaluation.errors import EvaluationError
from assistant.evaluation.replay import Mode
from assistant.thresholds import PROFILES, Thresholds

DEFAULT_MODES = (
    "closed",
    "rag",
    "fallback",
    *(f"fallback-{profile}" for profile in PROFILES),
)


def build_modes(
    names: Sequence[str], *, current: Thresholds, calibrator: Calibrator | None = None
) -> list[Mode]:
    """`closed`, `rag` and `fallback` use the current thresholds; `fallback-PROFILE` a named profile.

    Every mode reads confidences from `calibrator` (default: the packaged model of the default model).
    """
    model = calibrator or default_calibrator()
    modes: list[Mode] = []
    for name in names:
        for mode in _expand(name.strip(), current, model):
            if all(mode.name != m.name for m in modes):
                modes.append(mode)
    if not modes:
        raise EvaluationError("no mode given; choose from closed, rag, fallback, fallback-<profile>")
    return modes


def _expand(name: str, current: Thresholds, calibrator: Calibrator) -> list[Mode]:
    if name == "closed":
        return [Mode(name, "closed", current, calibrator)]
    if name == "rag":
        return [Mode(name, "rag", current, calibrator)]
    if name == "fallback":
        return [Mode(name, "fallback", current, calibrator)]
    profile = name.removeprefix("fallback-")
    if name.startswith("fallback-") and profile in PROFILES:
        return [Mode(name, "fallback", PROFILES[profile], calibrator)]
    choices = ", ".join(["closed", "rag", "fallback", *(f"fallback-{p}" for p in PROFILES)])
    raise EvaluationError(f"unknown mode {name!r}; choose from {choices}")
