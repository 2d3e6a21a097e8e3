"""The chunk store: one SQLite file per index version; row numbers are the FAISS ids."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from index.shapes import Chunk, Position

_SCHEMA = """
CREATE TABLE chunks (
    row INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL, source TEXT NOT NULL, title TEXT NOT NULL,
    text TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, page INTEGER
);
CREATE INDEX chunks_source ON chunks (source);
"""
_COLUMNS = "chunk_id, source, title, text, start, end, page"


def write_chunks(path: Path, chunks: Iterable[Chunk]) -> None:
    """Create the store at `path`; rows are numbered 0.. in iteration order."""
    with sqlite3.connect(path) as connection:
        connection.executescript(_SCHEMA)
        connection.executemany(
            f"INSERT INTO chunks (row, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (row, c.chunk_id, c.source, c.title, c.text, *_position(c.position))
                for row, c in enumerate(chunks)
            ),
        )
    connection.close()


class ChunkStore:
    """Read-only access, safe to share between threads (one connection behind a lock)."""

    def __init__(self, path: Path) -> None:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        self._connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._lock = threading.Lock()

    def count(self) -> int:
        with self._lock:
            (total,) = self._connection.execute("SELECT COUNT(*) FROM chunks").fetchone()
        return int(total)

    def texts(self) -> Iterator[str]:
        with self._lock:
            rows = self._connection.execute("SELECT text FROM chunks ORDER BY row").fetchall()
        return (text for (text,) in rows)

    def chunks(self, rows: Sequence[int]) -> list[Chunk]:
        """The chunks at `rows`, in that order."""
        marks = ",".join("?" * len(rows))
        with self._lock:
            found = self._connection.execute(
                f"SELECT row, {_COLUMNS} FROM chunks WHERE row IN ({marks})", list(rows)
            ).fetchall()
        by_row = {record[0]: _chunk(record[1:]) for record in found}
        return [by_row[row] for row in rows]

    def rows_by_source(self) -> dict[str, list[tuple[int, str]]]:
        """For each document key, its (row, chunk_id) pairs in row order."""
        result: dict[str, list[tuple[int, str]]] = {}
        with self._lock:
            records = self._connection.execute("SELECT row, source, chunk_id FROM chunks ORDER BY row")
            for row, source, chunk_id in records:
                result.setdefault(source, []).append((row, chunk_id))
        return result

    def close(self) -> None:
        with self._lock:
            self._connection.close()


def _position(position: Position) -> tuple[int, int, int | None]:
    return position.start, position.end, position.page


def _chunk(record: Sequence[Any]) -> Chunk:
    chunk_id, source, title, text, start, end, page = record
    position = Position(start=int(start), end=int(end), page=None if page is None else int(page))
    return Chunk(chunk_id=chunk_id, source=source, title=title, text=text, position=position)
