"""`assistant calibrate`: pick agreement and support thresholds from recorded runs (the CLI saves them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.evaluation.plot import plot_risk_coverage
from assistant.evaluation.question_record import read_records
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
            "agreement_threshold": self.choice.point.agreement_threshold,
            "support_threshold": self.choice.point.support_threshold,
        }


def calibrate(
    records_files: list[Path],
    *,
    target: Target,
    value: float,
    base: Thresholds,
    plot: Path | None = None,
) -> Calibration:
    """Sweep the recorded questions around `base` and choose the point meeting the target.

    Only agreement_threshold and support_threshold change; the other thresholds stay as in `base`.
    """
    records = [record for path in records_files for record in read_records(path)]
    points = sweep(records, base=base)
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
