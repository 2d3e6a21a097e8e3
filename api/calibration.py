"""`assistant calibrate`: pick agreement and support thresholds from recorded runs and save them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from api.runtime_config import ThresholdStore
from api.settings import Settings
from assistant.evaluation.plot import plot_risk_coverage
from assistant.evaluation.records import read_records
from assistant.evaluation.sweep import Choice, CurvePoint, Target, choose, frontier, sweep
from assistant.thresholds import Thresholds


@dataclass(frozen=True)
class Calibration:
    base: Thresholds
    curve: list[CurvePoint]  # the upper envelope of the swept grid
    choice: Choice
    written: Path | None  # the runtime config, when the values were saved


def calibrate(
    records_files: list[Path],
    *,
    target: Target,
    value: float,
    settings: Settings,
    dry_run: bool = False,
    plot: Path | None = None,
) -> Calibration:
    """Sweep the recorded questions, choose the point meeting the target, save it unless `dry_run`.

    Only agreement_threshold and support_threshold change; the other thresholds stay as configured.
    Nothing is written when no point meets the target.
    """
    store = ThresholdStore(settings.runtime_config_path, default_profile=settings.profile)
    base = store.current()
    records = [record for path in records_files for record in read_records(path)]
    points = sweep(records, base=base)
    choice = choose(points, target=target, value=value, base=base)
    curve = _shown_curve(frontier(points), choice.point)
    if plot is not None:
        name = "fallback, swept (star: chosen)"
        plot_risk_coverage(plot, curves={name: curve}, operating_points={name: choice.point})
    written = None
    if choice.met and not dry_run:
        store.update(
            {
                "agreement_threshold": choice.point.agreement_threshold,
                "support_threshold": choice.point.support_threshold,
            }
        )
        written = store.path
    return Calibration(base=base, curve=curve, choice=choice, written=written)


def _shown_curve(curve: list[CurvePoint], chosen: CurvePoint) -> list[CurvePoint]:
    """The envelope with the chosen point in place of the envelope point it ties with."""
    same = [p for p in curve if (p.answer_rate, p.precision) != (chosen.answer_rate, chosen.precision)]
    return sorted([*same, chosen], key=lambda p: p.answer_rate)
