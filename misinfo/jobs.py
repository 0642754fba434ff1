"""The scheduled jobs as plain functions: what each Airflow task calls, one call per task.

Nothing here imports Airflow, so the CLI and the tests call the same code the DAGs run. Every job is
idempotent for its data interval:

- `collect` writes the landing-zone run `interval_run_id(start)` for one source; a rerun of an interval
  that already crawled that source successfully is a no-op (unless `recrawl`), and a retry after a
  failure appends to the same run file, which the store's upserts make harmless.
- `process_landed` indexes whatever landed and is not indexed yet (the pipeline's checkpoint).
- `daily_digest` sends a date's digest once (the digest log in `misinfo.digest.send`).
- `check_alerts` evaluates the alert rules for an hour once and sends each alert to each channel once
  (the alert state and sent-alert log in `misinfo.alerts.state`); a rerun only retries what is owed.
- `maintenance` deletes by a cutoff and optimises; doing it twice changes nothing more.

Results are small JSON-able dicts: Airflow keeps them as XCom, so an operator sees them in the UI.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from misinfo.domain import utcnow
from misinfo.errors import ConfigError, DeliveryError, MisinfoError
from misinfo.pipeline import process_lock
from misinfo.settings import Settings
from misinfo.state import trim_jsonl, write_json

# A block of these kinds only says the site was unwell (5xx after Scrapy's own retries): try again later.
TRANSIENT_BLOCKS = frozenset({"server_error"})


class AlertsUndelivered(DeliveryError):
    """Some alert deliveries failed; they are recorded and retried next run. `result` is the run's report."""

    def __init__(self, message: str, result: dict[str, Any]) -> None:
        super().__init__(message)
        self.result = result


class AlertsMisconfigured(ConfigError):
    """Every failed delivery was a configuration problem (no recipients, a secret not set): retrying
    within the run cannot help, so the task fails at once; the alerts wait for the next run."""

    def __init__(self, message: str, result: dict[str, Any]) -> None:
        super().__init__(message)
        self.result = result


class CrawlFailed(MisinfoError):
    """A crawl failed for a reason that may pass (network error, 5xx, crawler crash, timeout): retry."""

    exit_code = 4


# ------------------------------------------------------------------------------------------ collect


def interval_run_id(start: datetime) -> str:
    """The landing-zone run id of a data interval: the same hour always names the same run.

    Shaped like `misinfo.landing.new_run_id` (time first), so run files still sort by time.
    """
    return start.astimezone(UTC).strftime("%Y%m%dT%H%M%S") + "000000Z-interval"


def list_sources(settings: Settings, only: Sequence[str] = ()) -> list[str]:
    """Keys of the enabled sources (or of `only`, which must exist); none at all is a config error."""
    from misinfo.sources import get_source, load_sources

    sources = load_sources(settings.sources)
    if only:
        return [get_source(sources, key).key for key in only]
    keys = [s.key for s in sources if s.enabled]
    if not keys:
        raise ConfigError(f"no enabled sources in {settings.sources} (set enabled: true on at least one)")
    return keys


def _latest_record(settings: Settings, key: str, run_id: str) -> Any:
    from misinfo.crawl import read_crawl_runs

    return next((r for r in reversed(read_crawl_runs(settings.home, key)) if r.run_id == run_id), None)


def is_transient(report: Any) -> bool:
    """A crawl error (network, crash, timeout, no pages) or a 5xx-only block: worth a retry."""
    if report.status == "error":
        return True
    return report.status == "blocked" and bool(report.blocks) and set(report.blocks) <= TRANSIENT_BLOCKS


def collect(
    settings: Settings, key: str, interval_start: datetime, interval_end: datetime, *, recrawl: bool = False
) -> dict[str, Any]:
    """Crawl one source for one data interval, in its own process (see `misinfo.crawl.crawl_source`).

    Raises `CrawlBlocked` when the source blocked us (captcha, login wall, 403/429, robots.txt), which
    no retry within the hour will change, and `CrawlFailed` for what a retry may fix.
    """
    from misinfo.crawl import SourceBlocked, crawl_source

    run_id = interval_run_id(interval_start)
    previous = _latest_record(settings, key, run_id)
    if previous is not None and previous.ok and not recrawl:
        return {**previous.to_dict(), "skipped": True, "interval_end": interval_end.isoformat()}
    try:
        report = crawl_source(settings, key, run_id=run_id)
    except SourceBlocked as exc:
        if is_transient(exc.report):
            raise CrawlFailed(f"{exc.report.message} (log: {exc.report.log})") from None
        raise
    return {**report.to_dict(), "skipped": False, "interval_end": interval_end.isoformat()}


