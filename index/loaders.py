"""Files to Documents: walk a file or folder, read each supported type, and list what was skipped."""

from __future__ import annotations

import json
import logging
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from index.decoding import decode_text
from index.shapes import Document, SkippedFile

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".jsonl")

# What a corrupt or hostile file can make the parsers raise; anything else is a bug and propagates.
_READ_ERRORS = (
    OSError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    RecursionError,
    zipfile.BadZipFile,
    zlib.error,
    struct.error,
)


def iter_files(source: Path) -> Iterator[Path]:
    """`source` itself, or every file under it in sorted order; hidden files and folders are ignored."""
    if source.is_file():
        yield source
        return
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            yield path


def document_key(path: Path, source: Path) -> str:
    return path.name if source.is_file() else path.relative_to(source).as_posix()


def read_file(path: Path, key: str) -> tuple[list[Document], list[SkippedFile]]:
    """The documents in one file (several for JSONL) and whatever in it had to be skipped."""
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        return [], [SkippedFile(key, f"unsupported file type {path.suffix or '(none)'}")]
    try:
        documents, skipped = reader(path, key)
    except _READ_ERRORS as exc:
        return [], [SkippedFile(key, f"unreadable: {type(exc).__name__}: {exc}".strip())]
    kept = [doc for doc in documents if doc.text.strip()]
    skipped += [SkippedFile(doc.key, "no text") for doc in documents if not doc.text.strip()]
    return kept, skipped


def _read_plain(path: Path, key: str) -> tuple[list[Document], list[SkippedFile]]:
    text = decode_text(path.read_bytes())
    return [Document(key=key, title=_markdown_title(text) or path.stem, text=text)], []


def _markdown_title(text: str) -> str | None:
    for line in text.splitlines()[:20]:
        if line.startswith("# "):
            return line[2:].strip() or None
    return None


def _read_html(path: Path, key: str) -> tuple[list[Document], list[SkippedFile]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_text(path.read_bytes()), "html.parser")
    for hidden in soup(["script", "style", "noscript", "template"]):
        hidden.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    lines = (line.strip() for line in soup.get_text("\n").splitlines())
    text = "\n".join(line for line in lines if line)
    return [Document(key=key, title=title or path.stem, text=text)], []


def _read_pdf(path: Path, key: str) -> tuple[list[Document], list[SkippedFile]]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # pypdf logs every repair it attempts; a file it cannot read is reported in the build report instead.
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    try:
        reader = PdfReader(path, strict=False)
        pages = [page.extract_text() or "" for page in reader.pages]
        title = reader.metadata.title if reader.metadata and reader.metadata.title else ""
    except PyPdfError as exc:
        return [], [SkippedFile(key, f"corrupt PDF: {exc}")]
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + 2
    text = "\n\n".join(pages)
    return [Document(key=key, title=str(title) or path.stem, text=text, page_starts=tuple(starts))], []


def _read_docx(path: Path, key: str) -> tuple[list[Document], list[SkippedFile]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except PackageNotFoundError as exc:
        return [], [SkippedFile(key, f"corrupt DOCX: {exc}")]
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    title = document.core_properties.title or path.stem
    return [Document(key=key, title=title, text=text)], []


def _read_jsonl(path: Path, key: str) -> tuple[list[Document], list[SkippedFile]]:
    documents: list[Document] = []
    skipped: list[SkippedFile] = []
    for number, line in enumerate(decode_text(path.read_bytes()).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            skipped.append(SkippedFile(f"{key}:{number}", f"invalid JSON: {exc.msg}"))
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            skipped.append(SkippedFile(f"{key}:{number}", "no string 'text' field"))
            continue
        doc_id = str(record.get("id", number))
        title = record.get("title")
        documents.append(
            Document(key=f"{key}#{doc_id}", title=str(title) if title else doc_id, text=record["text"])
        )
    return documents, skipped


_READERS: dict[str, Callable[[Path, str], tuple[list[Document], list[SkippedFile]]]] = {
    ".txt": _read_plain,
    ".md": _read_plain,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
    ".jsonl": _read_jsonl,
}
