"""BM25 over chunk texts, with a tokeniser for English words and Chinese character unigrams and bigrams."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

_TOKEN = re.compile(r"[0-9a-z]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CJK_START = "\u3400"
_STOPWORDS = frozenset(
    (
        *("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it"),
        *("its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "what", "when", "where"),
        *("which", "who", "whom", "why", "how", "with", "did", "does", "do"),
    )
)


def tokenize(text: str) -> list[str]:
    """Lower-cased words without stopwords; each run of Chinese characters as unigrams and bigrams."""
    tokens: list[str] = []
    for match in _TOKEN.findall(text.lower()):
        if match[0] >= _CJK_START:
            tokens.extend(match)
            tokens.extend(match[i : i + 2] for i in range(len(match) - 1))
        elif match not in _STOPWORDS:
            tokens.append(match)
    return tokens


class Bm25:
    """Okapi BM25 with an in-memory inverted index; rows are the chunk rows of the store."""

    def __init__(self, texts: Iterable[str], *, k1: float = 1.2, b: float = 0.75) -> None:
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        lengths: list[int] = []
        for row, text in enumerate(texts):
            counts = Counter(tokenize(text))
            lengths.append(sum(counts.values()))
            for token, count in counts.items():
                postings[token].append((row, count))
        self._lengths = np.asarray(lengths, dtype=np.float32)
        average = float(self._lengths.mean()) if lengths else 1.0
        self._norm = k1 * (1 - b + b * self._lengths / max(average, 1e-9))
        self._k1 = k1
        self._postings = {
            token: (np.asarray([r for r, _ in pairs], dtype=np.int64), np.asarray([c for _, c in pairs]))
            for token, pairs in postings.items()
        }

    def __len__(self) -> int:
        return len(self._lengths)

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        total = np.zeros(len(self._lengths), dtype=np.float32)
        n = len(self._lengths)
        for token in set(tokenize(query)):
            if token not in self._postings:
                continue
            rows, counts = self._postings[token]
            idf = math.log(1 + (n - len(rows) + 0.5) / (len(rows) + 0.5))
            tf = counts.astype(np.float32)
            total[rows] += idf * tf * (self._k1 + 1) / (tf + self._norm[rows])
        return total

    def top(self, query: str, *, k: int) -> list[int]:
        """Rows of the `k` best-scoring chunks that share at least one token with the query."""
        scores = self.scores(query)
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        ordered = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [int(row) for row in ordered]
