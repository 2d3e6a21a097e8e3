"""Documents to overlapping chunks (langchain-text-splitters) with offsets, pages and stable ids."""

from __future__ import annotations

import bisect
import hashlib

from langchain_text_splitters import RecursiveCharacterTextSplitter

from index.shapes import Chunk, Document, IndexOptions, Position

# Paragraphs, lines, then sentence ends in Chinese and English, then clauses, then words, then characters.
SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", ". ", "! ", "? ", "; ", "，", ", ", " ", ""]


def make_splitter(options: IndexOptions) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        separators=SEPARATORS,
        keep_separator="end",
        chunk_size=options.chunk_size,
        chunk_overlap=options.chunk_overlap,
    )


def chunk_document(document: Document, splitter: RecursiveCharacterTextSplitter) -> list[Chunk]:
    chunks: list[Chunk] = []
    cursor = 0
    for piece in splitter.split_text(document.text):
        start = document.text.find(piece, cursor)
        if start < 0:  # the splitter strips whitespace, so a piece is always found; guard anyway
            start = cursor
        end = start + len(piece)
        position = Position(start=start, end=end, page=_page_of(start, document.page_starts))
        chunks.append(
            Chunk(
                chunk_id=chunk_id(document.key, start, piece),
                source=document.key,
                title=document.title,
                text=piece,
                position=position,
            )
        )
        cursor = start + 1
    return chunks


def chunk_id(key: str, start: int, text: str) -> str:
    """Depends only on the document key, the offset and the text, so unchanged chunks keep their id."""
    digest = hashlib.sha256(f"{key}\0{start}\0{text}".encode()).hexdigest()
    return digest[:16]


def _page_of(offset: int, page_starts: tuple[int, ...]) -> int | None:
    if not page_starts:
        return None
    return bisect.bisect_right(page_starts, offset)
