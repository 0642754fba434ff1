"""
### misinfo_maintenance: retention, compaction, retraining, report

Every night at 02:30 in `MISINFO_TIMEZONE` (cron in `MISINFO_MAINTENANCE_SCHEDULE`).

1. **retention**: deletes landing-zone run files, quarantined items and crawl logs older than
   `MISINFO_RETENTION_DAYS` (default 180), and the indexed posts created before the same cutoff.
2. **optimize_store**: compacts the embedded SQLite store (FTS merge, planner statistics, WAL
   checkpoint); Elasticsearch manages its own segments.
3. **retrain**: retrains the tagger only when analysts logged new reviews since the last retraining;
   the old model is kept when the new one scores worse on the shared labelled set.
4. **report** (runs whatever happened before it): the results, kept as
   `HOME/reports/maintenance-DATE.json`.

Each step is idempotent: running it twice deletes nothing more and trains no second model.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import CronTriggerTimetable, TriggerRule, dag, task

TIMEZONE = os.environ.get("MISINFO_TIMEZONE", "Asia/Ho_Chi_Minh")
SCHEDULE = os.environ.get("MISINFO_MAINTENANCE_SCHEDULE", "30 2 * * *")


@dag(
    dag_id="misinfo_maintenance",
    schedule=CronTriggerTimetable(SCHEDULE, timezone=TIMEZONE),
    start_date=pendulum.datetime(2025, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "misinfo-ops", "retries": 2, "retry_delay": timedelta(minutes=10)},
    tags=["misinfo", "maintenance", "daily"],
    doc_md=__doc__,
)
def misinfo_maintenance() -> None:
    @task
    def retention(logical_date=None) -> dict:
        from misinfo import jobs
        from misinfo.airflow_conn import run_job

        return run_job(jobs.retention, logical_date)

    @task
    def optimize_store() -> dict:
        from misinfo import jobs
        from misinfo.airflow_conn import run_job

        return run_job(jobs.optimize_store)

    @task(retries=1, execution_timeout=timedelta(hours=2))
    def retrain() -> dict:
        from misinfo import jobs
        from misinfo.airflow_conn import run_job

        return run_job(jobs.retrain)

    @task(trigger_rule=TriggerRule.ALL_DONE, retries=1)
    def report(ti=None, logical_date=None) -> dict:
        from misinfo import jobs
        from misinfo.airflow_conn import run_job

        parts = {name: ti.xcom_pull(task_ids=name) or {"failed": True}
                 for name in ("retention", "optimize_store", "retrain")}
        return run_job(jobs.maintenance_report, parts, logical_date)

    retention() >> optimize_store() >> retrain() >> report()


misinfo_maintenance()
