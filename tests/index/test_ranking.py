"""Reciprocal rank fusion and BM25, including the Chinese tokenisation."""

from __future__ import annotations

from index.fusion import reciprocal_rank_fusion
from index.lexical import Bm25, tokenize


def test_rrf_prefers_rows_ranked_well_by_both() -> None:
    fused = reciprocal_rank_fusion([[1, 2, 3, 4], [4, 2, 9]])
    assert fused[0] == 2  # second in both beats first in one
    assert set(fused) == {1, 2, 3, 4, 9}
    assert fused.index(4) < fused.index(3)


def test_rrf_of_one_ranking_keeps_it() -> None:
    assert reciprocal_rank_fusion([[5, 3, 8]]) == [5, 3, 8]


def test_tokenize_splits_chinese_into_unigrams_and_bigrams_and_drops_stopwords() -> None:
    assert tokenize("The Great Wall 长城") == ["great", "wall", "长", "城", "长城"]


def test_bm25_ranks_the_rare_matching_term_first() -> None:
    texts = ["the cat sat", "the dog ran", "a zebra grazed near the cat", "熊猫吃竹子"]
    bm25 = Bm25(texts)
    assert bm25.top("zebra cat", k=2) == [2, 0]
    assert bm25.top("竹子", k=3) == [3]
    assert bm25.top("unrelated words", k=3) == []
