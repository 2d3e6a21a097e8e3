"""Metrics of a mode against hand-computed values, English and Chinese answers, and percentiles."""

from __future__ import annotations

import pytest

from assistant.evaluation.replay import Outcome
from assistant.evaluation.scores import auroc, metrics_of, percentile
from tests.support.eval_builders import make_record


def _outcome(answer: str, *, retrieved: bool = False, ms: float = 100.0) -> Outcome:
    """One LLM call and 10 tokens without retrieval; two calls and 30 tokens with it."""
    calls, tokens = (2, 30) if retrieved else (1, 10)
    return Outcome(answer=answer, retrieved=retrieved, llm_calls=calls, tokens=tokens, latency_ms=ms)


def test_rates_on_answerable_and_unanswerable_questions() -> None:
    zh = make_record(question="新中国成立于哪一年？", answers=("1949年",))
    pairs = [
        (make_record(), _outcome("Ada Lind, I think.")),  # correct
        (make_record(), _outcome("Bob Stone.")),  # answered, wrong
        (make_record(), _outcome("", retrieved=True, ms=400.0)),  # abstained
        # full-width digits in the answer, half-width in the gold answer
        (zh, _outcome("新中国成立于１９４９年。", retrieved=True, ms=300.0)),
        (make_record(answers=()), _outcome("")),  # unanswerable, abstained
        (make_record(answers=()), _outcome("Ian Moe.")),  # unanswerable, hallucinated
    ]
    m = metrics_of("test", pairs)
    assert (m.answerable, m.unanswerable) == (4, 2)
    assert m.accuracy == pytest.approx(2 / 4)
    assert m.answer_rate == pytest.approx(3 / 4)
    assert m.precision == pytest.approx(2 / 3)
    assert m.abstention_rate == pytest.approx(1 / 2)
    assert m.hallucination_rate == pytest.approx(1 / 2)
    assert m.retrieval_rate == pytest.approx(2 / 6)
    assert m.llm_calls == pytest.approx(8 / 6)
    assert m.tokens == pytest.approx(100 / 6)
    # latencies sorted: 100 x4, 300, 400 -> p50 between ranks 2 and 3 (both 100), p95 at rank 4.75
    assert m.latency_p50_ms == pytest.approx(100.0)
    assert m.latency_p95_ms == pytest.approx(300.0 + 0.75 * 100.0)


def test_empty_groups_are_none_not_zero() -> None:
    m = metrics_of("only-answerable", [(make_record(), _outcome("Ada Lind"))])
    assert m.abstention_rate is None and m.hallucination_rate is None
    assert m.accuracy == 1.0


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([5.0], 95, 5.0), ([1.0, 2.0, 3.0, 4.0], 50, 2.5), ([10.0, 0.0, 20.0], 100, 20.0), ([], 50, 0.0)],
)
def test_percentile_interpolates_between_ranks(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == pytest.approx(expected)


def test_auroc_against_hand_counted_pairs() -> None:
    assert auroc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert auroc([0.1], [0.9]) == 0.0
    # pairs: (0.8 vs 0.8) tie = 0.5, (0.8 vs 0.2) = 1, (0.4 vs 0.8) = 0, (0.4 vs 0.2) = 1 -> 2.5 / 4
    assert auroc([0.8, 0.4], [0.8, 0.2]) == 0.625
    assert auroc([], [0.5]) is None and auroc([0.5], []) is None
