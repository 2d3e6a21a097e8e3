"""The document store: uploaded files in one flat folder, with safe names, types and sizes."""

from __future__ import annotations

import os
import re
import threading
import uuid
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from index.limits import READ_LIMITS, LimitExceeded, check_text_bytes, check_zip

# The file types the index can read.
SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".jsonl"})
MAX_NAME_CHARS = 200
# File systems cap a name at 255 bytes; 200 UTF-8 bytes leave room for the store's temporary prefix.
_MAX_NAME_BYTES = 200
_UNSAFE_NAME = re.compile(r"[\x00-\x1f/\\:]")
_COPY_CHUNK = 1024 * 1024
_TEXT_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".jsonl"})
_SNIFF_BYTES = 64 * 1024


class DocumentError(Exception):
    """A document name, type or size that the store refuses."""


class DocumentTooLarge(DocumentError):
    pass


class DocumentNotFound(DocumentError):
    pass


class DocumentRefused(DocumentError):
    """Content that cannot be the type its name says (binary .txt, a zip bomb .docx, an empty file)."""


@dataclass(frozen=True)
class StoredDocument:
    id: str  # the file name; unique in the store
    bytes: int
    modified: float


def _any_case(word: str) -> str:
    return "".join(f"[{char.lower()}{char.upper()}]" for char in word)


# check_name as a regular expression, for the OpenAPI schema of document ids (JSON Schema has no flags).
NAME_PATTERN = (
    r"^[^.\x00-\x1f/\\:][^\x00-\x1f/\\:]*\.("
    + "|".join(_any_case(suffix[1:]) for suffix in sorted(SUPPORTED_SUFFIXES))
    + ")$"
)


def check_name(name: str) -> str:
    """`name` if it is a plain file name of a supported type; never a path that leaves the store."""
    if not name or name in {".", ".."} or name.startswith(".") or _UNSAFE_NAME.search(name):
        raise DocumentError(f"invalid file name {name!r}: use a plain name, without folders")
    if len(name) > MAX_NAME_CHARS or len(name.encode("utf-8", "replace")) > _MAX_NAME_BYTES:
        raise DocumentError(f"file name longer than {MAX_NAME_CHARS} characters or {_MAX_NAME_BYTES} bytes")
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        allowed = " ".join(sorted(SUPPORTED_SUFFIXES))
        raise DocumentError(f"unsupported file type {suffix or '(none)'!r} of {name!r}; allowed: {allowed}")
    return name


def check_content(path: Path, *, suffix: str) -> None:
    """DocumentRefused unless the first bytes can be a file of type `suffix` (a cheap check: the
    full read happens at the next rebuild, which skips what it cannot read, with the reason)."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head.strip():
        raise DocumentRefused("empty file: nothing to index")
    try:
        if suffix in _TEXT_SUFFIXES:
            check_text_bytes(head)
        elif suffix == ".pdf" and b"%PDF-" not in head[:1024]:
            raise DocumentRefused("not a PDF: no %PDF- header")
        elif suffix == ".docx":
            if not zipfile.is_zipfile(path):
                raise DocumentRefused("not a DOCX: not a zip archive")
            check_zip(path, READ_LIMITS)
    except LimitExceeded as error:
        raise DocumentRefused(str(error)) from error


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
        return self.save_all([(name, content)])[0]

    def save_all(self, files: Sequence[tuple[str, BinaryIO]]) -> Sequence[StoredDocument]:
        """Store every file or none: each is copied and checked aside, then all are switched in."""
        targets = [self.root / check_name(name) for name, _ in files]
        self.root.mkdir(parents=True, exist_ok=True)
        temps = [self.root / f".upload-{uuid.uuid4().hex}" for _ in files]
        try:
            for (_, content), temp, target in zip(files, temps, targets, strict=True):
                self._copy_limited(content, temp)
                check_content(temp, suffix=target.suffix.lower())
            with self._lock:
                for temp, target in zip(temps, targets, strict=True):
                    os.replace(temp, target)
        finally:
            for temp in temps:
                temp.unlink(missing_ok=True)
        return [self._describe(target) for target in targets]

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
