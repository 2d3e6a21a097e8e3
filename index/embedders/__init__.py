"""The embedder adapters, chosen by name: `open_embedder` imports an adapter only when it is asked for."""

from __future__ import annotations

from pathlib import Path

from index.errors import UnknownEmbedder
from index.vectors import Embedder

KNOWN_EMBEDDERS = ("minilm", "use-multilingual", "e5-small")


def open_embedder(name: str) -> Embedder:
    """'minilm', 'use-multilingual', 'e5-small', or a local sentence-transformers model directory."""
    if name == "minilm":
        from index.embedders.sentence_transformers import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder.bundled_minilm()
    if name == "use-multilingual":
        from index.embedders.use_multilingual import UseMultilingualEmbedder

        return UseMultilingualEmbedder()
    if name == "e5-small":
        from index.embedders.e5_small import E5SmallEmbedder

        return E5SmallEmbedder()
    path = Path(name).expanduser()
    if (path / "modules.json").is_file() or (path / "config_sentence_transformers.json").is_file():
        from index.embedders.sentence_transformers import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(path)
    known = ", ".join(KNOWN_EMBEDDERS)
    raise UnknownEmbedder(f"unknown embedder {name!r}: use one of {known} or a sentence-transformers folder")
