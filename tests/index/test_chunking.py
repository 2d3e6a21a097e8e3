"""Chunking: offsets locate chunks, neighbours overlap, Chinese sentence ends split, ids are stable."""

from __future__ import annotations

import itertools

import pytest

from index.chunking import chunk_document, make_splitter
from index.errors import InvalidOptions
from index.shapes import Document, IndexOptions


def chunks_of(text: str, *, size: int, overlap: int, page_starts: tuple[int, ...] = ()) -> list:  # type: ignore[type-arg]
    document = Document(key="doc.txt", title="doc", text=text, page_starts=page_starts)
    return chunk_document(document, make_splitter(IndexOptions(chunk_size=size, chunk_overlap=overlap)))


def test_offsets_locate_each_chunk_in_the_document() -> None:
    text = " ".join(f"Sentence number {i} talks about topic {i % 7}." for i in range(60))
    chunks = chunks_of(text, size=120, overlap=30)
    assert len(chunks) > 10
    for chunk in chunks:
        assert len(chunk.text) <= 120
        assert text[chunk.position.start : chunk.position.end] == chunk.text
    assert [c.position.start for c in chunks] == sorted(c.position.start for c in chunks)


def test_neighbouring_chunks_overlap_and_cover_the_text() -> None:
    text = " ".join(f"word{i}" for i in range(300))
    chunks = chunks_of(text, size=100, overlap=40)
    for before, after in itertools.pairwise(chunks):
        assert after.position.start < before.position.end  # shared characters
    covered = {i for c in chunks for i in range(c.position.start, c.position.end)}
    assert covered >= {i for i, char in enumerate(text) if not char.isspace()}


def test_chinese_text_is_cut_after_sentence_punctuation() -> None:
    sentences = [f"第{i}句话讲的是一个很长的故事，内容十分丰富。" for i in range(20)]
    chunks = chunks_of("".join(sentences), size=60, overlap=0)
    assert len(chunks) > 3
    assert all(chunk.text.endswith("。") for chunk in chunks)


def test_chunk_ids_are_stable_and_distinct() -> None:
    text = "Alpha beta gamma. " * 40
    first = chunks_of(text, size=80, overlap=10)
    again = chunks_of(text, size=80, overlap=10)
    assert [c.chunk_id for c in first] == [c.chunk_id for c in again]
    assert len({c.chunk_id for c in first}) == len(first)


def test_pdf_chunks_carry_their_page() -> None:
    text = "page one text " * 5 + "\n\n" + "page two text " * 5
    second_page = text.index("page two")
    chunks = chunks_of(text, size=40, overlap=0, page_starts=(0, second_page))
    assert chunks[0].position.page == 1
    assert chunks[-1].position.page == 2


def test_overlap_not_smaller_than_size_is_refused() -> None:
    with pytest.raises(InvalidOptions):
        IndexOptions(chunk_size=100, chunk_overlap=100)
