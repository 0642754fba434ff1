"""Airflow fixtures: a throwaway AIRFLOW_HOME (SQLite, migrated once per test session) and a runner
for the real `airflow dags test` command in a subprocess, with MISINFO_* pointing at a temp home."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from misinfo.settings import PROJECT_ROOT

DAGS = PROJECT_ROOT / "dags"
AIRFLOW = str(Path(sys.executable).with_name("airflow"))

# Importing Airflow in this process (DagBag tests) must never touch a developer's ~/airflow.
os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="misinfo-airflow-parse-")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS)


def airflow_env(airflow_home: Path, misinfo: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of an Airflow subprocess: no inherited MISINFO_*/AIRFLOW_*, a quiet SQLite setup."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MISINFO_", "AIRFLOW_", "AIRFLOW__"))}
    env.update(
        {
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "PYTHONPATH": str(PROJECT_ROOT),
        }
    )
    env.update(misinfo or {})
    return env


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated metadata database per test session (per xdist worker): migrating takes ~10 s."""
    home = tmp_path_factory.mktemp("airflow-home")
    proc = subprocess.run(
        [AIRFLOW, "db", "migrate"], env=airflow_env(home), capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return home


@dataclass
class DagTest:
    returncode: int
    output: str
    run_id: str
    states: dict[tuple[str, int], tuple[str | None, int, str | None]]  # (task, map index) → (state, try, name)


def dags_test(airflow_home: Path, dag_id: str, logical_date: str, misinfo: Mapping[str, str],
              conf: str | None = None, timeout: float = 420) -> DagTest:
    """Run `airflow dags test DAG DATE` and read back how each task instance ended from the metadata DB."""
    cmd = [AIRFLOW, "dags", "test", dag_id, logical_date]
    if conf:
        cmd += ["--conf", conf]
    proc = subprocess.run(cmd, env=airflow_env(airflow_home, misinfo), capture_output=True, text=True,
                          timeout=timeout, cwd=airflow_home)
    with sqlite3.connect(airflow_home / "airflow.db") as db:
        row = db.execute(
            "SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1", (dag_id,)
        ).fetchone()
        assert row, f"no dag run recorded:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        rows = db.execute(
            "SELECT task_id, map_index, state, try_number, rendered_map_index FROM task_instance "
            "WHERE dag_id = ? AND run_id = ?",
            (dag_id, row[0]),
        ).fetchall()
    states = {(t, m): (s, n, r) for t, m, s, n, r in rows}
    return DagTest(proc.returncode, proc.stdout + proc.stderr, row[0], states)
