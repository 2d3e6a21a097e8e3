"""Sampling only where it pays: the greedy answer first, its samples only when they could change the decision.

Both stages of the flow read their confidence from the calibrated model, which is monotone in the
samples' agreement. When the confidence at agreement 0 and at agreement 1 fall on the same side of
the stage's level, the samples cannot change what is decided, and are not drawn; the confidence is
then read at the fitted mean agreement (docs/results/sample-skip.md).

Where the samples are usually needed (the grounded stage: most answers kept from passages need
them), the greedy answer and the samples are asked for in one call that stops the samples when the
greedy answer decides alone: a backend that decodes them together (llama-server, the in-process
ones) then spends one decode instead of two in a row (docs/results/greedy-first.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from assistant.confidence import Calibrator, Stage
from assistant.protocols import Completion, Generation, ModelTime
from assistant.thresholds import Thresholds

# `generate(n_samples, known_greedy, stop_sampling_if)`: one call of the stage's generator.
Generate = Callable[[int, Completion | None, Callable[[Completion], bool] | None], Generation]


@dataclass(frozen=True)
class Drawn:
    """The greedy answer, the samples drawn for it, and the model time of the calls."""

    greedy: Completion
    samples: tuple[Completion, ...]
    model_time: ModelTime
    decided: bool  # the samples were skipped: they could not have changed the decision


def draw(
    generate: Generate,
    *,
    n_samples: int,
    skip_decided: bool,
    needs_samples: Callable[[Completion], bool],
    together: bool = False,
) -> Drawn:
    """Without `skip_decided`, one call with all `n_samples`. With it, and `together`, one call whose
    samples stop when `needs_samples(greedy)` is False; without `together`, the greedy answer alone
    and, when `needs_samples(greedy)`, a second call for the samples that hands the greedy answer
    over as known (so a server asked for it separately is not asked again; a backend's prompt
    cache makes the second call's prompt cheap)."""
    if not skip_decided:
        both = generate(n_samples, None, None)
        return Drawn(both.greedy, both.samples, both.model_time, decided=False)
    if together:
        both = generate(n_samples, None, lambda greedy: not needs_samples(greedy))
        decided = not both.samples and not needs_samples(both.greedy)
        return Drawn(both.greedy, both.samples, both.model_time, decided=decided)
    first = generate(0, None, None)
    if not needs_samples(first.greedy):
        return Drawn(first.greedy, (), first.model_time, decided=True)
    sampled = generate(n_samples, first.greedy, None)
    return Drawn(first.greedy, sampled.samples, first.model_time + sampled.model_time, decided=False)


def agreement_could_move(
    stage: Stage, signals: Mapping[str, float], model: Calibrator, thresholds: Thresholds
) -> bool:
    """`signals` of a `stage`'s answer, agreement unknown: could agreement cross the stage's level?

    An expert agreement floor always needs the samples, unless the answer fails even at full
    agreement.
    """
    at_ends = [model.confidence(stage, {**signals, "agreement": value}) for value in (0.0, 1.0)]
    if stage == "parametric":
        level = thresholds.min_confidence_parametric
    else:
        level = thresholds.min_confidence_grounded
    if max(at_ends) < level:
        return False
    return min(at_ends) < level or thresholds.agreement_threshold > 0
