"""Faults on a real server process: SIGKILL in the middle of a rebuild, then a restart; the disk filling
up during a rebuild (a small tmpfs when the test runs as root, else RLIMIT_FSIZE on the server process)."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.fault_server import (
    QUARRY_DOC,
    QUARRY_Q,
    chat_backend,
    rebuild,
    served,
    server_env,
    wait_ready,
)

pytestmark = pytest.mark.slow

FILLER = "Notes on granite, slate and the quarries of the north, kept for reference. "


def _old_index_serves(http: httpx.Client, *, version: int) -> None:
    assert http.get("/readyz").json() == {"status": "ready", "index": "ready", "detail": ""}
    assert http.get("/v1/index").json()["version"] == version
    answer = http.post("/v1/ask", json={"question": QUARRY_Q}).json()
    assert answer["route"] == "retrieval" and "1932" in answer["answer"], answer
    assert [c["source"] for c in answer["citations"]] == ["quarry.md"]


def _first_index(http: httpx.Client) -> None:
    upload = http.post("/v1/documents", files={"files": ("quarry.md", QUARRY_DOC.encode(), "text/markdown")})
    assert upload.status_code == 201, upload.text
    assert rebuild(http)["state"] == "succeeded"


def test_sigkill_in_the_middle_of_a_rebuild_then_restart_serves_the_old_index(tmp_path: Path) -> None:
    home = tmp_path / "home"
    notes = home / "documents"
    with chat_backend() as chat_url:
        env = server_env(home, chat_url, ASSISTANT_CHUNK_SIZE="200", ASSISTANT_CHUNK_OVERLAP="20")
        with served(home, env) as server, server.http() as http:
            wait_ready(http)
            _first_index(http)
            for i in range(300):
                (notes / f"note{i:03d}.txt").write_text(f"Note {i}. " + FILLER * 3, encoding="utf-8")
            job = rebuild(http, until=lambda j: j["progress"]["stage"] == "embedding" and j["done"] >= 64)
            assert job["state"] == "running", job
            server.process.send_signal(signal.SIGKILL)
            assert server.process.wait(timeout=30) == -signal.SIGKILL
        with served(home, env) as restarted, restarted.http() as http:
            wait_ready(http)
            _old_index_serves(http, version=1)
            assert rebuild(http)["state"] == "succeeded"  # the lock died with the killed process
            assert http.get("/v1/index").json()["documents"] == 301
    assert not list((home / "index").glob(".build-*"))


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[tuple[Path, Callable[[], Any] | None, str]]:
    """A home on a 2 MB tmpfs (as root), else a normal home whose server may not write files over 256 KB."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
        ).returncode
        == 0
    )
    if made:
        yield mount / "home", None, "tmpfs"
        subprocess.run(["umount", "-l", str(mount)], check=False)
        return

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, resource.RLIM_INFINITY))

    yield mount / "home", limit_file_size, "rlimit"


def test_a_full_disk_fails_the_rebuild_clearly_and_the_old_index_keeps_serving(
    small_disk: tuple[Path, Callable[[], Any] | None, str],
) -> None:
    home, preexec, how = small_disk
    with chat_backend() as chat_url:
        env = server_env(home, chat_url, ASSISTANT_CHUNK_SIZE="20000", ASSISTANT_CHUNK_OVERLAP="0")
        with served(home, env, preexec=preexec) as server, server.http() as http:
            wait_ready(http)
            _first_index(http)
            for i in range(2):  # ~1.1 MB of text: the new version's chunk store does not fit
                (home / "documents" / f"big{i}.txt").write_text(
                    f"Big {i}. " + FILLER * 7500, encoding="utf-8"
                )
            failed = rebuild(http)
            assert failed["state"] == "failed", (how, failed)
            assert failed["error"].startswith("IndexWriteFailed") and "previous version" in failed["error"]
            # ENOSPC, and sqlite's words for ENOSPC and EFBIG
            reasons = ("No space left", "disk is full", "disk I/O error", "File too large")
            assert any(reason in failed["error"] for reason in reasons), failed["error"]
            _old_index_serves(http, version=1)
            assert not list((home / "index").glob(".build-*"))  # the space is given back at once
            for i in range(2):
                assert http.delete(f"/v1/documents/big{i}.txt").status_code == 200
            assert rebuild(http)["state"] == "succeeded"
            assert http.get("/v1/index").json()["version"] == 2
