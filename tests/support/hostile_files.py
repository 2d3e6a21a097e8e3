"""Hostile and broken files, generated on the spot: what each is, and what the loaders must say about it."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.index_pdfs import pdf_with_pages

# A page script that would run in a PDF viewer; the loaders read page text only.
PDF_SCRIPT = "app.alert('pwned'); this.exportDataObject({cName: 'x', nLaunch: 2});"
GOOD_TEXT = "Acme Widgets was founded in 1987 in Tulsa."


@dataclass(frozen=True)
class Hostile:
    name: str
    reason: str  # a word the skip reason must contain; "" when the file must be read, not skipped


def zip_bomb_docx(path: Path, *, unpacked_mb: int = 200) -> None:
    """A real .docx whose document part inflates from ~200 KB to `unpacked_mb` MB of valid XML (blanks
    inside the body), so python-docx would parse all of it; written in 1 MB steps."""
    import docx

    made = io.BytesIO()
    docx.Document().save(made)
    with zipfile.ZipFile(made) as template, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in template.infolist():
            if entry.filename != "word/document.xml":
                archive.writestr(entry, template.read(entry))
        head, _, tail = template.read("word/document.xml").partition(b"<w:body>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(head + b"<w:body>")
            for _ in range(unpacked_mb):
                part.write(b" " * (1024 * 1024))
            part.write(tail)


def broken_xml_docx(path: Path) -> None:
    """A real .docx whose document part is not XML (lxml raises XMLSyntaxError, a SyntaxError)."""
    import docx

    made = io.BytesIO()
    docx.Document().save(made)
    with zipfile.ZipFile(made) as template, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in template.infolist():
            data = b"<w:document><unclosed" if entry.filename == "word/document.xml" else template.read(entry)
            archive.writestr(entry, data)


def nested_html(depth: int) -> bytes:
    return ("<html><body>" + "<div>" * depth + "deep" + "</div>" * depth + "</body></html>").encode()


def broken_jsonl() -> bytes:
    lines = [
        '{"id": "ok", "text": "Kept line about Zed Quarry."}',
        '{"id": "cut", "text": "trunc',
        "[" * 100_000,
        '"just a string"',
        "\xff\xfe not json",
        '{"id": "ok2", "text": "Another kept line."}',
    ]
    return "\n".join(lines).encode("utf-8", "surrogateescape")


def write_hostile(root: Path) -> list[Hostile]:
    """Write every hostile file (and one good file) into `root`; returns what each must become."""
    root.mkdir(parents=True, exist_ok=True)
    zip_bomb_docx(root / "bomb.docx")
    broken_xml_docx(root / "broken-xml.docx")
    files: dict[str, bytes] = {
        "thousands.pdf": pdf_with_pages([f"Page {i}" for i in range(5000)]),
        "script.pdf": pdf_with_pages(
            ["Harmless page text."],
            catalog_extra=f"/OpenAction << /S /JavaScript /JS ({PDF_SCRIPT}) >> ",
        ),
        "nested.html": nested_html(100_000),
        "binary.txt": bytes(range(256)) * 64,
        "empty.txt": b"",
        "blank.md": b"   \n\n  ",
        "invalid-utf8.txt": b"Caf\xe9 cr\xe8me and \xff\x81 bytes that are not UTF-8.",
        "broken.jsonl": broken_jsonl(),
        "fake.pdf": b"this is not a PDF at all",
        "fake.docx": b"PK\x03\x04 not really a zip",
        "青岚茶业-" + "长" * 40 + ".txt": "青岚茶业于二〇〇三年在云溪镇成立。".encode(),
        "good.txt": GOOD_TEXT.encode(),
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    return [
        Hostile("bomb.docx", "unpacked bytes"),
        Hostile("broken-xml.docx", "corrupt DOCX"),
        Hostile("thousands.pdf", "pages"),
        Hostile("script.pdf", ""),
        Hostile("nested.html", "nested deeper"),
        Hostile("binary.txt", "binary"),
        Hostile("empty.txt", "no text"),
        Hostile("blank.md", "no text"),
        Hostile("invalid-utf8.txt", ""),
        Hostile("fake.pdf", "PDF"),
        Hostile("fake.docx", "unreadable"),
        Hostile("青岚茶业-" + "长" * 40 + ".txt", ""),
        Hostile("good.txt", ""),
    ]


def raw_multipart(filename: bytes, content: bytes) -> tuple[bytes, str]:
    """A multipart body whose file name is sent byte for byte (httpx would percent-encode a NUL)."""
    boundary = "hostileboundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="'.encode()
        + filename
        + b'"\r\nContent-Type: text/plain\r\n\r\n'
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"
