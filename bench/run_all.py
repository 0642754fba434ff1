"""`make bench`: run every benchmark in bench/ in one session and collect their results.

Each `bench/<name>.py` that is a script (has a `__main__` block) runs in its own process, one after
the other on the same machine (running them at once would make them measure each other). The last
line each prints is one JSON object; they go into one file, `var/bench.json`, one key per
benchmark (`store`, `tagging`, `crawl`, `trends`, ...), plus `_run` saying when and where. A
benchmark that fails or is missing gets an `error` object under its key instead, and the exit code
is non-zero, so a broken benchmark is never read as a result.

    .venv/bin/python bench/run_all.py [--only store,trends] [--out var/bench.json] [--timeout 1800]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
EXPECTED = ("store", "tagging", "crawl", "trends")  # what the project promises to measure
NOT_BENCHMARKS = {"run_all", "__init__"}


def discover() -> list[str]:
    """Benchmark names: scripts in bench/ (helpers such as synth.py have no `__main__` block)."""
    names = []
    for path in sorted(BENCH_DIR.glob("*.py")):
        if path.stem in NOT_BENCHMARKS:
            continue
        if 'if __name__ == "__main__"' in path.read_text(encoding="utf-8"):
            names.append(path.stem)
    return names


def last_json(stdout: str) -> dict[str, Any] | None:
    """The last line that is a JSON object."""
    for line in reversed(stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


def run_one(name: str, timeout: float, env: dict[str, str]) -> tuple[dict[str, Any], float]:
    """Run `bench/<name>.py`; its last JSON object, or an `error` object saying what went wrong."""
    start = time.perf_counter()
    cmd = [sys.executable, str(BENCH_DIR / f"{name}.py")]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}, time.perf_counter() - start
    took = time.perf_counter() - start
    result = last_json(proc.stdout)
    if proc.returncode != 0 or result is None:
        tail = [ln for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()][-5:]
        why = f"exit code {proc.returncode}" if proc.returncode != 0 else "no JSON object on the last line"
        return {"error": why, "output": tail}, took
    return result, took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated benchmark names (default: every one in bench/)")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench.json")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per benchmark")
    args = parser.parse_args(argv)

    found = discover()
    names = [n.strip() for n in args.only.split(",")] if args.only else sorted(set(found) | set(EXPECTED))
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    results: dict[str, Any] = {}
    timings: dict[str, float] = {}
    started = datetime.now(UTC)
    load_before = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    for i, name in enumerate(names, start=1):
        if name not in found:
            results[name] = {"error": f"bench/{name}.py does not exist (yet)"}
            print(f"[{i}/{len(names)}] {name}: missing", file=sys.stderr, flush=True)
            continue
        print(f"[{i}/{len(names)}] {name} …", file=sys.stderr, flush=True)
        results[name], timings[name] = run_one(name, args.timeout, env)
        status = "error: " + results[name]["error"] if "error" in results[name] else "ok"
        print(f"[{i}/{len(names)}] {name}: {status} ({timings[name]:.1f} s)", file=sys.stderr, flush=True)
    results["_run"] = {
        "started_at": started.isoformat(timespec="seconds"),
        "seconds": {k: round(v, 1) for k, v in timings.items()},
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "load_average_before": load_before,  # other work on the machine skews every number
        "load_average_after": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    failed = [n for n in names if "error" in results.get(n, {})]
    print(json.dumps({"out": str(args.out), "benchmarks": names, "failed": failed}), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
