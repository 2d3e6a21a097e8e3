"""The document store: uploaded files in one flat folder, with safe names, types and sizes."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# The file types the index can read.
SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".jsonl"})
_MAX_NAME_CHARS = 200
_UNSAFE_NAME = re.compile(r"[\x00-\x1f/\\:]")
_COPY_CHUNK = 1024 * 1024


class DocumentError(Exception):
    """A document name, type or size that the store refuses."""


class DocumentTooLarge(DocumentError):
    pass


class DocumentNotFound(DocumentError):
    pass


@dataclass(frozen=True)
class StoredDocument:
    id: str  # the file name; unique in the store
    bytes: int
    modified: float


def check_name(name: str) -> str:
    """`name` if it is a plain file name of a supported type; never a path that leaves the store."""
    if not name or name in {".", ".."} or name.startswith(".") or _UNSAFE_NAME.search(name):
        raise DocumentError(f"invalid file name {name!r}: use a plain name, without folders")
    if len(name) > _MAX_NAME_CHARS:
        raise DocumentError(f"file name longer than {_MAX_NAME_CHARS} characters")
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        allowed = " ".join(sorted(SUPPORTED_SUFFIXES))
        raise DocumentError(f"unsupported file type {suffix or '(none)'!r} of {name!r}; allowed: {allowed}")
    return name


class DocumentStore:
    def __init__(self, root: Path, *, max_bytes: int) -> None:
        self.root = root
        self._max_bytes = max_bytes
        self._lock = threading.Lock()

    def list(self) -> list[StoredDocument]:
        if not self.root.is_dir():
            return []
        return [self._describe(path) for path in sorted(self._files())]

    def save(self, name: str, content: BinaryIO) -> StoredDocument:
        """Copy `content` to the store as `name`, replacing a file of that name; nothing is kept on error."""
        target = self.root / check_name(name)
        self.root.mkdir(parents=True, exist_ok=True)
        temp = self.root / f".upload-{os.getpid()}-{threading.get_ident()}-{name}"
        try:
            self._copy_limited(content, temp)
            with self._lock:
                os.replace(temp, target)
        finally:
            temp.unlink(missing_ok=True)
        return self._describe(target)

    def delete(self, name: str) -> None:
        path = self.root / check_name(name)
        with self._lock:
            if not path.is_file():
                raise DocumentNotFound(f"no document {name!r}")
            path.unlink()

    def _copy_limited(self, content: BinaryIO, temp: Path) -> None:
        written = 0
        with temp.open("wb") as out:
            while chunk := content.read(_COPY_CHUNK):
                written += len(chunk)
                if written > self._max_bytes:
                    raise DocumentTooLarge(f"file larger than the limit of {self._max_bytes} bytes")
                out.write(chunk)

    def _files(self) -> Iterator[Path]:
        for path in self.root.iterdir():
            if path.is_file() and not path.name.startswith("."):
                yield path

    @staticmethod
    def _describe(path: Path) -> StoredDocument:
        stat = path.stat()
        return StoredDocument(id=path.name, bytes=stat.st_size, modified=stat.st_mtime)
