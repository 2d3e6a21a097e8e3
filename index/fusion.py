"""Reciprocal rank fusion of several rankings of the same rows."""

from __future__ import annotations

from collections.abc import Sequence

RRF_K = 60


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], *, k: int = RRF_K) -> list[int]:
    """Rows ordered by the sum of 1 / (k + rank) over the rankings they appear in (rank from 1).

    Ties keep the order in which rows were first met, so the first ranking breaks them.
    """
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, row in enumerate(ranking, start=1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (k + rank)
    return sorted(fused, key=lambda row: -fused[row])
