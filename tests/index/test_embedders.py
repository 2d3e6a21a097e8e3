"""Every bundled embedder honours the Embedder contract and matches questions to their passages."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedders import KNOWN_EMBEDDERS, open_embedder
from index.errors import UnknownEmbedder
from index.vectors import Embedder

PASSAGES = [
    "Mount Etna is an active volcano on the east coast of Sicily.",
    "大熊猫主要生活在中国四川的山区，以竹子为主要食物。",
    "Coffee beans are the roasted seeds of the Coffea plant.",
]


@pytest.fixture(scope="module", params=KNOWN_EMBEDDERS)
def embedder(request: pytest.FixtureRequest, minilm: Embedder) -> Embedder:
    return minilm if request.param == "minilm" else open_embedder(request.param)


@pytest.mark.slow
def test_vectors_are_unit_length_float32_of_the_declared_dimension(embedder: Embedder) -> None:
    documents = embedder.embed_documents(PASSAGES)
    query = embedder.embed_query("volcano")
    assert documents.shape == (3, embedder.dimension) and query.shape == (embedder.dimension,)
    assert documents.dtype == query.dtype == np.float32
    assert np.linalg.norm(documents, axis=1) == pytest.approx([1.0, 1.0, 1.0], abs=1e-5)
    assert embedder.embed_documents([]).shape == (0, embedder.dimension)


@pytest.mark.slow
@pytest.mark.parametrize(("question", "expected"), [("Which volcano is in Sicily?", 0), ("熊猫吃什么？", 1)])
def test_questions_are_closest_to_their_passage(embedder: Embedder, question: str, expected: int) -> None:
    scores = embedder.embed_documents(PASSAGES) @ embedder.embed_query(question)
    assert int(np.argmax(scores)) == expected


def test_an_unknown_name_is_a_clear_error() -> None:
    with pytest.raises(UnknownEmbedder, match="minilm"):
        open_embedder("no-such-model")
