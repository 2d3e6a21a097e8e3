"""The document store over HTTP: upload, list, delete, and what is refused (names, types, sizes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.documents import DocumentError, check_name
from api.settings import Settings
from assistant.backends.scripted import ScriptedGenerator
from tests.support.fake_index import ClientFactory, FakeIndex


def test_upload_list_and_delete(
    make_client: ClientFactory, built_index: FakeIndex, settings: Settings
) -> None:
    client = make_client(ScriptedGenerator(), built_index)
    files = [
        ("files", ("notes.txt", b"Zed notes.", "text/plain")),
        ("files", ("page.html", b"<p>x</p>", "text/html")),
    ]
    uploaded = client.post("/v1/documents", files=files)
    assert uploaded.status_code == 201
    assert [d["id"] for d in uploaded.json()["documents"]] == ["notes.txt", "page.html"]
    assert (settings.documents_dir / "notes.txt").read_bytes() == b"Zed notes."
    listed = {d["id"]: d["bytes"] for d in client.get("/v1/documents").json()["documents"]}
    assert listed == {"acme.md": 42, "notes.txt": 10, "page.html": 8}
    assert client.delete("/v1/documents/notes.txt").status_code == 200
    assert not (settings.documents_dir / "notes.txt").exists()
    missing = client.delete("/v1/documents/notes.txt")
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "document_not_found"


@pytest.mark.parametrize(
    "name", ["../escape.txt", "..\\escape.txt", "sub/escape.txt", "/etc/escape.txt", ".hidden.txt"]
)
def test_names_that_could_leave_the_store_are_refused(
    make_client: ClientFactory, built_index: FakeIndex, settings: Settings, name: str
) -> None:
    client = make_client(ScriptedGenerator(), built_index)
    response = client.post("/v1/documents", files={"files": (name, b"evil", "text/plain")})
    assert response.status_code == 400 and response.json()["error"]["type"] == "invalid_document"
    home = settings.home.parent
    assert sorted(p.name for p in home.rglob("*escape*")) == []
    assert sorted(p.name for p in settings.documents_dir.iterdir()) == ["acme.md"]


def test_unsupported_type_and_oversized_files_are_refused(
    make_client: ClientFactory, built_index: FakeIndex, settings: Settings
) -> None:
    client = make_client(ScriptedGenerator(), built_index, max_upload_bytes=100)
    exe = client.post("/v1/documents", files={"files": ("tool.exe", b"MZ", "application/octet-stream")})
    assert exe.status_code == 400 and ".jsonl" in exe.json()["error"]["message"]
    big = client.post("/v1/documents", files={"files": ("big.txt", b"a" * 101, "text/plain")})
    assert big.status_code == 413
    assert sorted(p.name for p in settings.documents_dir.iterdir()) == ["acme.md"]


def test_delete_refuses_names_outside_the_store(
    make_client: ClientFactory, built_index: FakeIndex, tmp_path: Path
) -> None:
    client = make_client(ScriptedGenerator(), built_index)
    assert client.delete("/v1/documents/..%2Fhome%2Fruntime.json").status_code in (400, 404)
    assert client.delete("/v1/documents/.. ").status_code == 422  # not a document id (pattern)


def test_check_name_accepts_plain_names_of_every_supported_type() -> None:
    for name in ["a.txt", "B.MD", "青岚.md", "r.htm", "r.html", "p.pdf", "d.docx", "rows.jsonl", "a b.txt"]:
        assert check_name(name) == name
    for bad in ["", ".", "..", "a\x00.txt", "noext", "c:evil.txt"]:
        with pytest.raises(DocumentError):
            check_name(bad)
