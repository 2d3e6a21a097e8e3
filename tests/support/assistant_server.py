"""`assistant serve --prepare` as a subprocess on a free loopback port, for end-to-end tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.served_process import free_port, stop, wait_until_ok

READY_TIMEOUT_S = 600  # the first start converts the model (about 40 s alone; minutes on a busy machine)


@dataclass(frozen=True)
class Server:
    url: str
    home: Path
    env: dict[str, str]

    def http(self, **headers: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=headers, timeout=300)


def assistant_command(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "assistant"), *args]


@contextmanager
def serving(home: Path, *, cache_dir: Path, env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """A prepared server (model assembled, the sample corpus indexed) over `home`, stopped on exit.

    `env` adds ASSISTANT_* settings (keys, limits, model). The server's log is `home`/../server.log,
    whose tail is shown when it does not become ready.
    """
    port = free_port()
    full_env = {
        **os.environ,
        "ASSISTANT_HOME": str(home),
        "ASSISTANT_CACHE_DIR": str(cache_dir),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        **(env or {}),
    }
    log = home.parent / f"{home.name}-server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            assistant_command("serve", "--prepare", "--port", str(port)),
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ok(f"{url}/readyz", process, timeout_s=READY_TIMEOUT_S, log_tail=log.read_text)
        yield Server(url=url, home=home, env=full_env)
    finally:
        stop(process, timeout_s=20)
