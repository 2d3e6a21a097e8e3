"""Agreement: the share of sampled answers that make the same core claim as the main answer."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.claims import Claims, extract_claims, text_features
from assistant.refusal import is_refusal

# Two answers share a claim when most of the smaller one's content terms recur in the other.
# Tuned on tests/assistant/fixtures/agreement_samples.json (real outputs of the default model):
# "an American actor" against "an American politician" shares half its terms and must disagree.
TERM_OVERLAP_TO_AGREE = 0.6


def agreement(main: str, samples: Sequence[str], *, question: str = "") -> float:
    """Share of `samples` agreeing with `main`, in [0, 1]; 0.0 when there are no samples.

    `question`, when given, is subtracted from both answers first, so that two answers agree on
    what they add to the question ("... was born in 1950") rather than on the words they echo.
    """
    if not samples:
        return 0.0
    votes = sum(answers_agree(main, sample, question=question) for sample in samples)
    return votes / len(samples)


def answers_agree(first: str, second: str, *, question: str = "") -> bool:
    """Whether two answers assert the same thing; a refusal only ever agrees with a refusal."""
    first_refuses, second_refuses = is_refusal(first), is_refusal(second)
    if first_refuses or second_refuses:
        return first_refuses and second_refuses
    a = extract_claims(first, question=question)
    b = extract_claims(second, question=question)
    if a.empty and b.empty:
        # Both only rephrase the question ("France won the 1987 Tour de France"): compare in full.
        return text_features(first) == text_features(second)
    return claims_agree(a, b)


def claims_agree(a: Claims, b: Claims) -> bool:
    """Every claim the two share a kind of (numbers, terms) must match; at least one must be shared.

    Numbers must nest (one answer may add a day to the other's year, never change it), so two
    invented birth dates in the same sentence template disagree even though their words match.
    """
    checks: list[bool] = []
    if a.numbers and b.numbers:
        checks.append(a.numbers <= b.numbers or b.numbers <= a.numbers)
    if a.terms and b.terms:
        checks.append(overlap(a.terms, b.terms) >= TERM_OVERLAP_TO_AGREE)
    return bool(checks) and all(checks)


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap coefficient: shared items over the size of the smaller set."""
    return len(a & b) / min(len(a), len(b))
