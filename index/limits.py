"""Bounds on what one file may cost to read, so a hostile or broken file is skipped, not obeyed.

Every limit is checked before the expensive step it guards (the zip directory before unzipping, the
page count before extracting text), so a file over a limit costs about as much as reading its header.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

# Share of control characters (other than tab, newline, carriage return, form feed) above which
# decoded "text" is taken for binary data; real text in any language has next to none.
_CONTROL_SHARE = 0.05
_SNIFF_BYTES = 64 * 1024
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")
_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)[^>]*?(/?)>")
# HTML elements that never take an end tag, so never open a level.
_VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source"}
    | {"track", "wbr"}
)


class LimitExceeded(ValueError):
    """A file over one of the read limits; its message is the reason shown in the build report."""


@dataclass(frozen=True)
class ReadLimits:
    """What one file may cost. The defaults leave room for real documents and stop bombs early."""

    # Uploads are capped at 20 MB (api/settings.py); a folder build meets bigger files, and a 50 MB
    # text file is already some 25,000 pages.
    max_file_bytes: int = 50_000_000
    # pypdf extracts about 50-200 pages/s on one core: 2,000 pages keep one file under ~40 s.
    max_pdf_pages: int = 2_000
    # Text kept from one file (about 2,500 pages); beyond it chunking and embedding dominate a build.
    max_text_chars: int = 5_000_000
    # A DOCX is a zip of a few dozen parts; a zip bomb declares gigabytes in few bytes.
    max_zip_entries: int = 1_000
    max_unzipped_bytes: int = 100_000_000
    # html.parser builds the tree iteratively, but bs4's text extraction and decompose() recurse on
    # some paths; real pages nest a few dozen levels.
    max_html_depth: int = 400


READ_LIMITS = ReadLimits()


def check_file_size(path: Path, limits: ReadLimits) -> None:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise LimitExceeded(f"file of {size} bytes is over the limit of {limits.max_file_bytes}")


def check_text_bytes(data: bytes) -> None:
    """LimitExceeded when `data`, meant to be text, looks binary (NUL bytes or many control bytes)."""
    sample = data[:_SNIFF_BYTES]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 with a byte-order mark: NUL bytes are expected
    if b"\x00" in sample:
        raise LimitExceeded("binary content (NUL bytes) in a text file")
    controls = sum(1 for byte in sample if byte < 32 and chr(byte) not in _TEXT_CONTROLS)
    if sample and controls > _CONTROL_SHARE * len(sample):
        raise LimitExceeded("binary content (control bytes) in a text file")


def check_text_length(text: str, limits: ReadLimits) -> None:
    if len(text) > limits.max_text_chars:
        raise LimitExceeded(f"more than {limits.max_text_chars} characters of text")


def check_zip(path: Path, limits: ReadLimits) -> None:
    """Refuse a zip (DOCX) with too many parts or too many declared bytes before anything is inflated.

    zipfile never inflates a part past its declared size (it fails the CRC check instead), so the
    declared sizes bound the memory python-docx can be made to use.
    """
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
    if len(entries) > limits.max_zip_entries:
        raise LimitExceeded(f"zip of {len(entries)} parts is over the limit of {limits.max_zip_entries}")
    declared = sum(entry.file_size for entry in entries)
    if declared > limits.max_unzipped_bytes:
        raise LimitExceeded(
            f"zip declares {declared} unpacked bytes, over the limit of {limits.max_unzipped_bytes}"
        )


def check_html_depth(markup: str, limits: ReadLimits) -> None:
    """Refuse markup whose elements open deeper than the limit, before a parser builds the tree.

    html.parser nests unclosed elements (`<p>a<p>b` is a `p` inside a `p`), so this counts as it does:
    every start tag opens a level except void and self-closed ones, and every end tag closes one.
    """
    depth = 0
    for match in _TAG.finditer(markup):
        closing, name, self_closed = match.group(1), match.group(2).lower(), match.group(3)
        if closing:
            depth = max(0, depth - 1)
        elif name not in _VOID_ELEMENTS and not self_closed:
            depth += 1
            if depth > limits.max_html_depth:
                raise LimitExceeded(f"HTML nested deeper than {limits.max_html_depth} levels")
