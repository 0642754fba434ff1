"""DAG integrity: the three DAGs load from `dags/` with DagBag (Airflow 3), with the schedules, retries,
tags, owners, docs and task graph the operators rely on; parsing does no work and imports no library code."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pendulum
import pytest

from misinfo.settings import Settings
from tests.dags.conftest import DAGS, airflow_env

DAG_IDS = {"misinfo_collect", "misinfo_daily_digest", "misinfo_maintenance"}
# Retries per task: a crawl or a send may fail for a while; the source check must not repeat (its
# failure is the message); retraining (hours long) and the report get one more try only.
RETRIES = {
    "misinfo_collect": {"list_sources": 2, "crawl": 3, "process_landed": 3, "check_alerts": 2, "check_sources": 0},
    "misinfo_daily_digest": {"trends": 2, "send_digest": 4},
    "misinfo_maintenance": {"retention": 2, "optimize_store": 2, "retrain": 1, "report": 1},
}


def load_bag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


@pytest.fixture(scope="module")
def bag():
    return load_bag()


def next_runs(dag, after: pendulum.DateTime, n: int = 2, since: pendulum.DateTime | None = None) -> list[tuple[str, str, str]]:
    """(run after, data interval start, end) of the runs after the interval [since, after), from
    Airflow's own timetable code."""
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import DataInterval, TimeRestriction

    timetable = coerce_to_core_timetable(dag.timetable)
    last = DataInterval(since or after, after)
    out = []
    for _ in range(n):
        info = timetable.next_dagrun_info(
            last_automated_data_interval=last, restriction=TimeRestriction(earliest=None, latest=None, catchup=True)
        )
        out.append((info.run_after.isoformat(), info.data_interval.start.isoformat(), info.data_interval.end.isoformat()))
        last = info.data_interval
    return out


def test_no_import_errors_and_the_three_dags(bag):
    assert bag.import_errors == {}
    assert set(bag.dag_ids) == DAG_IDS


@pytest.mark.parametrize("dag_id", sorted(DAG_IDS))
def test_tags_owner_docs_and_one_run_at_a_time(bag, dag_id):
    dag = bag.dags[dag_id]
    assert "misinfo" in dag.tags and len(dag.tags) >= 3
    assert dag.doc_md and dag.doc_md.lstrip().startswith(f"### {dag_id}")
    assert not dag.catchup and dag.max_active_runs == 1
    assert {t.owner for t in dag.tasks} == {"misinfo-ops"}
    assert {t.task_id: t.retries for t in dag.tasks} == RETRIES[dag_id]


def test_collect_is_hourly_with_hour_long_data_intervals(bag):
    dag = bag.dags["misinfo_collect"]
    assert (dag.timetable.expression, str(dag.timetable.timezone)) == ("0 * * * *", "UTC")
    assert dag.timetable.expression == Settings().collect_schedule
    after = pendulum.datetime(2026, 11, 8, 10, 0, tz="UTC")
    assert next_runs(dag, after, since=after - timedelta(hours=1)) == [
        ("2026-11-08T11:00:00+00:00", "2026-11-08T10:00:00+00:00", "2026-11-08T11:00:00+00:00"),
        ("2026-11-08T12:00:00+00:00", "2026-11-08T11:00:00+00:00", "2026-11-08T12:00:00+00:00"),
    ]


def test_digest_runs_at_seven_hanoi_time(bag):
    dag = bag.dags["misinfo_daily_digest"]
    assert str(dag.timetable.timezone) == "Asia/Ho_Chi_Minh" and dag.timetable.expression == "0 7 * * *"
    runs = next_runs(dag, pendulum.datetime(2026, 11, 8, 12, 0, tz="UTC"))
    assert [r[0] for r in runs] == ["2026-11-09T00:00:00+00:00", "2026-11-10T00:00:00+00:00"]  # 07:00 +07
    assert runs[0][1:] == ("2026-11-08T00:00:00+00:00", "2026-11-09T00:00:00+00:00")  # one day ending at the run


def test_maintenance_runs_nightly(bag):
    dag = bag.dags["misinfo_maintenance"]
    runs = next_runs(dag, pendulum.datetime(2026, 11, 8, 12, 0, tz="UTC"))
    assert [r[0] for r in runs] == ["2026-11-08T19:30:00+00:00", "2026-11-09T19:30:00+00:00"]  # 02:30 +07


