"""Fit the confidence model from recorded runs: one L2-regularised logistic regression per stage.

A record's split comes from a hash of its id, so the test split is the same in every run and no fit
ever sees it; a planted-opinion variant goes with the clean question it was made from, so the same
question and passage never sit on both sides. Each stage learns from the answers it could give
(`answers_at_all`): the closed-book stage from every non-refused answer that asserts something, the
grounded stage from every grounded answer generated that is about what was asked.
The label is whether that answer holds a gold answer (an answer to an unanswerable question is wrong).

Evidence signals only ever raise the confidence (`RISING`): more agreement, support or token certainty
never makes an answer less likely right. Correlated signals can still get a negative weight from a
fit on a few hundred answers (the closed-book agreement did, beside the minimum token log-probability);
such a signal is dropped and the stage refitted without it, so the model stays one a user can read.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from assistant.confidence import Calibrator, Stage, StageModel, answers_at_all
from assistant.evaluation.errors import EvaluationError
from assistant.evaluation.normalise import contains_answer
from assistant.evaluation.planted import PLANTED_SUFFIX, base_id
from assistant.evaluation.question_record import QuestionRecord
from assistant.refusal import is_refusal

Split = Literal["train", "test"]
TEST_SHARE_PERCENT = 30
# L2 penalties on standardised features, one chosen per stage by cross-validation on the train split:
# a few hundred answers with correlated signals need shrinking, how much depends on the stage.
L2_PENALTIES = (1.0, 3.0, 10.0, 30.0)
CV_FOLDS = 5
NEWTON_STEPS = 50
FEATURES: dict[Stage, tuple[str, ...]] = {
    "parametric": ("agreement", "logprob_mean", "logprob_min", "zh", "question_chars"),
    "grounded": (
        "agreement",
        "support_added",
        "support_asked",
        "best_score",
        "cited_score",
        "question_in_top",
        "cited",
        "logprob_mean",
        "logprob_min",
        "zh",
    ),
}


# The evidence signals: all but the question's shape (language, length) and the constant "cited".
RISING = frozenset(FEATURES["grounded"]) - {"cited", "zh"}


@dataclass(frozen=True)
class StageRows:
    """The signals and labels one stage learns from."""

    signals: list[dict[str, float]]
    labels: list[bool]


def split_of(record: QuestionRecord) -> Split:
    dataset = record.dataset.removesuffix(PLANTED_SUFFIX)
    digest = hashlib.sha256(f"{dataset}:{base_id(record.id)}".encode()).digest()
    return "test" if digest[0] * 100 // 256 < TEST_SHARE_PERCENT else "train"


def stage_rows(records: Sequence[QuestionRecord], stage: Stage) -> StageRows:
    signals: list[dict[str, float]] = []
    labels: list[bool] = []
    for record in records:
        row = _row(record, stage)
        if row is not None:
            signals.append(row[0])
            labels.append(row[1])
    return StageRows(signals, labels)


def fit_calibrator(records: Sequence[QuestionRecord], *, fitted_on: str, base: Calibrator) -> Calibrator:
    """Both stage models, fitted on the train split of `records`. A stage whose train answers are all
    right or all wrong cannot be fitted and keeps its model from `base` (said in `fitted_on`)."""
    train = [r for r in records if split_of(r) == "train"]
    models: dict[Stage, StageModel] = {}
    kept: list[str] = []
    for stage, features in FEATURES.items():
        rows = stage_rows(train, stage)
        if len(set(rows.labels)) < 2:
            models[stage] = base.parametric if stage == "parametric" else base.grounded
            kept.append(stage)
        else:
            models[stage] = fit_stage(rows, features, stage=stage)
    note = f"; {', '.join(kept)} kept from {base.fitted_on or 'the base model'}" if kept else ""
    return Calibrator(
        parametric=models["parametric"], grounded=models["grounded"], fitted_on=fitted_on + note
    )


def fit_stage(
    rows: StageRows, features: Sequence[str], *, stage: str, penalty: float | None = None
) -> StageModel:
    """Newton's method on the penalised log-likelihood; features absent from every row are dropped,
    and so, one at a time, is the `RISING` signal with the most negative weight, until none has one.
    `penalty`: the L2 weight; None picks one of `L2_PENALTIES` by cross-validated log-loss."""
    if len(set(rows.labels)) < 2:
        raise EvaluationError(f"cannot fit the {stage} confidence: its answers need right and wrong ones")
    used = [f for f in features if any(f in s for s in rows.signals)]
    chosen = penalty if penalty is not None else cross_validated_penalty(rows, used)
    while True:
        model = _fit_features(rows, used, chosen)
        against = [
            (w, f) for f, w in zip(model.features, model.weights, strict=True) if f in RISING and w < 0
        ]
        if not against:
            return model
        used.remove(min(against)[1])


def cross_validated_penalty(rows: StageRows, features: Sequence[str]) -> float:
    """The penalty of `L2_PENALTIES` with the lowest log-loss over `CV_FOLDS` folds (row i in fold
    i mod k); a fold whose training rows are all right or all wrong is skipped."""
    folds = []
    for fold in range(CV_FOLDS):
        inside = [i for i in range(len(rows.labels)) if i % CV_FOLDS != fold]
        held = [i for i in range(len(rows.labels)) if i % CV_FOLDS == fold]
        part = StageRows([rows.signals[i] for i in inside], [rows.labels[i] for i in inside])
        if held and len(set(part.labels)) == 2:
            folds.append((part, held))
    losses = {}
    for penalty in L2_PENALTIES:
        total = 0.0
        for part, held in folds:
            model = _fit_features(part, features, penalty)
            total += sum(_log_loss(model.probability(rows.signals[i]), rows.labels[i]) for i in held)
        losses[penalty] = total
    return min(losses, key=lambda p: (losses[p], p))


def _log_loss(probability: float, right: bool) -> float:
    clipped = min(max(probability, 1e-6), 1 - 1e-6)
    return -math.log(clipped if right else 1 - clipped)


def _fit_features(rows: StageRows, used: Sequence[str], penalty: float) -> StageModel:
    matrix = np.array([[s.get(f, np.nan) for f in used] for s in rows.signals], dtype=np.float64)
    means = np.nanmean(matrix, axis=0)
    matrix = np.where(np.isnan(matrix), means, matrix)
    scales = matrix.std(axis=0)
    scales[scales < 1e-9] = 1.0
    standard = np.hstack([np.ones((len(matrix), 1)), (matrix - means) / scales])
    labels = np.array(rows.labels, dtype=np.float64)
    coefficients = _newton(standard, labels, penalty)
    return StageModel(
        features=tuple(used),
        means=tuple(float(v) for v in means),
        scales=tuple(float(v) for v in scales),
        weights=tuple(float(v) for v in coefficients[1:]),
        bias=float(coefficients[0]),
    )


def expected_calibration_error(
    probabilities: Sequence[float], labels: Sequence[bool], bins: int = 10
) -> float:
    """Mean |accuracy - confidence| over equal-width probability bins, weighted by their size."""
    if not probabilities:
        return 0.0
    total = 0.0
    for low in range(bins):
        members = [(p, y) for p, y in zip(probabilities, labels, strict=True) if _bin(p, bins) == low]
        if members:
            confidence = sum(p for p, _ in members) / len(members)
            accuracy = sum(y for _, y in members) / len(members)
            total += len(members) * abs(accuracy - confidence)
    return total / len(probabilities)


def _newton(features: np.ndarray, labels: np.ndarray, strength: float) -> np.ndarray:
    penalty = np.full(features.shape[1], strength)
    penalty[0] = 0.0  # the bias is not shrunk
    weights = np.zeros(features.shape[1])
    for _ in range(NEWTON_STEPS):
        probabilities = 1.0 / (1.0 + np.exp(-np.clip(features @ weights, -60, 60)))
        gradient = features.T @ (probabilities - labels) + penalty * weights
        curvature = probabilities * (1.0 - probabilities)
        hessian = (
            (features * curvature[:, None]).T @ features + np.diag(penalty) + 1e-9 * np.eye(len(weights))
        )
        step = np.linalg.solve(hessian, gradient)
        weights = weights - step
        if float(np.abs(step).max()) < 1e-8:
            break
    return weights


def _row(record: QuestionRecord, stage: Stage) -> tuple[dict[str, float], bool] | None:
    if stage == "parametric":
        signals = {**record.closed_signals, "agreement": record.agreement, "refused": float(record.refused)}
        if not answers_at_all(signals):
            return None
        return signals, record.answerable and contains_answer(record.parametric_answer, record.answers)
    if record.grounded_support is None or is_refusal(record.grounded_answer):
        return None
    signals = dict(record.grounded_signals)
    if not answers_at_all(signals):
        return None
    return signals, record.answerable and contains_answer(record.grounded_answer, record.answers)


def _bin(probability: float, bins: int) -> int:
    return min(int(probability * bins), bins - 1)
