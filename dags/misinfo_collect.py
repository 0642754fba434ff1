"""
### misinfo_collect: crawl every enabled source, then index what landed

Runs at the end of each data interval (hourly by default; set `MISINFO_COLLECT_SCHEDULE`, a cron
expression in UTC, and restart the DAG processor to change it).

1. **list_sources**: the enabled sources in `MISINFO_SOURCES` (`config/sources.yaml`), read when the
   run starts, not when this file is parsed; the `sources` param restricts a manual run to some keys.
2. **crawl** (one mapped task per source, named by its key): `scrapy crawl` in its own process,
   writing the landing-zone run named after the data interval. Network errors, crashes and 5xx are
   retried with exponential backoff; a **block** (captcha, login wall, HTTP 403/429, robots.txt) fails
   that source's task at once with the reason, and the other sources go on.
3. **process_landed** (runs even when some crawls failed): normalize, tag, dedup, claims, index.
4. **check_alerts** (after processing, even when some crawls failed): the rules of `MISINFO_ALERTS`
   (`config/alerts.yaml`) evaluated for the interval's end; an alert fires once per episode and goes
   to each channel once. A channel that is down fails the task (retried with backoff) and is sent by
   the next run; the others are not held up. Webhooks may take their URL and secret from the
   Connection their rule names (e.g. `misinfo_alert_webhook`).
5. **check_sources**: fails the run, naming each blocked source, so a block never reads as
   "0 new posts".

A rerun, clear or backfill of an interval re-crawls only the sources that did not succeed for it
(the `recrawl` param forces all); store writes are upserts, so the store ends the same.
Connections `misinfo_elasticsearch` and `misinfo_smtp`, when defined, override `MISINFO_*` values.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import CronDataIntervalTimetable, Param, TriggerRule, dag, task

SCHEDULE = os.environ.get("MISINFO_COLLECT_SCHEDULE", "0 * * * *")


@dag(
    dag_id="misinfo_collect",
    schedule=CronDataIntervalTimetable(SCHEDULE, timezone="UTC"),
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=2),
    default_args={"owner": "misinfo-ops", "retries": 2, "retry_delay": timedelta(minutes=1)},
    tags=["misinfo", "crawl", "hourly"],
    params={
        "sources": Param([], type="array", items={"type": "string"},
                         description="Only these source keys (default: every enabled source)."),
        "recrawl": Param(False, type="boolean",
                         description="Crawl again sources that already succeeded for this interval."),
    },
    doc_md=__doc__,
)
def misinfo_collect() -> None:
    @task
    def list_sources(params: dict | None = None) -> list[str]:
        from misinfo import jobs
        from misinfo.airflow_conn import run_job

        return run_job(jobs.list_sources, (params or {}).get("sources") or ())

    @task(
        retries=3,
        retry_delay=timedelta(minutes=2),
        retry_exponential_backoff=2.0,
        max_retry_delay=timedelta(minutes=20),
        execution_timeout=timedelta(minutes=45),
        max_active_tis_per_dag=2,  # politeness across sources on the same platform
        map_index_template="{{ source_key }}",
    )
    def crawl(key: str, data_interval_start=None, data_interval_end=None, params: dict | None = None) -> dict:
        from airflow.sdk import get_current_context

        from misinfo import jobs
        from misinfo.airflow_conn import run_job

        get_current_context()["source_key"] = key  # type: ignore[typeddict-unknown-key]
        return run_job(jobs.collect, key, data_interval_start, data_interval_end,
                       recrawl=bool((params or {}).get("recrawl")))

    @task(trigger_rule=TriggerRule.ALL_DONE, retries=3, retry_delay=timedelta(minutes=1),
          retry_exponential_backoff=2.0)
    def process_landed(data_interval_start=None) -> dict:
        from misinfo import jobs
        from misinfo.airflow_conn import run_job

        return run_job(jobs.process_landed, jobs.interval_run_id(data_interval_start))

    @task(trigger_rule=TriggerRule.ALL_DONE, retries=2, retry_delay=timedelta(minutes=1),
          retry_exponential_backoff=2.0, execution_timeout=timedelta(minutes=15))
    def check_alerts(data_interval_end=None) -> dict:
        from misinfo import jobs
        from misinfo.airflow_conn import get_connection, run_job

        return run_job(jobs.check_alerts, data_interval_end, get_connection=get_connection)

    @task(trigger_rule=TriggerRule.ALL_DONE, retries=0)
    def check_sources(keys: list[str], data_interval_start=None) -> dict:
        from misinfo import jobs
        from misinfo.airflow_conn import fail_if, run_job

        summary = run_job(jobs.crawl_summary, keys, data_interval_start)
        fail_if(summary["failed"], "blocked or failed sources: " + "; ".join(summary["failed"].values()))
        return summary

    keys = list_sources()
    crawled = crawl.expand(key=keys)
    processed = process_landed()
    crawled >> processed >> [check_alerts(), check_sources(keys)]  # type: ignore[arg-type]  # TaskFlow resolves the XComArg at run time


misinfo_collect()
