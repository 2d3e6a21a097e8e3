"""Loopback load on a served process: N concurrent clients, a bounded number of asks, /healthz probed
throughout, the server's RSS sampled after 50 and after the last request (used by bench/reliability.py)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

QUESTIONS = ("In what year did the Zentrix Quarry open?", "What is the capital of France?")
RSS_EARLY = 50
HEALTHZ_EVERY_S = 0.1


@dataclass
class LoadResult:
    clients: int
    requests: int
    ok: int = 0
    shed: int = 0  # 503 + Retry-After: the documented answer past the queue limit
    unexpected: list[str] = field(default_factory=list)
    latencies_s: list[float] = field(default_factory=list)
    healthz_s: list[float] = field(default_factory=list)
    healthz_failures: int = 0
    rss_early_mb: float = 0.0
    rss_last_mb: float = 0.0
    wall_s: float = 0.0

    def p(self, share: float) -> float:
        ordered = sorted(self.latencies_s)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _worker(http: httpx.AsyncClient, result: LoadResult, counter: list[int], pid: int) -> None:
    while counter[0] < result.requests:
        number = counter[0]
        counter[0] += 1
        started = time.perf_counter()
        response = await http.post("/v1/ask", json={"question": QUESTIONS[number % len(QUESTIONS)]})
        if response.status_code == 200:
            result.ok += 1
            result.latencies_s.append(time.perf_counter() - started)
        elif response.status_code == 503 and response.headers.get("retry-after"):
            result.shed += 1
            await asyncio.sleep(0.05)  # a polite client would wait Retry-After; this one keeps pressure up
        else:
            result.unexpected.append(f"{response.status_code}: {response.text[:120]}")
        if result.ok + result.shed == RSS_EARLY:
            result.rss_early_mb = rss_mb(pid)


async def _probe(url: str, result: LoadResult, done: asyncio.Event) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        while not done.is_set():
            started = time.perf_counter()
            try:
                ok = (await http.get("/healthz")).status_code == 200
            except httpx.HTTPError:
                ok = False
            result.healthz_s.append(time.perf_counter() - started)
            result.healthz_failures += not ok
            await asyncio.sleep(HEALTHZ_EVERY_S)


async def _run(url: str, pid: int, result: LoadResult) -> None:
    limits = httpx.Limits(max_connections=result.clients + 1)
    done = asyncio.Event()
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        probe = asyncio.create_task(_probe(url, result, done))
        counter = [0]
        started = time.perf_counter()
        await asyncio.gather(*(_worker(http, result, counter, pid) for _ in range(result.clients)))
        result.wall_s = time.perf_counter() - started
        done.set()
        await probe
    result.rss_last_mb = rss_mb(pid)


def run_load(url: str, pid: int, *, clients: int, requests: int) -> LoadResult:
    result = LoadResult(clients=clients, requests=requests)
    asyncio.run(_run(url, pid, result))
    return result
