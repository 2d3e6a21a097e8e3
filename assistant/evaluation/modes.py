"""The modes an evaluation compares: closed-book, always-retrieve, and the fallback flow per profile."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.evaluation.errors import EvaluationError
from assistant.evaluation.replay import Mode
from assistant.thresholds import PROFILES, Thresholds

MODE_KINDS = ("closed", "rag", "fallback")
DEFAULT_MODES = MODE_KINDS


def build_modes(names: Sequence[str], *, current: Thresholds) -> list[Mode]:
    """`closed` and `rag` use the current thresholds; `fallback` stands for the current thresholds and
    every profile (`fallback-strict`, ...); a single profile may also be named."""
    modes: list[Mode] = []
    for name in names:
        for mode in _expand(name.strip(), current):
            if all(mode.name != m.name for m in modes):
                modes.append(mode)
    if not modes:
        raise EvaluationError("no mode given; choose from closed, rag, fallback, fallback-<profile>")
    return modes


def _expand(name: str, current: Thresholds) -> list[Mode]:
    if name in ("closed", "rag"):
        return [Mode(name, "closed" if name == "closed" else "rag", current)]
    if name == "fallback":
        profiles = [Mode(f"fallback-{p}", "fallback", t) for p, t in PROFILES.items()]
        return [Mode("fallback", "fallback", current), *profiles]
    profile = name.removeprefix("fallback-")
    if name.startswith("fallback-") and profile in PROFILES:
        return [Mode(name, "fallback", PROFILES[profile])]
    choices = ", ".join(["closed", "rag", "fallback", *(f"fallback-{p}" for p in PROFILES)])
    raise EvaluationError(f"unknown mode {name!r}; choose from {choices}")
