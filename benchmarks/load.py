"""A bounded load test of the web app on loopback: N requests, C at a time, and then it stops.

    .venv/bin/python benchmarks/load.py                       # 200 requests, 20 concurrent
    .venv/bin/python benchmarks/load.py --requests 400 --concurrency 40
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:8000   # an already running server

Without --url it starts `bedside serve` in a subprocess on a free loopback port, on BEDSIDE_HOME (or a
fresh home, which loads the starter library first), and stops it at the end. It first asks a few
questions to have articles to read, then sends a shuffled mix of article pages, the JSON API (reads and
a few new articles) and /healthz. Prints requests/s, p50/p95/max per kind and errors; exits 1 on any
error. ``--posts 0`` leaves out new articles (reads only).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _common import percentile

QUESTIONS = [
    "What is the recommended approach to using ketamine for CRPS secondary to spinal cord injury?",
    "What are the side effects of metformin?",
    "What are the first-line treatments for high blood pressure in adults?",
    "How is iron deficiency anaemia treated in pregnancy?",
    "What are the symptoms of Lyme disease and how is it treated?",
    "How is community-acquired pneumonia treated in adults?",
    "What is the dose of amoxicillin for otitis media in children?",
    "How should warfarin be monitored?",
]
# share of each kind of request in the mix
MIX = {"GET /articles/{id}": 0.6, "GET /api/articles/{id}": 0.2, "GET /healthz": 0.15, "POST /api/articles": 0.05}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(home: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "BEDSIDE_HOME": home}
    server = subprocess.Popen(
        [sys.executable, "-m", "bedside", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited: {server.stderr.read()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return server, url
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    server.terminate()
    raise SystemExit("the server did not become healthy within 600 s")


def plan(n: int, article_ids: list[str], seed: int, posts: float) -> list[tuple[str, str, str, dict | None]]:
    """(kind, method, path, json) for n requests, in the proportions of MIX (POSTs: ``posts``), shuffled."""
    rng = random.Random(seed)
    mix = {**MIX, "POST /api/articles": posts}
    kinds = [kind for kind, share in mix.items() for _ in range(round(share * n))]
    kinds = (kinds + ["GET /articles/{id}"] * n)[:n]
    rng.shuffle(kinds)
    requests = []
    for kind in kinds:
        if kind == "GET /articles/{id}":
            requests.append((kind, "GET", f"/articles/{rng.choice(article_ids)}", None))
        elif kind == "GET /api/articles/{id}":
            requests.append((kind, "GET", f"/api/articles/{rng.choice(article_ids)}", None))
        elif kind == "GET /healthz":
            requests.append((kind, "GET", "/healthz", None))
        else:
            requests.append((kind, "POST", "/api/articles", {"question": rng.choice(QUESTIONS)}))
    return requests


async def run(url: str, requests: list, concurrency: int) -> tuple[float, dict[str, list[float]], list[str]]:
    limit = asyncio.Semaphore(concurrency)
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    expected = {"GET": 200, "POST": 201}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:

        async def one(kind: str, method: str, path: str, body: dict | None) -> None:
            async with limit:
                started = time.perf_counter()
                try:
                    response = await client.request(method, path, json=body)
                    if response.status_code != expected[method]:
                        errors.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
                except httpx.HTTPError as exc:
                    errors.append(f"{method} {path}: {type(exc).__name__} {exc}")
                latencies[kind].append(time.perf_counter() - started)
                latencies["all"].append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(one(*request) for request in requests))
        elapsed = time.perf_counter() - started
    return elapsed, latencies, errors


def table(elapsed: float, latencies: dict[str, list[float]], errors: list[str], concurrency: int) -> str:
    total = len(latencies["all"])
    lines = [
        f"{total} requests, {concurrency} concurrent, in {elapsed:.2f} s: "
        f"**{total / elapsed:.1f} requests/s**, {len(errors)} errors",
        "",
        "| requests | n | p50 ms | p95 ms | max ms |",
        "| --- | --- | --- | --- | --- |",
    ]
    for kind in [*MIX, "all"]:
        ms = [s * 1000 for s in latencies.get(kind, [])]
        if ms:
            lines.append(
                f"| {kind} | {len(ms)} | {percentile(ms, 50):.0f} | {percentile(ms, 95):.0f} | {max(ms):.0f} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--url", help="an already running server (default: start one)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--posts", type=float, default=MIX["POST /api/articles"], help="share of POST /api/articles")
    args = parser.parse_args()

    server = None
    url = args.url
    if url is None:
        home = os.environ.get("BEDSIDE_HOME") or tempfile.mkdtemp(prefix="bedside-load-")
        print(f"starting bedside serve on {home} …", file=sys.stderr)
        server, url = start_server(home)
    try:
        with httpx.Client(base_url=url, timeout=120) as client:
            article_ids = []
            for question in QUESTIONS[:4]:
                response = client.post("/api/articles", json={"question": question})
                response.raise_for_status()
                article_ids.append(response.json()["id"])
        requests = plan(args.requests, article_ids, args.seed, args.posts)
        elapsed, latencies, errors = asyncio.run(run(url, requests, args.concurrency))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    print(table(elapsed, latencies, errors, args.concurrency))
    for error in errors[:20]:
        print("error:", error, file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
