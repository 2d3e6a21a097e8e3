"""Bytes to text for files that are not valid UTF-8: try the likely encodings, never drop the file."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def decode_text(data: bytes) -> str:
    """UTF-16 with a BOM; UTF-8 (with or without BOM); else GB18030 when it reads as Chinese, else
    Windows-1252, else Latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    chinese = _strict(data, "gb18030")
    if chinese is not None and _mostly_cjk(chinese):
        return chinese
    western = _strict(data, "cp1252")
    return western if western is not None else data.decode("latin-1")


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _mostly_cjk(text: str) -> bool:
    non_ascii = sum(1 for char in text if ord(char) > 127)
    return non_ascii > 0 and len(_CJK.findall(text)) >= 0.6 * non_ascii