def test_collect_graph_mapping_retries_and_trigger_rules(bag):
    dag = bag.dags["misinfo_collect"]
    t = dag.task_dict
    assert set(t) == {"list_sources", "crawl", "process_landed", "check_alerts", "check_sources"}
    assert t["list_sources"].downstream_task_ids == {"crawl", "check_sources"}
    assert t["crawl"].downstream_task_ids == {"process_landed"}
    assert t["process_landed"].downstream_task_ids == {"check_alerts", "check_sources"}
    crawl = t["crawl"]
    assert crawl.is_mapped  # one task instance per source, expanded at run time
    kw = crawl.partial_kwargs
    assert kw["retries"] == 3 and kw["retry_exponential_backoff"] == 2.0
    assert kw["retry_delay"] == timedelta(minutes=2) and kw["max_retry_delay"] == timedelta(minutes=20)
    assert kw["map_index_template"] == "{{ source_key }}"
    assert kw["max_active_tis_per_dag"] == 2
    # a failed (blocked) crawl must not stop indexing or the report
    assert t["process_landed"].trigger_rule == "all_done"
    assert t["check_sources"].trigger_rule == "all_done" and t["check_sources"].retries == 0
    assert t["process_landed"].retries == 3
    # alerts are evaluated after processing even when a crawl failed; a channel down is retried
    assert t["check_alerts"].trigger_rule == "all_done" and t["check_alerts"].retries == 2
    assert set(dag.params.keys()) == {"sources", "recrawl"}
    assert dag.params["recrawl"] is False and dag.params["sources"] == []


def test_digest_and_maintenance_graphs(bag):
    digest = bag.dags["misinfo_daily_digest"]
    assert digest.task_dict["trends"].downstream_task_ids == {"send_digest"}
    send = digest.task_dict["send_digest"]
    assert send.retries == 4 and send.retry_exponential_backoff == 2.0
    maint = bag.dags["misinfo_maintenance"]
    order = ["retention", "optimize_store", "retrain", "report"]
    for a, b in zip(order, order[1:], strict=False):
        assert maint.task_dict[a].downstream_task_ids == {b}
    assert maint.task_dict["report"].trigger_rule == "all_done"


def test_schedules_follow_the_environment(monkeypatch):
    monkeypatch.setenv("MISINFO_COLLECT_SCHEDULE", "*/30 * * * *")
    monkeypatch.setenv("MISINFO_DIGEST_SCHEDULE", "30 6 * * 1-5")
    monkeypatch.setenv("MISINFO_TIMEZONE", "Asia/Bangkok")
    bag = load_bag()
    assert bag.import_errors == {}
    assert bag.dags["misinfo_collect"].timetable.expression == "*/30 * * * *"
    digest = bag.dags["misinfo_daily_digest"].timetable
    assert (digest.expression, str(digest.timezone)) == ("30 6 * * 1-5", "Asia/Bangkok")


def test_a_bad_schedule_is_an_import_error_naming_the_file(monkeypatch):
    monkeypatch.setenv("MISINFO_COLLECT_SCHEDULE", "every hour")
    bag = load_bag()
    assert list(bag.import_errors) == [str(DAGS / "misinfo_collect.py")]
    assert {"misinfo_daily_digest", "misinfo_maintenance"} <= set(bag.dag_ids)


PARSE_CHECK = """
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
heavy = sorted(m for m in sys.modules if m.split('.')[0] in
               ('misinfo', 'nlp', 'crawlers', 'scrapy', 'sklearn', 'underthesea', 'elasticsearch', 'streamlit'))
print(json.dumps({"errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": sorted(bag.dag_ids), "heavy": heavy}))
"""


def test_parsing_imports_no_library_code_and_reads_no_config(tmp_path):
    # A sources file that does not exist: parsing must not read it (list_sources does, at run time).
    env = airflow_env(tmp_path, {"MISINFO_SOURCES": str(tmp_path / "missing.yaml"), "MISINFO_HOME": str(tmp_path / "h")})
    env.pop("PYTHONPATH")
    proc = subprocess.run([sys.executable, "-c", PARSE_CHECK, str(DAGS)], env=env, capture_output=True,
                          text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"errors": {}, "dags": sorted(DAG_IDS), "heavy": []}
    assert not (tmp_path / "h").exists()  # nothing written to MISINFO_HOME either


def test_root_airflowignore_keeps_a_bundle_at_the_repository_root_to_dags():
    from airflow.dag_processing.dagbag import DagBag

    from misinfo.settings import PROJECT_ROOT

    bag = DagBag(dag_folder=str(PROJECT_ROOT))
    assert bag.import_errors == {} and set(bag.dag_ids) == DAG_IDS
    assert sorted(s.file for s in bag.dagbag_stats) == sorted(f"dags/{d}.py" for d in DAG_IDS)
