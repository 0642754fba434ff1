"""
### misinfo_daily_digest: the morning email

Every day at 07:00 in `MISINFO_TIMEZONE` (default Asia/Ho_Chi_Minh; cron in `MISINFO_DIGEST_SCHEDULE`).
The digest reports on the local day before the run's data interval ends, so a retried, cleared or
backfilled run names the same date.

1. **trends**: the day's trend report (rising narratives with count, baseline and score; copy-paste
   campaigns; repeated false claims), kept as `HOME/reports/trends-DATE.json`.
2. **send_digest**: composes and sends the digest to `MISINFO_DIGEST_TO`. The digest log records a
   date only once the SMTP server accepted it, so the email goes out **exactly once per date**: a
   retry after the server was down sends it, a rerun after it was sent sends nothing. To send a date
   again on purpose: `misinfo digest --date DATE --send --force`.

SMTP settings come from the `misinfo_smtp` Connection when it exists (extra: `security`,
`from_email`, `to`), otherwise from `MISINFO_SMTP_*`.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import CronTriggerTimetable, dag, task

TIMEZONE = os.environ.get("MISINFO_TIMEZONE", "Asia/Ho_Chi_Minh")
SCHEDULE = os.environ.get("MISINFO_DIGEST_SCHEDULE", "0 7 * * *")


@dag(
    dag_id="misinfo_daily_digest",
    schedule=CronTriggerTimetable(SCHEDULE, timezone=TIMEZONE, interval=timedelta(days=1)),
    start_date=pendulum.datetime(2025, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "misinfo-ops", "retries": 2, "retry_delay": timedelta(minutes=2)},
    tags=["misinfo", "digest", "daily"],
    doc_md=__doc__,
)
def misinfo_daily_digest() -> None:
    @task
    def trends(data_interval_end=None) -> dict:
        from misinfo import jobs
        from misinfo.airflow_conn import run_job

        return run_job(jobs.daily_trends, data_interval_end)

    @task(retries=4, retry_delay=timedelta(minutes=5), retry_exponential_backoff=2.0,
          max_retry_delay=timedelta(hours=1))
    def send_digest(data_interval_end=None) -> dict:
        from misinfo import jobs
        from misinfo.airflow_conn import run_job

        return run_job(jobs.daily_digest, data_interval_end)

    trends() >> send_digest()


misinfo_daily_digest()
