"""Files to Documents: walk a file or folder, read each supported type, and list what was skipped."""

from __future__ import annotations

import json
import logging
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.decoding import decode_text
from index.limits import (
    READ_LIMITS,
    LimitExceeded,
    ReadLimits,
    check_file_size,
    check_html_depth,
    check_text_bytes,
    check_text_length,
    check_zip,
)
from index.shapes import Document, SkippedFile

if TYPE_CHECKING:
    from pypdf import PdfReader

Reader = Callable[[Path, str, ReadLimits], tuple[list[Document], list[SkippedFile]]]

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


def read_file(
    path: Path, key: str, *, limits: ReadLimits = READ_LIMITS
) -> tuple[list[Document], list[SkippedFile]]:
    """The documents in one file (several for JSONL) and whatever in it had to be skipped.

    A file over one of `limits` is skipped with the limit as its reason, before it is parsed.
    """
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        return [], [SkippedFile(key, f"unsupported file type {path.suffix or '(none)'}")]
    if not _is_utf8(key):
        return [], [SkippedFile(key.encode("utf-8", "replace").decode(), "file name is not valid UTF-8")]
    try:
        check_file_size(path, limits)
        documents, skipped = reader(path, key, limits)
        for document in documents:
            check_text_length(document.text, limits)
    except LimitExceeded as exc:
        return [], [SkippedFile(key, f"refused: {exc}")]
    except _READ_ERRORS as exc:
        return [], [SkippedFile(key, f"unreadable: {type(exc).__name__}: {exc}".strip())]
    kept = [doc for doc in documents if doc.text.strip()]
    skipped += [SkippedFile(doc.key, "no text") for doc in documents if not doc.text.strip()]
    return kept, skipped


def _is_utf8(name: str) -> bool:
    """False for names read from disk with undecodable bytes (kept as surrogates by Python)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _read_text_bytes(path: Path) -> str:
    data = path.read_bytes()
    check_text_bytes(data)
    return decode_text(data)


def _read_plain(path: Path, key: str, limits: ReadLimits) -> tuple[list[Document], list[SkippedFile]]:
    text = _read_text_bytes(path)
    return [Document(key=key, title=_markdown_title(text) or path.stem, text=text)], []


def _markdown_title(text: str) -> str | None:
    for line in text.splitlines()[:20]:
        if line.startswith("# "):
            return line[2:].strip() or None
    return None


def _read_html(path: Path, key: str, limits: ReadLimits) -> tuple[list[Document], list[SkippedFile]]:
    from bs4 import BeautifulSoup

    markup = _read_text_bytes(path)
    check_html_depth(markup, limits)
    soup = BeautifulSoup(markup, "html.parser")
    for hidden in soup(["script", "style", "noscript", "template"]):
        hidden.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    lines = (line.strip() for line in soup.get_text("\n").splitlines())
    text = "\n".join(line for line in lines if line)
    return [Document(key=key, title=title or path.stem, text=text)], []


def _read_pdf(path: Path, key: str, limits: ReadLimits) -> tuple[list[Document], list[SkippedFile]]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    # pypdf logs every repair it attempts; a file it cannot read is reported in the build report instead.
    logging.getLogger("pypdf").setLevel(logging.ERROR)

    try:
        reader = PdfReader(path, strict=False)
        pages = _pdf_pages(reader, limits)
        title = reader.metadata.title if reader.metadata and reader.metadata.title else ""
    except PyPdfError as exc:
        return [], [SkippedFile(key, f"corrupt PDF: {exc}")]
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + 2
    text = "\n\n".join(pages)
    return [Document(key=key, title=str(title) or path.stem, text=text, page_starts=tuple(starts))], []


def _pdf_pages(reader: PdfReader, limits: ReadLimits) -> list[str]:
    """The text of each page; scripts, forms and attachments are never run or read, only page text."""
    count = max(_declared_pages(reader), 0)
    if count <= limits.max_pdf_pages:  # the declared count is cheap; the real one walks the page tree
        count = len(reader.pages)
    if count > limits.max_pdf_pages:
        raise LimitExceeded(f"PDF of {count} pages is over the limit of {limits.max_pdf_pages}")
    pages: list[str] = []
    chars = 0
    for page in reader.pages:
        pages.append(page.extract_text() or "")
        chars += len(pages[-1])
        if chars > limits.max_text_chars:
            raise LimitExceeded(f"more than {limits.max_text_chars} characters of text")
    return pages


def _declared_pages(reader: PdfReader) -> int:
    try:
        pages: Any = reader.trailer["/Root"]["/Pages"]  # type: ignore[index]  # a DictionaryObject
        return int(pages["/Count"])
    except (KeyError, TypeError, ValueError):
        return 0


def _read_docx(path: Path, key: str, limits: ReadLimits) -> tuple[list[Document], list[SkippedFile]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    check_zip(path, limits)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, SyntaxError) as exc:  # lxml's XMLSyntaxError is a SyntaxError
        return [], [SkippedFile(key, f"corrupt DOCX: {exc}")]
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    title = document.core_properties.title or path.stem
    return [Document(key=key, title=title, text=text)], []


def _read_jsonl(path: Path, key: str, limits: ReadLimits) -> tuple[list[Document], list[SkippedFile]]:
    documents: list[Document] = []
    skipped: list[SkippedFile] = []
    for number, line in enumerate(_read_text_bytes(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            skipped.append(SkippedFile(f"{key}:{number}", f"invalid JSON: {exc.msg}"))
            continue
        except RecursionError:
            skipped.append(SkippedFile(f"{key}:{number}", "JSON nested too deeply"))
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


_READERS: dict[str, Reader] = {
    ".txt": _read_plain,
    ".md": _read_plain,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
    ".jsonl": _read_jsonl,
}
