"""One calibrated confidence per stage: a logistic model over the stage's signals, stored as plain JSON.

p(right) = sigmoid(bias + sum_i weight_i * (signal_i - mean_i) / scale_i). A refused answer, one that
asserts nothing beyond the question, one without the number it was asked for, a heading repeated as an
answer, and one from passages that never mention what was asked get 0: a non-answer is never a
confident answer. A signal missing from a record (no token log-probabilities from this backend) takes
its fitted mean, so it moves nothing. `assistant calibrate --fit` writes a model; a default fitted on
the built-in data ships with the package for each embedded model: assistant/confidence_default.json
for the default 0.5B, and assistant/confidence_<model>.json for another one that has its own fit (the
same signals mean a different chance of being right from a model that knows and reads more).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from assistant.errors import ThresholdError

Stage = Literal["parametric", "grounded"]
PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_MODEL_FILE = PACKAGE_DIR / "confidence_default.json"
CONFIDENCE_FORMAT = 1


@dataclass(frozen=True)
class StageModel:
    """A fitted logistic model; `features` name the signals it reads, in order."""

    features: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def score(self, signals: Mapping[str, float]) -> float:
        """The linear score before the sigmoid (log-odds of a right answer)."""
        total = self.bias
        terms = zip(self.features, self.means, self.scales, self.weights, strict=True)
        for name, mean, scale, weight in terms:
            total += weight * (signals.get(name, mean) - mean) / scale
        return total

    def probability(self, signals: Mapping[str, float]) -> float:
        if not answers_at_all(signals):
            return 0.0
        return _sigmoid(self.score(signals))


@dataclass(frozen=True)
class Calibrator:
    """The two stage models and what they were fitted on."""

    parametric: StageModel
    grounded: StageModel
    fitted_on: str = ""

    def confidence(self, stage: Stage, signals: Mapping[str, float]) -> float:
        """The calibrated probability, in [0, 1], that the stage's answer is right."""
        model = self.parametric if stage == "parametric" else self.grounded
        return model.probability(signals)

    def to_json(self) -> dict[str, Any]:
        return {"format": CONFIDENCE_FORMAT, **asdict(self)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Calibrator:
        try:
            return cls(
                parametric=_stage_model(data["parametric"]),
                grounded=_stage_model(data["grounded"]),
                fitted_on=str(data.get("fitted_on", "")),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ThresholdError(f"not a confidence model: {error}") from error


def answers_at_all(signals: Mapping[str, float]) -> bool:
    """False for a refusal, an answer that only restates the question, one that names no number
    where the question asks for one (`answer_type`), a grounded answer that only repeats a heading
    of a passage (`headings`), and one whose cited passages share not one term with the question
    (an answer about something else), unless question and passage are in different languages,
    where terms cannot match."""
    if signals.get("refused", 0.0) or not signals.get("adds_claim", 1.0):
        return False
    if signals.get("number_missing", 0.0) or signals.get("echoes_heading", 0.0):
        return False
    off_topic = signals.get("support_asked", 1.0) == 0.0 and not signals.get("cross_language", 0.0)
    return not off_topic


def packaged_model_file(model: str | None = None) -> Path:
    """The packaged confidence model fitted on `model`'s records; the default's when it has none."""
    own = PACKAGE_DIR / f"confidence_{model}.json"
    return own if model and own.is_file() else DEFAULT_MODEL_FILE


def load_calibrator(path: Path | None = None, *, model: str | None = None) -> Calibrator:
    """The model in `path`, else the packaged one for `model` (see `packaged_model_file`).

    Raises ThresholdError for an unreadable file.
    """
    chosen = path if path is not None and path.is_file() else packaged_model_file(model)
    try:
        data = json.loads(chosen.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ThresholdError(f"cannot read the confidence model {chosen}: {error}") from error
    return Calibrator.from_json(data)


@functools.cache
def default_calibrator(model: str | None = None) -> Calibrator:
    """The packaged model for `model` (default: the default model's), read once."""
    return load_calibrator(None, model=model)


def save_calibrator(calibrator: Calibrator, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(calibrator.to_json(), indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


def _stage_model(data: Mapping[str, Any]) -> StageModel:
    model = StageModel(
        features=tuple(str(f) for f in data["features"]),
        means=tuple(float(v) for v in data["means"]),
        scales=tuple(float(v) for v in data["scales"]),
        weights=tuple(float(v) for v in data["weights"]),
        bias=float(data["bias"]),
    )
    sizes = {len(model.features), len(model.means), len(model.scales), len(model.weights)}
    if len(sizes) != 1 or any(scale <= 0 for scale in model.scales):
        raise ValueError("features, means, scales and weights must have one positive-scaled entry each")
    return model


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(value, 60.0), -60.0)))
