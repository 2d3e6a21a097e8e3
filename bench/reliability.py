"""Reliability and security in one table: load, faults, hostile files, injection, schema conformance.

    python bench/reliability.py [--requests 500] [--skip-injection] [--skip-pytest]

Load: our server as a real subprocess on loopback with the remote (openai) backend pointed at a scripted
in-process chat server (a fake model that answers at once, so the server's own costs are measured) and the
real MiniLM index; 16 and 64 concurrent clients, bounded counts. Faults and schema: the pytest tests that
exercise them, run here and reported with their time. Hostile files: each one read and uploaded. Injection:
bench/injection.py with the real default model (several minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.reliability_load import LoadResult, run_load
from index.loaders import read_file
from index.versions import current_version, version_dir
from tests.support.fault_server import QUARRY_DOC, chat_backend, rebuild, served, server_env, wait_ready
from tests.support.hostile_files import raw_multipart, write_hostile

REPO = Path(__file__).resolve().parents[1]
Row = tuple[str, str, str, bool]
FAULT_TESTS = {
    "SIGKILL mid-rebuild, restart": "tests/api/test_server_faults.py -k sigkill",
    "disk full during rebuild": "tests/api/test_server_faults.py -k full_disk",
    "remote model slow / dropping": "tests/api/test_backend_faults.py tests/assistant/test_openai_faults.py",
    "index truncated / overwritten": "tests/index/test_corrupt_index.py tests/api/test_readiness.py",
}
BAD_NAMES = ("a\x00b.txt", "../escape.txt", "x" * 250 + ".txt", "..", "青岚茶业说明.txt")


def load_rows(url: str, pid: int, requests: int) -> list[Row]:
    rows = []
    for clients, count in ((64, requests), (16, requests // 2)):
        result = run_load(url, pid, clients=clients, requests=count)
        rows.append(_load_row(result))
        if clients == 64:
            growth = (result.rss_last_mb - result.rss_early_mb) / result.rss_early_mb
            figure = (
                f"{result.rss_early_mb:.0f} MB after 50, {result.rss_last_mb:.0f} MB after {count} "
                f"({growth:+.1%})"
            )
            rows.append(("load", "RSS growth (64 clients)", figure, abs(growth) <= 0.10))
    return rows


def _load_row(result: LoadResult) -> Row:
    figure = (
        f"{result.requests} asks in {result.wall_s:.0f} s: {result.ok} ok, {result.shed} 503+Retry-After, "
        f"{len(result.unexpected)} unexpected; "
        f"p50 {result.p(0.5) * 1000:.0f} ms, p99 {result.p(0.99) * 1000:.0f} ms; "
        f"/healthz max {max(result.healthz_s) * 1000:.0f} ms, {result.healthz_failures} failed"
    )
    passed = not result.unexpected and result.healthz_failures == 0 and result.ok > 0
    return ("load", f"{result.clients} concurrent clients", figure, passed)


def hostile_rows(url: str) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp, httpx.Client(base_url=url, timeout=60) as http:
        root = Path(tmp)
        for expected in write_hostile(root):
            started = time.perf_counter()
            documents, skipped = read_file(root / expected.name, expected.name)
            read_s = time.perf_counter() - started
            upload = http.post(
                "/v1/documents", files={"files": (expected.name, (root / expected.name).read_bytes())}
            )
            outcome = skipped[0].reason[:60] if skipped else f"read, {len(documents)} document(s)"
            handled = bool(skipped) == bool(expected.reason) and read_s < 20 and upload.status_code < 500
            rows.append(
                (
                    "hostile",
                    expected.name[:28],
                    f"{outcome}; {read_s:.2f} s; upload {upload.status_code}",
                    handled,
                )
            )
        for name in BAD_NAMES:
            body, content_type = raw_multipart(name.encode(), b"text")  # sent byte for byte
            upload = http.post("/v1/documents", content=body, headers={"content-type": content_type})
            wanted = upload.status_code == 201 if name.startswith("青") else 400 <= upload.status_code < 500
            rows.append(("hostile", f"upload name {name[:20]!r}", f"HTTP {upload.status_code}", wanted))
        job = rebuild(http)
        skipped_names = len(job.get("skipped", []))
        rows.append(
            (
                "hostile",
                "rebuild over all of them",
                f"{job['state']}, {skipped_names} skipped with reasons",
                job["state"] == "succeeded",
            )
        )
    return rows


def corrupt_start_row(home: Path, env: dict[str, str]) -> Row:
    vectors = version_dir(home / "index", current_version(home / "index")) / "vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[:100])
    with served(home, env) as server, server.http() as http:
        body = wait_ready(http)
        asked = http.post("/v1/ask", json={"question": "What is the capital of France?"})
    figure = (
        f"/readyz {body['status']} (index {body['index']}): {body['detail'][:60]}; ask {asked.status_code}"
    )
    return (
        "faults",
        "index truncated at start (real files)",
        figure,
        body["status"] == "failed" and asked.status_code == 200,
    )


def pytest_rows(tests: dict[str, str], area: str) -> list[Row]:
    rows = []
    for label, nodes in tests.items():
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *nodes.split()],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        summary = (done.stdout.strip().splitlines() or ["no output"])[-1]
        summary = re.sub(r"=+", "", summary).strip()
        rows.append((area, label, f"{summary} ({time.perf_counter() - started:.0f} s)", done.returncode == 0))
    return rows


def injection_row() -> Row:
    done = subprocess.run(
        [sys.executable, "bench/injection.py", "--threads", "2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    last = (done.stdout.strip().splitlines() or ["no output"])[-1]
    served_share = re.search(r"served \d+/\d+ \((\d+) %\)", last)
    return (
        "injection",
        "injected instructions followed",
        last,
        bool(served_share) and int(served_share.group(1)) <= 5,
    )


def print_table(rows: list[Row]) -> None:
    print("| area | check | figure | pass |")
    print("|---|---|---|---|")
    for area, check, figure, passed in rows:
        print(f"| {area} | {check} | {figure} | {'yes' if passed else 'NO'} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--skip-injection", action="store_true")
    parser.add_argument("--skip-pytest", action="store_true")
    args = parser.parse_args()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp, chat_backend() as chat_url:
        home = Path(tmp) / "home"
        env = server_env(home, chat_url)
        with served(home, env) as server, server.http() as http:
            wait_ready(http)
            http.post("/v1/documents", files={"files": ("quarry.md", QUARRY_DOC.encode())})
            rebuild(http)
            rows += load_rows(server.url, server.process.pid, args.requests)
            rows += hostile_rows(server.url)
        rows.append(corrupt_start_row(home, env))
    if not args.skip_pytest:
        rows += pytest_rows(FAULT_TESTS, "faults")
        rows += pytest_rows({"schemathesis, all checks": "tests/api/test_schema_conformance.py"}, "schema")
        rows += pytest_rows(
            {"every route x no key / API key / admin key, CORS": "tests/api/test_access_matrix.py"}, "access"
        )
    if not args.skip_injection:
        rows.append(injection_row())
    print_table(rows)


if __name__ == "__main__":
    main()
