"""`assistant serve --prepare`: seed the document store and build a first index (the model: prepare_model)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from api.settings import Settings
from api.wiring.components import IndexFolder, load_embedder
from index.errors import IndexNotFound
from index.search import index_status

Echo = Callable[[str], None]
# Package data (pyproject: api/sample_corpus/**/*), found beside this module in editable and wheel installs.
SAMPLE_CORPUS = Path(__file__).resolve().parent / "sample_corpus"


def prepare_index(settings: Settings, *, echo: Echo) -> None:
    """Make a fresh home servable: seed the document store and build a first index, unless one exists."""
    if has_index(settings.index_dir):
        echo(f"index: using the one in {settings.index_dir}")
        return
    # Only a home without an index gets the sample corpus, so a user's own index is never replaced.
    seeded = seed_documents(settings.documents_dir)
    if seeded:
        echo(f"documents: copied {len(seeded)} sample documents to {settings.documents_dir}")
    echo(f"index: building from {settings.documents_dir} ...")
    service = IndexFolder(settings, load_embedder(settings))
    summary = service.build(
        source=settings.documents_dir, incremental=False, progress=lambda stage, done, total: None
    )
    echo(f"index: {summary.details['documents']} documents, {summary.details['chunks']} chunks")


def seed_documents(documents_dir: Path) -> list[Path]:
    """Copy the bundled sample corpus into an empty (or missing) document store; never over user files."""
    if documents_dir.is_dir() and any(documents_dir.iterdir()):
        return []
    documents_dir.mkdir(parents=True, exist_ok=True)
    copied = []
    for entry in sorted(SAMPLE_CORPUS.iterdir()):
        if entry.is_file() and not entry.name.startswith((".", "_")):
            target = documents_dir / entry.name
            shutil.copyfile(entry, target)
            copied.append(target)
    return copied


def has_index(index_dir: Path) -> bool:
    try:
        index_status(index_dir)
    except IndexNotFound:
        return False
    return True
