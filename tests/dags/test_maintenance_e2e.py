"""`airflow dags test misinfo_maintenance`: retention of landing zone and store, optimisation, the
retraining check and the report, through the real DAG."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from misinfo.landing import LandingZone
from misinfo.state import read_json
from misinfo.store.sqlite import SqliteStore
from tests.dags.conftest import dags_test
from tests.factories import make_post, make_tagged

# one xdist worker runs all three, so they share one migrated AIRFLOW_HOME (migrating takes ~10 s)
pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.xdist_group("airflow")]

RUN_AT = datetime(2026, 11, 29, 19, 30, tzinfo=UTC)  # 02:30 on 30 Nov, Asia/Ho_Chi_Minh


def test_maintenance_run_deletes_what_is_past_retention_and_reports(tmp_path, airflow_home):
    home = tmp_path / "home"
    old, recent = RUN_AT - timedelta(days=200), RUN_AT - timedelta(days=3)
    zone = LandingZone(home)
    for run_id, when in (("old", old), ("recent", recent)):
        with zone.open_run("tiktok", run_id, day=when) as writer:
            writer.append([make_post(run_id, created_at=when)])
    store = SqliteStore(home / "store.sqlite3")
    store.upsert([make_tagged("old", created_at=old), make_tagged("recent", created_at=recent)])
    store.close()

    run = dags_test(airflow_home, "misinfo_maintenance", RUN_AT.isoformat(), {"MISINFO_HOME": str(home)})

    assert run.returncode == 0, run.output[-4000:]
    assert {k[0]: v[0] for k, v in run.states.items()} == dict.fromkeys(
        ("retention", "optimize_store", "retrain", "report"), "success")
    assert [f.name for f in zone.files()] == ["recent.jsonl"]
    store = SqliteStore(home / "store.sqlite3")
    try:
        assert store.get("tiktok:old") is None and store.get("tiktok:recent") is not None
    finally:
        store.close()
    report = read_json(home / "reports" / "maintenance-2026-11-30.json", None)
    assert report["retention"]["raw_files"] == 1 and report["retention"]["store_posts"] == 1
    assert report["retention"]["cutoff"] == (RUN_AT - timedelta(days=180)).isoformat()
    assert report["optimize_store"]["optimized"] is True
    assert report["retrain"]["kept"] == "old"  # no reviews logged: the shipped model stays
    assert report["store"]["posts"] == 1
