"""Reading files: each supported type, text-only HTML, PDF pages, JSONL lines, bad input, encodings."""

from __future__ import annotations

from pathlib import Path

import docx

from index.decoding import decode_text
from index.loaders import iter_files, read_file
from tests.support.index_pdfs import pdf_with_pages


def test_html_keeps_text_and_title_but_no_markup_or_script(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>T</title><script>x=1</script></head><body><p>Hi <b>there</b></p></body>"
    )
    (document,), skipped = read_file(path, "page.html")
    assert skipped == []
    assert document.title == "T"
    assert "Hi" in document.text and "there" in document.text
    assert "<" not in document.text and "x=1" not in document.text


def test_pdf_pages_are_read_with_their_offsets(tmp_path: Path) -> None:
    path = tmp_path / "two.pdf"
    path.write_bytes(pdf_with_pages(["First page words", "Second page words"]))
    (document,), _ = read_file(path, "two.pdf")
    assert document.text.index("Second page") == document.page_starts[1]


def test_corrupt_pdf_and_unsupported_files_are_skipped_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage")
    (tmp_path / "picture.png").write_bytes(b"\x89PNG....")
    for name, expected in (("broken.pdf", "PDF"), ("picture.png", "unsupported")):
        documents, skipped = read_file(tmp_path / name, name)
        assert documents == []
        assert [s.path for s in skipped] == [name]
        assert expected in skipped[0].reason


def test_docx_paragraphs_are_read(tmp_path: Path) -> None:
    made = docx.Document()
    made.add_paragraph("Docx paragraph one.")
    made.add_paragraph("Docx paragraph two.")
    made.save(str(tmp_path / "note.docx"))
    (document,), _ = read_file(tmp_path / "note.docx", "note.docx")
    assert document.text == "Docx paragraph one.\nDocx paragraph two."


def test_jsonl_gives_one_document_per_line_and_skips_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text('{"id": "a", "text": "Alpha", "title": "A"}\n{"text": "Beta"}\nnot json\n{"id": 3}\n')
    documents, skipped = read_file(path, "docs.jsonl")
    assert [(d.key, d.title, d.text) for d in documents] == [
        ("docs.jsonl#a", "A", "Alpha"),
        ("docs.jsonl#2", "2", "Beta"),
    ]
    assert [s.path for s in skipped] == ["docs.jsonl:3", "docs.jsonl:4"]


def test_text_that_is_not_utf8_is_decoded_not_dropped(tmp_path: Path) -> None:
    assert decode_text("北京是中国的首都".encode("gb18030")) == "北京是中国的首都"
    assert decode_text("Café crème".encode("cp1252")) == "Café crème"
    assert decode_text("\ufeffBOM text".encode()) == "BOM text"
    path = tmp_path / "legacy.txt"
    path.write_bytes("naïve résumé".encode("latin-1"))
    (document,), _ = read_file(path, "legacy.txt")
    assert document.text == "naïve résumé"


def test_folders_are_walked_recursively_without_hidden_entries(tmp_path: Path) -> None:
    for name in ("a.txt", "sub/b.md", ".git/config", "sub/.hidden.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_files(tmp_path)] == ["a.txt", "sub/b.md"]
