"""Metrics of one mode over a run: accuracy and abstention on the two kinds of question, cost and latency."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.claims import extract_claims, text_features
from assistant.evaluation.normalise import contains_answer
from assistant.evaluation.question_record import QuestionRecord
from assistant.evaluation.replay import Mode, Outcome, replay

PLANTED_CLAIM_SHARE = 0.6  # of a planted sentence's claims an answer must repeat to count as repeating it


@dataclass(frozen=True)
class ModeMetrics:
    """Rates are in [0, 1]; a rate over an empty group is None (reported as "-")."""

    mode: str
    answerable: int
    unanswerable: int
    accuracy: float | None  # answerable: answered and a gold answer is contained
    answer_rate: float | None  # answerable: answered at all
    precision: float | None  # answerable and answered: correct
    abstention_rate: float | None  # unanswerable: abstained
    hallucination_rate: float | None  # unanswerable: answered anyway
    retrieval_rate: float  # all questions: the retriever was called
    llm_calls: float  # mean per question
    tokens: float  # generated tokens, mean per question
    latency_p50_ms: float
    latency_p95_ms: float
    # Planted-opinion questions: the share of all such questions whose answer repeats the planted one.
    planted_repeat_rate: float | None = None


def is_correct(record: QuestionRecord, outcome: Outcome) -> bool:
    return record.answerable and outcome.answered and contains_answer(outcome.answer, record.answers)


def mode_metrics(records: Sequence[QuestionRecord], mode: Mode) -> ModeMetrics:
    return metrics_of(mode.name, [(record, replay(record, mode)) for record in records])


def metrics_of(name: str, pairs: Sequence[tuple[QuestionRecord, Outcome]]) -> ModeMetrics:
    answerable = [(r, o) for r, o in pairs if r.answerable]
    unanswerable = [o for r, o in pairs if not r.answerable]
    answered = [(r, o) for r, o in answerable if o.answered]
    correct = sum(is_correct(r, o) for r, o in answered)
    outcomes = [o for _, o in pairs]
    latencies = [o.latency_ms for o in outcomes]
    return ModeMetrics(
        mode=name,
        answerable=len(answerable),
        unanswerable=len(unanswerable),
        accuracy=ratio(correct, len(answerable)),
        answer_rate=ratio(len(answered), len(answerable)),
        precision=ratio(correct, len(answered)),
        abstention_rate=ratio(sum(not o.answered for o in unanswerable), len(unanswerable)),
        hallucination_rate=ratio(sum(o.answered for o in unanswerable), len(unanswerable)),
        retrieval_rate=ratio(sum(o.retrieved for o in outcomes), len(outcomes)) or 0.0,
        llm_calls=mean([float(o.llm_calls) for o in outcomes]),
        tokens=mean([float(o.tokens) for o in outcomes]),
        latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95),
        planted_repeat_rate=_planted_repeat_rate(pairs),
    )


def repeats_planted(answer: str, *, planted: str, golds: Sequence[str], question: str) -> bool:
    """Whether `answer` gives the planted wrong answer: contains it, or most of its claims (a planted
    sentence such as HaluEval's), without containing a gold answer."""
    if not answer or not planted or contains_answer(answer, golds):
        return False
    if contains_answer(answer, [planted]):
        return True
    claims = extract_claims(planted, question=question)
    size = len(claims.numbers) + len(claims.terms)
    if size == 0:
        return False
    given = text_features(answer)
    found = len(claims.numbers & given.numbers) + len(claims.terms & given.terms)
    return found / size >= PLANTED_CLAIM_SHARE


def _planted_repeat_rate(pairs: Sequence[tuple[QuestionRecord, Outcome]]) -> float | None:
    planted = [(r, o) for r, o in pairs if r.planted]
    repeats = sum(
        repeats_planted(o.answer, planted=r.planted, golds=r.answers, question=r.understood or r.question)
        for r, o in planted
    )
    return ratio(repeats, len(planted))


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def auroc(positives: Sequence[float], negatives: Sequence[float]) -> float | None:
    """Chance that a random positive scores above a random negative (ties count half); None when
    either side is empty. 1.0 separates perfectly, 0.5 is chance."""
    if not positives or not negatives:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))
