"""`assistant calibrate`: pick both stages' confidence levels from recorded runs (the CLI saves them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.confidence import Calibrator
from assistant.evaluation.plot import plot_risk_coverage
from assistant.evaluation.question_record import QuestionRecord
from assistant.evaluation.replay import Mode
from assistant.evaluation.sweep import Choice, CurvePoint, Target, choose, frontier, sweep
from assistant.thresholds import Thresholds


@dataclass(frozen=True)
class Calibration:
    base: Thresholds
    curve: list[CurvePoint]  # the upper envelope of the swept grid
    choice: Choice

    @property
    def chosen_values(self) -> dict[str, float]:
        """The two thresholds calibration sets, ready for ThresholdStore.update."""
        return {
            "min_confidence_parametric": min(self.choice.point.min_confidence_parametric, 1.0),
            "min_confidence_grounded": min(self.choice.point.min_confidence_grounded, 1.0),
        }


def calibrate(
    records: list[QuestionRecord],
    *,
    target: Target,
    value: float,
    base: Thresholds,
    calibrator: Calibrator,
    plot: Path | None = None,
) -> Calibration:
    """Sweep the recorded questions around `base` and choose the point meeting the target.

    Only the two confidence levels change; the other thresholds stay as in `base`.
    """
    points = sweep(records, mode=Mode("fallback", "fallback", base, calibrator))
    choice = choose(points, target=target, value=value, base=base)
    curve = _shown_curve(frontier(points), choice.point)
    if plot is not None:
        name = "fallback, swept (star: chosen)"
        plot_risk_coverage(plot, curves={name: curve}, operating_points={name: choice.point})
    return Calibration(base=base, curve=curve, choice=choice)


def _shown_curve(curve: list[CurvePoint], chosen: CurvePoint) -> list[CurvePoint]:
    """The envelope with the chosen point in place of the envelope point it ties with."""
    same = [p for p in curve if (p.answer_rate, p.precision) != (chosen.answer_rate, chosen.precision)]
    return sorted([*same, chosen], key=lambda p: p.answer_rate)