def crawl_summary(settings: Settings, keys: Sequence[str], interval_start: datetime) -> dict[str, Any]:
    """How each source fared in this interval's run, from the crawl-health log (latest record wins)."""
    run_id = interval_run_id(interval_start)
    ok: list[str] = []
    failed: dict[str, str] = {}
    items = new_items = 0
    for key in keys:
        record = _latest_record(settings, key, run_id)
        if record is None:
            failed[key] = f"{key}: no crawl record for run {run_id} (the crawl task did not run)"
        elif record.ok:
            ok.append(key)
            items += record.items
            new_items += record.new_items
        else:
            failed[key] = record.message
    return {"run_id": run_id, "ok": ok, "failed": failed, "items": items, "new_items": new_items}


def process_landed(settings: Settings, run_id: str | None = None) -> dict[str, Any]:
    """Normalize, tag, dedup, match claims and index everything landed and not yet indexed.

    That always includes this interval's run files (`run_id`); it also picks up anything an earlier
    failed run or a CLI import left, so one failure never leaves a hole in the store.
    """
    from misinfo.landing import LandingZone
    from misinfo.pipeline import make_stage, process
    from misinfo.store import open_store

    zone = LandingZone(settings.home)
    with process_lock(settings.home):
        stage = make_stage(settings)
        store = open_store(settings)
        try:
            report = process(settings.home, store, stage, progress=False)
            posts = store.stats().posts
        finally:
            store.close()
            close = getattr(stage, "close", None)
            if close is not None:
                close()
    run_files = [zone.relpath(p) for p in zone.files() if run_id and p.name.startswith(run_id)]
    return {
        "read": report.read,
        "indexed": report.indexed,
        "quarantined": report.quarantined,
        "files": report.files,
        "per_narrative": report.per_narrative,
        "model_version": stage.version,
        "run_files": run_files,
        "store_posts": posts,
    }


# ------------------------------------------------------------------------------------------- digest


def digest_day(interval_end: datetime, tz: str) -> date:
    """The local date a morning run reports on: the day before the local date the interval ends on.

    A run at 07:00 on 9 Nov (Asia/Ho_Chi_Minh) reports on 8 Nov whenever it actually runs, so a
    retry, a clear or a late backfill names the same date and the digest log sends it once.
    """
    from misinfo.digest.compose import zone

    return (interval_end.astimezone(zone(tz)) - timedelta(days=1)).date()


def trends(settings: Settings, day: date) -> dict[str, Any]:
    """The day's trend report (the one the digest shows), kept as HOME/reports/trends-DAY.json."""
    from misinfo.digest.compose import compose_digest
    from misinfo.store import open_store

    store = open_store(settings)
    try:
        digest = compose_digest(store, settings, day)
    finally:
        store.close()
    report = digest.report
    path = settings.home / "reports" / f"trends-{day.isoformat()}.json"
    write_json(path, report.to_json())
    return {
        "day": day.isoformat(),
        "total": report.total,
        "history": report.history,
        "rising": [{"id": t.id, "count": t.count, "baseline": round(t.baseline, 2), "score": round(t.score, 2)}
                   for t in report.rising],
        "campaigns": len(report.campaigns),
        "claims": len(report.claims),
        "report": str(path),
    }


def daily_trends(settings: Settings, interval_end: datetime) -> dict[str, Any]:
    """`trends` for the day a digest run with this data interval reports on."""
    return trends(settings, digest_day(interval_end, settings.timezone))


def daily_digest(settings: Settings, interval_end: datetime) -> dict[str, Any]:
    """`send_daily_digest` for the day a run with this data interval reports on."""
    return send_daily_digest(settings, digest_day(interval_end, settings.timezone))


def send_daily_digest(settings: Settings, day: date) -> dict[str, Any]:
    """Send the digest for `day` unless the digest log says it was sent; raises DeliveryError."""
    from misinfo.digest.send import send_digest

    result = send_digest(settings, day)
    return {
        "day": day.isoformat(),
        "sent": result.sent,
        "message_id": result.message_id,
        "recipients": list(result.recipients),
        "refused": result.refused,
        "subject": result.subject,
        "previously_sent_at": (result.previous or {}).get("sent_at"),
    }


# ------------------------------------------------------------------------------------------- alerts


def check_alerts(
    settings: Settings, at: datetime | None = None, *, dry_run: bool = False, get_connection: Any = None
) -> dict[str, Any]:
    """Evaluate the alert rules for the hour ending at `at` (default: now) and deliver what is owed.

    The collect DAG calls it with the interval's end right after processing; `misinfo alerts check`
    with now. Raises `AlertsUndelivered` (after recording everything) when a channel failed, so the
    task is retried and the run shows it, or `AlertsMisconfigured` when only configuration was at
    fault (no retry helps); either way the failed deliveries are sent by the next run.
    `get_connection` looks up Airflow Connections for webhook channels that name one.
    """
    from misinfo.alerts.check import check
    from misinfo.store import open_store

    store = open_store(settings)
    try:
        report = check(settings, store, at or utcnow(), dry_run=dry_run, get_connection=get_connection)
    finally:
        store.close()
    result = report.to_json()
    if report.failed:
        failures = "; ".join(f"{alert} → {channel}: {error}" for alert, channel, error in report.failed)
        error = AlertsMisconfigured if {c for _, c, _ in report.failed} <= report.misconfigured else AlertsUndelivered
        raise error(f"{len(report.failed)} alert deliveries failed (kept for the next run): {failures}", result)
    return result


