"""Hostile uploads: content that cannot be its type is refused with 422 before it is stored, names with
NUL, `..`, too many bytes are 400, non-ASCII names are fine, and a refused batch stores nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.settings import Settings
from assistant.backends.scripted import ScriptedGenerator
from tests.support.fake_index import ClientFactory, FakeIndex
from tests.support.hostile_files import raw_multipart, write_hostile, zip_bomb_docx

REFUSED_AT_UPLOAD = {"bomb.docx", "binary.txt", "empty.txt", "blank.md", "fake.pdf", "fake.docx"}


def _stored(settings: Settings) -> list[str]:
    return sorted(p.name for p in settings.documents_dir.iterdir())


def test_content_that_cannot_be_its_type_is_refused_and_the_rest_is_stored(
    make_client: ClientFactory, built_index: FakeIndex, settings: Settings, tmp_path: Path
) -> None:
    client = make_client(ScriptedGenerator(), built_index)
    for expected in write_hostile(tmp_path / "hostile"):
        data = (tmp_path / "hostile" / expected.name).read_bytes()
        response = client.post("/v1/documents", files={"files": (expected.name, data)})
        if expected.name in REFUSED_AT_UPLOAD:
            assert response.status_code == 422, expected.name
            assert response.json()["error"]["type"] == "document_refused"
        else:
            assert response.status_code == 201, (expected.name, response.text)
    stored = set(_stored(settings))
    assert not stored & REFUSED_AT_UPLOAD and "good.txt" in stored and "acme.md" in stored
    assert not [name for name in stored if name.startswith(".upload-")]


@pytest.mark.parametrize(
    "name", [b"a\x00b.txt", b"../escape.txt", b"..", "长".encode() * 70 + b".txt", b"x" * 201 + b".txt"]
)
def test_hostile_names_sent_byte_for_byte_are_400(
    make_client: ClientFactory, built_index: FakeIndex, settings: Settings, name: bytes
) -> None:
    client = make_client(ScriptedGenerator(), built_index)
    body, content_type = raw_multipart(name, b"Some text.")
    response = client.post("/v1/documents", content=body, headers={"content-type": content_type})
    assert response.status_code == 400, response.text
    assert "file name" in response.json()["error"]["message"]
    assert _stored(settings) == ["acme.md"]


def test_a_batch_with_one_refused_file_stores_none_of_it(
    make_client: ClientFactory, built_index: FakeIndex, settings: Settings, tmp_path: Path
) -> None:
    client = make_client(ScriptedGenerator(), built_index)
    zip_bomb_docx(tmp_path / "bomb.docx", unpacked_mb=120)
    files = [
        ("files", ("fine.txt", b"A fine note.")),
        ("files", ("bomb.docx", (tmp_path / "bomb.docx").read_bytes())),
    ]
    response = client.post("/v1/documents", files=files)
    assert response.status_code == 422 and "unpacked bytes" in response.json()["error"]["message"]
    assert _stored(settings) == ["acme.md"]


def test_a_non_ascii_name_is_stored_as_sent(
    make_client: ClientFactory, built_index: FakeIndex, settings: Settings
) -> None:
    client = make_client(ScriptedGenerator(), built_index)
    body, content_type = raw_multipart("青岚茶业 说明.md".encode(), "青岚茶业于二〇〇三年成立。".encode())
    response = client.post("/v1/documents", content=body, headers={"content-type": content_type})
    assert response.status_code == 201 and response.json()["documents"][0]["id"] == "青岚茶业 说明.md"
