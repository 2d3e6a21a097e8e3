"""Serving benchmark: start-up time, peak memory, /v1/ask latency per route and throughput under concurrency.

    python bench/serving.py [--backends llama-server,llamacpp,transformers] [--requests 16] [--levels 1,4,8]

For each backend it starts a real `assistant serve --prepare` on a free loopback port, twice:
- cold: a fresh ASSISTANT_HOME (the sample corpus is copied and indexed) and a fresh cache dir that
  holds only the assembled GGUF (symlinked with its verification marker), so transformers converts
  the weights again; llama.cpp has nothing to convert, so its cold start is the index build;
- warm: the same home and cache again (index built, weights converted), as after a restart.
On the warm server it asks short factual questions one at a time (latency, grouped by the route the
answer record reports), then the same mixed question list with 1, 4, 8 concurrent clients.
Peak RSS is the VmHWM of the server process and its children (llama-server) after all of that.
Every number comes from this one run.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.support.served_process import free_port, stop, wait_until_ok  # noqa: E402

GGUF_NAMES = ("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
PARAMETRIC_QUESTIONS = (
    "What is the capital of France?",
    "What is the chemical symbol for gold?",
    "Who wrote Romeo and Juliet?",
    "Which planet is known as the Red Planet?",
    "How many continents are there?",
    "What is the largest ocean on Earth?",
)
CORPUS_QUESTIONS = (  # answered by api/sample_corpus/, unknown to the model
    "In what year was Lumora Robotics founded?",
    "Who is the director of the Harlow Valley Observatory?",
    "How long does the Varnholm ferry crossing take?",
    "What was the first product of Lumora Robotics?",
    "In what year was the ferry Marigold Venn launched?",
    "How wide is the mirror of the Great Wren telescope?",
)


@dataclass
class BackendReport:
    backend: str
    cold_start_s: float = 0.0
    warm_starts_s: list[float] = field(default_factory=list)  # restarts on the same home and cache
    first_ask_s: float = 0.0  # the first /v1/ask after /readyz: it pays what loads lazily
    peak_rss_mb: float = 0.0
    latency_s: dict[str, list[float]] = field(default_factory=dict)
    stage_ms: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    route_of: dict[str, str] = field(default_factory=dict)
    throughput: dict[int, float] = field(default_factory=dict)  # answered requests per second
    overloaded: dict[int, float] = field(default_factory=dict)  # share answered 503 (queue full)


@dataclass(frozen=True)
class Running:
    url: str
    process: subprocess.Popen[bytes]
    start_s: float


def server_env(backend: str, *, home: Path, cache_dir: Path, threads: int | None) -> dict[str, str]:
    env = {
        **os.environ,
        "ASSISTANT_BACKEND": backend,
        "ASSISTANT_HOME": str(home),
        "ASSISTANT_CACHE_DIR": str(cache_dir),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    env.pop("ASSISTANT_API_KEY", None)
    if threads is not None:
        env["ASSISTANT_THREADS"] = str(threads)
    return env


@contextmanager
def serve(env: dict[str, str], log: Path) -> Iterator[Running]:
    """`assistant serve --prepare` on a free port; yields once /readyz says 200 (the start time)."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "assistant"), "serve", "--prepare", "--port", str(port)]
    started = time.perf_counter()
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ok(
            f"{url}/readyz", process, timeout_s=900, log_tail=lambda: log.read_text()[-3000:], poll_s=0.1
        )
        yield Running(url=url, process=process, start_s=time.perf_counter() - started)
    finally:
        stop(process)


