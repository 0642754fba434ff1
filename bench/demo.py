"""Benchmark: `misinfo demo --no-dashboard` from an empty folder (target: a few minutes on 2 cores).

Runs the real command (generate, serve, crawl with the real spiders, NLP, SQLite, trends, digest)
in a fresh temporary home and prints one JSON line: the wall time, each step's time as the demo
measured it, and how many posts it crawled and tagged.

    .venv/bin/python bench/demo.py [--home DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="demo folder (default: a temporary one, removed after)")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="misinfo-bench-demo-")) / "demo"
    try:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "misinfo.cli", "demo", "--no-dashboard", "--reset",
                               "--home", str(home)], cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            print(proc.stderr[-2000:], file=sys.stderr)
            return proc.returncode
        summary = json.loads((home / "demo-summary.json").read_text(encoding="utf-8"))
        print(json.dumps({
            "wall_s": round(wall, 1),
            "steps_s": summary["timings"],
            "sources": len(summary["sources"]),
            "blocked": [s["key"] for s in summary["sources"] if s["status"] != "ok"],
            "posts_landed": summary["posts_landed"],
            "per_narrative": summary["per_narrative"],
            "rising": [t["id"] for t in summary["rising"]],
            "campaigns": len(summary["campaigns"]),
            "claims": len(summary["claims"]),
        }), flush=True)
        return 0
    finally:
        if args.home is None:
            shutil.rmtree(home.parent, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
