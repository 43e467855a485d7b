"""Helpers shared by the benchmark scripts: timing tables and an isolated library home."""

from __future__ import annotations

import json
import os
import resource
import statistics
import tempfile
from pathlib import Path


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return f"| {name} | {len(ms)} | {statistics.median(ms):.1f} | {percentile(ms, 95):.1f} | {max(ms):.1f} |"


TABLE_HEADER = "| what | n | p50 ms | p95 ms | max ms |\n| --- | --- | --- | --- | --- |"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fresh_home(prefix: str) -> Path:
    home = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["BEDSIDE_HOME"] = str(home)
    return home


def read_jsonl(path: Path) -> list[dict]:
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]