def peak_rss_mb(pid: int) -> float:
    """The high-water resident set (VmHWM) of the process and its children (a managed llama-server), MB."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return _vm_hwm_mb(pid) + sum(_vm_hwm_mb(int(child)) for child in children)


def _vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cold_cache(shared_cache: Path, target: Path) -> Path:
    """A cache dir holding only the assembled GGUFs (symlinked; their markers copied, so no re-hash)."""
    target.mkdir(parents=True)
    for name in GGUF_NAMES:
        marker = f"{name}.verified.json"
        if (shared_cache / marker).is_file():
            (target / name).symlink_to(shared_cache / name)
            shutil.copy2(shared_cache / marker, target / marker)
    return target


def ask(
    client: httpx.Client, question: str, *, overrides: dict[str, Any] | None = None
) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    response = client.post("/v1/ask", json={"question": question, "overrides": overrides or {}})
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"/v1/ask {question!r} -> {response.status_code}: {response.text}")
    record: dict[str, Any] = response.json()
    return elapsed, record


def measure_latency(
    url: str, report: BackendReport, questions: tuple[str, ...], overrides: dict[str, Any]
) -> None:
    with httpx.Client(base_url=url, timeout=600) as client:
        report.first_ask_s, _ = ask(client, PARAMETRIC_QUESTIONS[0], overrides=overrides)  # also the warm-up
        for question in questions:
            seconds, record = ask(client, question, overrides=overrides)
            report.latency_s.setdefault(record["route"], []).append(seconds)
            report.stage_ms.setdefault(record["route"], []).append(record["timings_ms"])
            report.route_of[question] = record["route"]
            print(f"  {seconds:6.2f}s {record['route']:<10} {question}", flush=True)


def measure_throughput(
    url: str, questions: list[str], clients: int, overrides: dict[str, Any]
) -> tuple[float, float]:
    """Answered requests per second for `questions` sent by `clients` concurrent clients (one
    connection each), and the share answered 503 (past the server's queue); any other error stops.

    Each client sends the next question not yet taken once its answer came: with fixed shares
    (`questions[i::clients]`) the clients that drew only quick closed-book questions went idle
    while the others still had retrieval questions, and the last of those ran nearly alone.
    """
    waiting: queue.SimpleQueue[str] = queue.SimpleQueue()
    for question in questions:
        waiting.put(question)

    def worker(_: int) -> int:
        overloaded = 0
        with httpx.Client(base_url=url, timeout=900) as client:
            while True:
                try:
                    question = waiting.get_nowait()
                except queue.Empty:
                    return overloaded
                response = client.post("/v1/ask", json={"question": question, "overrides": overrides})
                if response.status_code == 503:
                    overloaded += 1
                elif response.status_code != 200:
                    raise SystemExit(f"/v1/ask {question!r} -> {response.status_code}: {response.text}")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        overloaded = sum(pool.map(worker, range(clients)))
    elapsed = time.perf_counter() - started
    return (len(questions) - overloaded) / elapsed, overloaded / len(questions)


def run_backend(backend: str, args: argparse.Namespace, work: Path) -> BackendReport:
    report = BackendReport(backend)
    home, log = work / f"{backend}-home", work / f"{backend}-server.log"
    cache = args.cache_dir if args.skip_cold else cold_cache(args.cache_dir, work / f"{backend}-cache")
    env = server_env(backend, home=home, cache_dir=cache, threads=args.threads)
    # Always one start before the warm one: with --skip-cold the cache is warm but the home is new,
    # and its first start copies the sample corpus and builds the index (reported as cold 0.0).
    with serve(env, log) as running:
        if not args.skip_cold:
            report.cold_start_s = running.start_s
            print(f"  cold start {report.cold_start_s:.1f}s", flush=True)
    for _ in range(args.warm_starts - 1):
        with serve(env, log) as running:
            report.warm_starts_s.append(running.start_s)
    with serve(env, log) as running:
        report.warm_starts_s.append(running.start_s)
        print(f"  warm starts {', '.join(f'{s:.2f}' for s in report.warm_starts_s)} s", flush=True)
        measure_latency(running.url, report, PARAMETRIC_QUESTIONS + CORPUS_QUESTIONS, args.override)
        mixed = [q for pair in zip(PARAMETRIC_QUESTIONS, CORPUS_QUESTIONS, strict=True) for q in pair]
        load = [mixed[i % len(mixed)] for i in range(args.requests)]
        for clients in args.levels:
            rate, overloaded = measure_throughput(running.url, load, clients, args.override)
            report.throughput[clients], report.overloaded[clients] = rate, overloaded
            print(f"  {clients} clients: {rate:.3f} req/s, {overloaded:.0%} 503", flush=True)
        report.peak_rss_mb = peak_rss_mb(running.process.pid)
    return report


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def format_report(reports: list[BackendReport], levels: list[int], note: str) -> str:
    routes = sorted({route for r in reports for route in r.latency_s})
    head = ["backend", "cold start s", "warm start s, median (min-max, n)", "first ask s", "peak RSS MB"]
    head += [f"{route} p50/p95 s (n)" for route in routes]
    head += [f"{c} clients req/s (503 share)" for c in levels] + [f"{levels[-1]} vs 1"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in reports:
        warm = r.warm_starts_s
        warm_cell = f"{statistics.median(warm):.2f} ({min(warm):.2f}-{max(warm):.2f}, {len(warm)})"
        cells = [r.backend, f"{r.cold_start_s:.1f}", warm_cell, f"{r.first_ask_s:.1f}"]
        cells.append(f"{r.peak_rss_mb:.0f}")
        for route in routes:
            values = r.latency_s.get(route, [])
            cells.append(
                f"{statistics.median(values):.2f} / {percentile(values, 0.95):.2f} ({len(values)})"
                if values
                else "-"
            )
        cells += [f"{r.throughput[c]:.3f} ({r.overloaded[c]:.0%})" for c in levels]
        cells.append(f"{r.throughput[levels[-1]] / r.throughput[levels[0]]:.2f}x")
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "mean stage timings (ms) by route:"]
    for r in reports:
        for route, stages in sorted(r.stage_ms.items()):
            means = {k: statistics.mean(s[k] for s in stages) for k in stages[0]}
            lines.append(
                f"  {r.backend:<13}{route:<11}" + "  ".join(f"{k} {v:.0f}" for k, v in means.items())
            )
    lines += ["", "route taken per question:"]
    for r in reports:
        lines += [f"  {r.backend:<13}{route:<11}{q}" for q, route in r.route_of.items()]
    return "\n".join([*lines, "", note])


def _override(text: str) -> tuple[str, Any]:
    key, _, value = text.partition("=")
    try:
        return key, json.loads(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r}: the value is not JSON ({error})") from error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="llama-server,llamacpp,transformers")
    parser.add_argument("--requests", type=int, default=16, help="requests per concurrency level")
    parser.add_argument("--levels", default="1,4,8", help="concurrent clients, the first is the baseline")
    parser.add_argument("--threads", type=int, default=None, help="ASSISTANT_THREADS (default: unset)")
    parser.add_argument(
        "--cache-dir", type=Path, default=REPO_ROOT / ".cache", help="holds the assembled GGUF"
    )
    parser.add_argument("--skip-cold", action="store_true", help="reuse --cache-dir; no cold start")
    parser.add_argument("--warm-starts", type=int, default=3, help="restarts timed (default 3)")
    parser.add_argument(
        "--override",
        action="append",
        default=[],
        type=_override,
        metavar="KEY=JSON",
        help="a threshold sent with every request (`overrides` of /v1/ask), e.g. n_samples=3",
    )
    args = parser.parse_args()
    args.cache_dir = args.cache_dir.resolve()
    args.levels = [int(level) for level in args.levels.split(",")]
    args.override = dict(args.override)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-serving-") as temp:
        reports = []
        for backend in args.backends.split(","):
            print(f"{backend}:", flush=True)
            reports.append(run_backend(backend, args, Path(temp)))
    note = (
        f"{args.requests} requests per level; threads {args.threads or 'default (all cores)'}; "
        f"overrides {json.dumps(args.override) if args.override else 'none'}; "
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after; {time.strftime('%F %T')}"
    )
    table = format_report(reports, args.levels, note)
    print("\n" + table)
    results = REPO_ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (results / f"serving-{stamp}.md").write_text(table + "\n")
    (results / f"serving-{stamp}.json").write_text(json.dumps([asdict(r) for r in reports], indent=2))


if __name__ == "__main__":
    main()
