"""The risk-coverage plot: precision against answer rate for each mode (matplotlib is imported only here)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from assistant.evaluation.sweep import CurvePoint


def plot_risk_coverage(
    path: Path,
    *,
    curves: Mapping[str, Sequence[CurvePoint]],
    operating_points: Mapping[str, CurvePoint],
    title: str = "Risk-coverage (stars: thresholds as configured)",
) -> None:
    """One line per mode's threshold sweep and a star where the mode sits as configured; a PNG file."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and in CI
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(7, 5), dpi=110)
    for name, points in curves.items():
        kept = [p for p in points if p.precision is not None]
        precisions = [p.precision or 0.0 for p in kept]
        (line,) = axes.plot([p.answer_rate for p in kept], precisions, marker=".", alpha=0.8, label=name)
        point = operating_points.get(name)
        if point is not None and point.precision is not None:
            # The star is where the mode sits as configured; same colour as its curve.
            axes.scatter([point.answer_rate], [point.precision], marker="*", s=160, color=line.get_color())
    axes.set(xlabel="answer rate (coverage)", ylabel="precision on answered", title=title)
    axes.set_xlim(-0.02, 1.02)
    axes.set_ylim(-0.02, 1.02)
    axes.grid(alpha=0.3)
    if curves:
        axes.legend(loc="lower left", fontsize="small")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    pyplot.close(figure)
