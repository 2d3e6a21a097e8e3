"""The manifest of one index version (JSON): embedder, chunking, index parameters, document hashes, counts."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from index.errors import CorruptIndex

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class DocumentEntry:
    content_hash: str
    title: str
    chunks: int


@dataclass(frozen=True)
class Manifest:
    version: int
    embedder: str
    dimension: int
    chunk_size: int
    chunk_overlap: int
    index_kind: str
    source: str
    built_at: str
    chunks: int
    documents: dict[str, DocumentEntry]
    format_version: int = FORMAT_VERSION
    # efSearch / nprobe and friends, so a loaded index answers as it did when built; absent before "auto"
    search_params: dict[str, int] = field(default_factory=dict)


def write_manifest(directory: Path, manifest: Manifest) -> None:
    path = directory / MANIFEST_NAME
    with path.open("w", encoding="utf-8") as handle:
        json.dump(asdict(manifest), handle, ensure_ascii=False, indent=1)
        handle.flush()
        os.fsync(handle.fileno())


def read_manifest(directory: Path) -> Manifest:
    path = directory / MANIFEST_NAME
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        documents = {key: DocumentEntry(**entry) for key, entry in raw.pop("documents").items()}
        manifest = Manifest(documents=documents, **raw)
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CorruptIndex(f"cannot read {path}: {exc}") from exc
    if manifest.format_version != FORMAT_VERSION:
        raise CorruptIndex(f"{path} has format {manifest.format_version}, expected {FORMAT_VERSION}")
    return manifest
