"""The thresholds in force: a profile plus run-time changes, persisted as JSON under ASSISTANT_HOME."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assistant.errors import ThresholdError
from assistant.thresholds import PROFILES, Thresholds, resolve_thresholds


class ThresholdStore:
    """The current thresholds, shared by the HTTP routes and `assistant config`.

    Changes are validated (ThresholdError names the field and its allowed range), written atomically
    to `path`, and seen by the next request. A change written by another process (`assistant config
    set` beside a running server) is picked up when the file's mtime moves.
    """

    def __init__(
        self, path: Path, *, default_profile: str, defaults: Mapping[str, Any] | None = None
    ) -> None:
        """`defaults`: single fields that the deployment's settings set on top of the profile."""
        self._path = path
        self._lock = threading.Lock()
        self._default = resolve_thresholds(profile=default_profile, overrides=defaults)
        self._stamp = _stamp(path)
        self._current = self._read()

    @property
    def path(self) -> Path:
        return self._path

    def current(self) -> Thresholds:
        with self._lock:
            stamp = _stamp(self._path)
            if stamp != self._stamp:
                # Keep the last good values if another writer left a bad file behind.
                try:
                    self._current = self._read()
                except ThresholdError:
                    return self._current
                self._stamp = stamp
            return self._current

    def update(self, changes: Mapping[str, Any]) -> Thresholds:
        """Apply `changes` (threshold fields, and optionally `profile` as the new base) and persist them."""
        values = dict(changes)
        profile = values.pop("profile", None)
        if profile is not None and not isinstance(profile, str):
            raise ThresholdError("profile: must be a string")
        with self._lock:
            base = None if profile is not None else self._current
            updated = resolve_thresholds(base=base, profile=profile, overrides=values)
            _write_json(self._path, {"thresholds": updated.model_dump()})
            self._current = updated
            self._stamp = _stamp(self._path)
            return updated

    def for_request(self, *, profile: str | None, overrides: Mapping[str, Any] | None) -> Thresholds:
        """The thresholds for one request: the current ones, or a profile, then per-request overrides."""
        return resolve_thresholds(base=self.current(), profile=profile, overrides=overrides)

    def _read(self) -> Thresholds:
        if not self._path.is_file():
            return self._default
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
            stored = data["thresholds"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ThresholdError(f"cannot read {self._path}: {error}") from error
        if not isinstance(stored, dict):
            raise ThresholdError(f"cannot read {self._path}: 'thresholds' is not an object")
        return resolve_thresholds(base=self._default, overrides=stored)


def profiles() -> dict[str, dict[str, Any]]:
    """Every named profile with its values."""
    return {name: values.model_dump() for name, values in PROFILES.items()}


def threshold_fields() -> dict[str, str]:
    """Each threshold's description, which states its unit and allowed range."""
    return {name: info.description or "" for name, info in Thresholds.model_fields.items()}


def _stamp(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temp, path)
