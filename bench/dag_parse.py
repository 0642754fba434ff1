"""DAG parse time per file in `dags/` (target: < 1 s each, with every package installed).

Two numbers per file, both from Airflow's own DagBag bookkeeping (`dagbag_stats`, what
`airflow dags report` shows):
- `cold_s`: the first parse in a fresh Python process that has only imported Airflow, as a DAG
  processor does after a restart (includes importing the parts of `airflow.sdk` the file uses);
- `warm_p50_s` / `warm_max_s`: re-parsing in a running process (the DAG processor's steady state),
  over `--repeats` parses.
It also checks that parsing imported none of the project's heavy code.

Prints one JSON line per file, then one summary object as the last line.
Usage: python bench/dag_parse.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAGS = ROOT / "dags"
HEAVY = ("misinfo", "nlp", "crawlers", "scrapy", "sklearn", "underthesea", "elasticsearch", "streamlit")

PROBE = """
import json, sys, time
import airflow  # what a DAG processor has loaded before it parses anything
from airflow.dag_processing.dagbag import DagBag
path, repeats, heavy = sys.argv[1], int(sys.argv[2]), tuple(sys.argv[3].split(","))
runs = []
for _ in range(repeats + 1):
    bag = DagBag(dag_folder=path)
    (stat,) = bag.dagbag_stats
    runs.append(stat.duration.total_seconds() if hasattr(stat.duration, "total_seconds") else float(stat.duration))
loaded = sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in heavy})
print(json.dumps({"dags": sorted(bag.dag_ids), "tasks": stat.task_num, "errors": len(bag.import_errors),
                  "cold": runs[0], "warm": runs[1:], "heavy_imports": loaded}))
"""


def measure(path: Path, repeats: int, env: dict[str, str]) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(path), str(repeats), ",".join(HEAVY)],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"parsing {path.name} failed:\n{proc.stderr[-2000:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        "file": path.name,
        "dags": data["dags"],
        "tasks": data["tasks"],
        "import_errors": data["errors"],
        "cold_s": round(data["cold"], 4),
        "warm_p50_s": round(statistics.median(data["warm"]), 4),
        "warm_max_s": round(max(data["warm"]), 4),
        "heavy_imports": data["heavy_imports"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dag-parse-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_", "AIRFLOW__"))}
        env.update(AIRFLOW_HOME=home, AIRFLOW__CORE__LOAD_EXAMPLES="False", AIRFLOW__CORE__DAGS_FOLDER=str(DAGS))
        results = []
        for path in sorted(DAGS.glob("misinfo_*.py")):
            result = measure(path, args.repeats, env)
            results.append(result)
            print(json.dumps(result), flush=True)
    worst_cold = max(r["cold_s"] for r in results)  # type: ignore[type-var]
    summary = {
        "bench": "dag_parse",
        "files": len(results),
        "dags": sum(len(r["dags"]) for r in results),  # type: ignore[arg-type, misc]
        "import_errors": sum(r["import_errors"] for r in results),  # type: ignore[misc]
        "max_cold_s": worst_cold,
        "max_warm_p50_s": max(r["warm_p50_s"] for r in results),  # type: ignore[type-var]
        "target_s": 1.0,
        "ok": worst_cold < 1.0 and not any(r["heavy_imports"] or r["import_errors"] for r in results),
        "per_file_cold_s": {r["file"]: r["cold_s"] for r in results},
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