# -------------------------------------------------------------------------------------- maintenance


def _delete_old_files(folder: Path, pattern: str, cutoff: datetime, *, by_name: bool) -> int:
    """Files named `<YYYY-MM-DD>...` (by_name) or last written (mtime) before the cutoff day."""
    if not folder.exists():
        return 0
    cutoff_day = cutoff.astimezone(UTC).strftime("%Y-%m-%d")
    removed = 0
    for path in folder.glob(pattern):
        if by_name:
            old = path.name[:10] < cutoff_day
        else:
            old = datetime.fromtimestamp(path.stat().st_mtime, UTC) < cutoff
        if path.is_file() and old:
            path.unlink()
            removed += 1
    return removed


def retention(settings: Settings, now: datetime | None = None) -> dict[str, Any]:
    """Delete raw posts, quarantined items, crawl logs, alert-log records (they quote posts) and indexed
    posts older than the retention period."""
    from misinfo.alerts.state import log_path as alert_log_path
    from misinfo.crawl import trim_crawl_runs
    from misinfo.landing import LandingZone
    from misinfo.store import open_store

    now = now or utcnow()
    cutoff = now - timedelta(days=settings.retention_days)
    home = settings.home
    raw_files = LandingZone(home).delete_older_than(cutoff)
    quarantine_files = _delete_old_files(home / "quarantine", "*.jsonl", cutoff, by_name=True)
    log_files = _delete_old_files(home / "logs" / "crawl", "*.log", cutoff, by_name=False)
    crawl_runs = trim_crawl_runs(home, cutoff)
    alert_records = trim_jsonl(alert_log_path(home), cutoff, "logged_at")
    with process_lock(home):
        store = open_store(settings)
        try:
            posts = store.delete_older_than(cutoff)
        finally:
            store.close()
    return {
        "cutoff": cutoff.isoformat(),
        "raw_files": raw_files,
        "quarantine_files": quarantine_files,
        "crawl_logs": log_files,
        "crawl_run_records": crawl_runs,
        "alert_log_records": alert_records,
        "store_posts": posts,
    }


def optimize_store(settings: Settings) -> dict[str, Any]:
    """Compact the embedded store (FTS merge, planner statistics, WAL checkpoint); others need none."""
    from misinfo.store import open_store

    with process_lock(settings.home):
        store = open_store(settings)
        try:
            optimize = getattr(store, "optimize", None)
            if optimize is None:
                return {"backend": store.backend, "optimized": False, "why": "the store compacts itself"}
            path = getattr(store, "path", None)
            before = _db_size(path)
            optimize()
            return {"backend": store.backend, "optimized": True, "bytes_before": before, "bytes_after": _db_size(path)}
        finally:
            store.close()


def _db_size(path: Path | None) -> int | None:
    if path is None:
        return None
    return sum(p.stat().st_size for p in (Path(path), Path(f"{path}-wal")) if p.exists())


def retrain(settings: Settings) -> dict[str, Any]:
    """Retrain the tagger if analysts logged reviews since the current model was trained.

    `nlp.train.retrain` decides (no new reviews: nothing to do) and keeps the old model when the new
    one scores worse on the shared labelled set; its report goes into the maintenance report.
    """
    from nlp.train import retrain as retrain_tagger

    return retrain_tagger(settings, force=False)


def maintenance_report(settings: Settings, parts: dict[str, Any], at: datetime | None = None) -> dict[str, Any]:
    """Keep the results of one maintenance run as HOME/reports/maintenance-DAY.json (DAY: local date)."""
    from misinfo.digest.compose import zone
    from misinfo.store import open_store

    day = (at or utcnow()).astimezone(zone(settings.timezone)).date()
    store = open_store(settings)
    try:
        stats = store.stats()
    finally:
        store.close()
    report = {
        "day": day.isoformat(),
        **parts,
        "store": {"backend": stats.backend, "posts": stats.posts, "tagged": stats.tagged,
                  "oldest": stats.oldest.isoformat() if stats.oldest else None},
    }
    path = settings.home / "reports" / f"maintenance-{day.isoformat()}.json"
    write_json(path, report)
    return {**report, "report": str(path)}


def maintenance(settings: Settings, now: datetime | None = None) -> dict[str, Any]:
    """Retention, then store optimisation, then retraining if reviewed, then the report (CLI use)."""
    now = now or utcnow()
    parts = {
        "retention": retention(settings, now),
        "optimize": optimize_store(settings),
        "retrain": retrain(settings),
    }
    return maintenance_report(settings, parts, now)
