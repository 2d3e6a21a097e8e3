"""End to end through MiniLM and FAISS on disk: oracle equality, Chinese, incremental, bad input, hot swap."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.build import build_index
from index.errors import EmbedderMismatch, EmptyCorpus, IndexNotFound, SourceNotFound
from index.search import index_status, open_index
from index.shapes import IndexOptions
from index.vectors import Embedder
from tests.support.corpus import CHINESE, ENGLISH, write_corpus
from tests.support.index_pdfs import pdf_with_pages

pytestmark = pytest.mark.slow

OPTIONS = IndexOptions(chunk_size=200, chunk_overlap=40)


def build(source: Path, index_dir: Path, embedder: Embedder, **kwargs: object):  # type: ignore[no-untyped-def]
    return build_index(source=source, index_dir=index_dir, embedder=embedder, options=OPTIONS, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_dense_search_equals_a_numpy_brute_force_oracle(
    kind: str, corpus: Path, tmp_path: Path, minilm: Embedder
) -> None:
    options = IndexOptions(chunk_size=200, chunk_overlap=40, index_kind=kind)  # type: ignore[arg-type]
    build_index(source=corpus, index_dir=tmp_path / "idx", embedder=minilm, options=options)
    searcher = open_index(tmp_path / "idx", embedder=minilm, hybrid=False)
    everything = searcher.retrieve("x", k=1000)  # every chunk, to embed them independently
    texts = [hit.text for hit in everything]
    matrix = minilm.embed_documents(texts)
    for query in ("Which volcano is in Sicily?", "What causes tides?", "大熊猫吃什么？"):
        cosines = matrix @ minilm.embed_query(query)
        expected = np.argsort(-cosines)[:4]
        hits = searcher.retrieve(query, k=4)
        assert [hit.text for hit in hits] == [texts[i] for i in expected]
        assert [hit.score for hit in hits] == pytest.approx(cosines[expected].tolist(), abs=1e-4)
        assert [hit.rank for hit in hits] == [1, 2, 3, 4]


def test_hybrid_scores_stay_cosines_and_chinese_finds_chinese(
    corpus: Path, tmp_path: Path, minilm: Embedder
) -> None:
    build(corpus, tmp_path / "idx", minilm)
    searcher = open_index(tmp_path / "idx", embedder=minilm, hybrid=True)
    for question, source in (
        ("大熊猫主要吃什么？", "zh/panda.txt"),
        ("龙井茶产于哪个城市？", "zh/tea.txt"),
        ("Where were coffee plants first grown?", "coffee.md"),
    ):
        hits = searcher.retrieve(question, k=3)
        assert hits[0].source == source
        query = minilm.embed_query(question)
        for hit in hits:
            assert hit.score == pytest.approx(float(minilm.embed_documents([hit.text])[0] @ query), abs=1e-4)


def test_status_and_report_describe_the_build(corpus: Path, tmp_path: Path, minilm: Embedder) -> None:
    report = build(corpus, tmp_path / "idx", minilm)
    status = index_status(tmp_path / "idx")
    assert (report.documents, status.documents) == (len(ENGLISH) + len(CHINESE),) * 2
    assert status.chunks == report.chunks == report.embedded_chunks
    assert (status.embedder, status.dimension, status.version) == (minilm.model_id, 384, report.version)
    assert report.seconds.embedding_s > 0
    bees = open_index(tmp_path / "idx", embedder=minilm).retrieve("waggle dance", k=1)[0]
    assert (bees.title, bees.source) == ("Bees", "bees.html")
    assert "script text" not in bees.text


def test_incremental_build_embeds_only_new_and_changed_documents(
    corpus: Path, tmp_path: Path, minilm: Embedder
) -> None:
    index_dir = tmp_path / "idx"
    build(corpus, index_dir, minilm)
    (corpus / "tides.txt").write_text("Tides rise and fall twice a day along most coasts.", encoding="utf-8")
    (corpus / "new.txt").write_text("The Sahara is the largest hot desert in the world.", encoding="utf-8")
    (corpus / "volcanoes.txt").unlink()
    report = build(corpus, index_dir, minilm, incremental=True)
    assert report.embedded_chunks == 2  # one changed file and one new file, one chunk each
    assert report.documents == len(ENGLISH) + len(CHINESE)
    searcher = open_index(index_dir, embedder=minilm, hybrid=False)
    sources = {hit.source for hit in searcher.retrieve("anything", k=100)}
    assert "volcanoes.txt" not in sources and "new.txt" in sources
    assert searcher.retrieve("largest hot desert", k=1)[0].source == "new.txt"
    assert build(corpus, index_dir, minilm, incremental=True).embedded_chunks == 0


def test_corrupt_pdf_is_skipped_and_reported_while_good_pdf_is_indexed(
    corpus: Path, tmp_path: Path, minilm: Embedder
) -> None:
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<\nthis is not a pdf")
    (corpus / "manual.pdf").write_bytes(
        pdf_with_pages(["Welcome to the product. " * 12, "The reset button is on the back"])
    )
    report = build(corpus, tmp_path / "idx", minilm)
    assert [skip.path for skip in report.skipped] == ["broken.pdf"]
    hit = open_index(tmp_path / "idx", embedder=minilm).retrieve("Where is the reset button?", k=1)[0]
    assert (hit.source, hit.position.page) == ("manual.pdf", 2)


def test_a_different_embedder_is_a_clear_error(corpus: Path, tmp_path: Path, minilm: Embedder) -> None:
    from tests.support.index_fakes import HashingEmbedder

    build(corpus, tmp_path / "idx", HashingEmbedder(dimension=384))
    with pytest.raises(EmbedderMismatch, match="rebuild"):
        open_index(tmp_path / "idx", embedder=minilm)


def test_missing_source_empty_corpus_and_missing_index_are_errors(tmp_path: Path, minilm: Embedder) -> None:
    with pytest.raises(SourceNotFound):
        build(tmp_path / "nope", tmp_path / "idx", minilm)
    empty = write_corpus(tmp_path / "empty", {"blank.txt": "   \n", "image.png": "x"})
    with pytest.raises(EmptyCorpus):
        build(empty, tmp_path / "idx", minilm)
    with pytest.raises(IndexNotFound):
        open_index(tmp_path / "idx", embedder=minilm)


def test_an_open_searcher_keeps_serving_after_newer_builds(
    corpus: Path, tmp_path: Path, minilm: Embedder
) -> None:
    index_dir = tmp_path / "idx"
    build(corpus, index_dir, minilm)
    old = open_index(index_dir, embedder=minilm)
    before = old.retrieve("Which volcano is in Sicily?", k=2)
    (corpus / "volcanoes.txt").unlink()
    for _ in range(3):
        build(corpus, index_dir, minilm)
    assert len([p for p in index_dir.iterdir() if p.name.startswith("v")]) == 2  # current and previous
    assert old.retrieve("Which volcano is in Sicily?", k=2) == before
    assert old.status().version == 1
    new = open_index(index_dir, embedder=minilm)
    assert new.status().version == 4
    assert "volcanoes.txt" not in {hit.source for hit in new.retrieve("volcano", k=20)}


def test_langchain_retriever_returns_documents(corpus: Path, tmp_path: Path, minilm: Embedder) -> None:
    from langchain_core.documents import Document

    from index.langchain_retriever import IndexRetriever

    build(corpus, tmp_path / "idx", minilm)
    retriever = IndexRetriever(searcher=open_index(tmp_path / "idx", embedder=minilm), k=2)
    documents = retriever.invoke("What causes ocean tides?")
    assert len(documents) == 2
    assert all(isinstance(document, Document) for document in documents)
    assert documents[0].metadata["source"] == "tides.txt"
    assert documents[0].metadata["score"] > documents[1].metadata["score"]
