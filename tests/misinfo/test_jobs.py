"""The jobs the Airflow tasks call, run directly: interval run ids, source lists, idempotent collection
(real Scrapy crawls of a replay server), transient vs blocked, crawl summaries, digest dates, retention,
optimisation and the maintenance report."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml

from crawlers import replay
from crawlers.replay import Reply
from misinfo import jobs
from misinfo.alerts.state import log_path as alert_log_path
from misinfo.crawl import CrawlReport, read_crawl_runs, write_crawl_run
from misinfo.errors import ConfigError, CrawlBlocked
from misinfo.landing import LandingZone, new_run_id
from misinfo.settings import Settings
from misinfo.state import append_jsonl, read_json, read_jsonl
from misinfo.store.sqlite import SqliteStore
from tests.factories import make_post, make_tagged

H10 = datetime(2026, 11, 8, 10, 0, tzinfo=UTC)
SOURCES = [
    {"key": "tt-news", "platform": "tiktok", "handle": "tintuc.vn"},
    {"key": "tt-two", "platform": "tiktok", "handle": "hai"},
    {"key": "tt-off", "platform": "tiktok", "handle": "tat", "enabled": False},
]


def settings_for(tmp_path, sources=SOURCES, **kw) -> Settings:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(sources), encoding="utf-8")
    values = {"home": tmp_path / "home", "sources": path, "crawl_throttle": False, "crawl_retries": 0,
              "crawl_backoff": 0.05, "crawl_timeout": 120}  # fmt: skip
    values.update(kw)
    return Settings(**values)


def test_interval_run_id_is_stable_valid_and_sorts_with_other_runs():
    rid = jobs.interval_run_id(H10)
    assert rid == "20261108T100000000000Z-interval"
    assert jobs.interval_run_id(H10.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))) == rid  # same instant, same run
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", rid)
    assert new_run_id(H10 - timedelta(seconds=1)) < rid < new_run_id(H10 + timedelta(seconds=1))
    assert jobs.interval_run_id(H10 + timedelta(hours=1)) > rid


def test_list_sources_enabled_only_or_the_chosen_ones(tmp_path):
    s = settings_for(tmp_path)
    assert jobs.list_sources(s) == ["tt-news", "tt-two"]
    assert jobs.list_sources(s, ["tt-off"]) == ["tt-off"]  # a manual run may name a disabled one
    with pytest.raises(ConfigError, match="unknown source 'nope'"):
        jobs.list_sources(s, ["nope"])
    none = settings_for(tmp_path, [{**SOURCES[0], "enabled": False}])
    with pytest.raises(ConfigError, match="no enabled sources"):
        jobs.list_sources(none)
    (tmp_path / "bad.yaml").write_text("- key: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        jobs.list_sources(Settings(home=tmp_path / "home", sources=tmp_path / "bad.yaml"))


def report(status: str, blocks: dict[str, int] | None = None, **kw) -> CrawlReport:
    values = dict(run_id=jobs.interval_run_id(H10), source="tt-news", platform="tiktok", started_at="",
                  finished_at="", status=status, message=f"tt-news: {status}", blocks=blocks or {})
    values.update(kw)
    return CrawlReport(**values)


@pytest.mark.parametrize(
    ("status", "blocks", "transient"),
    [
        ("error", {}, True),  # network error, crawler crash, timeout, nothing fetched
        ("blocked", {"server_error": 1}, True),  # 5xx after Scrapy's own retries
        ("blocked", {"challenge": 1}, False),
        ("blocked", {"forbidden": 1}, False),
        ("blocked", {"rate_limited": 2}, False),  # 429 persisted through Scrapy's backoff
        ("blocked", {"robots": 1}, False),
        ("blocked", {"server_error": 1, "login_wall": 1}, False),
    ],
)
def test_transient_or_blocked(status, blocks, transient):
    assert jobs.is_transient(report(status, blocks)) is transient


def test_crawl_summary_latest_record_of_this_interval_wins(tmp_path):
    s = settings_for(tmp_path)
    other = jobs.interval_run_id(H10 - timedelta(hours=1))
    write_crawl_run(s.home, report("ok", items=5, new_items=5, run_id=other).to_dict())  # another hour
    write_crawl_run(s.home, report("error").to_dict())  # first try failed ...
    write_crawl_run(s.home, report("ok", items=7, new_items=3).to_dict())  # ... the retry worked
    write_crawl_run(s.home, report("blocked", {"challenge": 1}, source="tt-two", message="tt-two: blocked").to_dict())
    summary = jobs.crawl_summary(s, ["tt-news", "tt-two", "tt-off"], H10)
    assert summary["ok"] == ["tt-news"] and (summary["items"], summary["new_items"]) == (7, 3)
    assert summary["failed"]["tt-two"] == "tt-two: blocked"
    assert "no crawl record" in summary["failed"]["tt-off"]


def test_digest_day_is_the_local_day_before_the_run():
    vn = "Asia/Ho_Chi_Minh"
    assert str(jobs.digest_day(datetime(2026, 11, 9, 0, 0, tzinfo=UTC), vn)) == "2026-11-08"  # 07:00 +07
    assert str(jobs.digest_day(datetime(2026, 11, 8, 16, 59, tzinfo=UTC), vn)) == "2026-11-07"  # 23:59 +07
    assert str(jobs.digest_day(datetime(2026, 11, 8, 17, 0, tzinfo=UTC), vn)) == "2026-11-08"  # 00:00 +07
    with pytest.raises(ConfigError, match="MISINFO_TIMEZONE"):
        jobs.digest_day(H10, "Mars/Olympus")


@pytest.mark.slow
@pytest.mark.integration
def test_collect_is_idempotent_per_interval_and_retries_only_what_may_pass(tmp_path):
    posts = [make_post(7_000 + i, f"Bài số {i}", author="tintuc.vn", created_at=H10 - timedelta(hours=i)) for i in range(5)]
    site = {"/robots.txt": replay.robots_txt(False), **replay.tiktok_site("tintuc.vn", posts)}
    site["/@hai"] = Reply(503, "down for maintenance", "text/plain")
    with replay.ReplayServer(site) as server:
        s = settings_for(tmp_path, tiktok_base_url=server.url)
        first = jobs.collect(s, "tt-news", H10, H10 + timedelta(hours=1))
        hits = server.count("/@tintuc.vn")
        again = jobs.collect(s, "tt-news", H10, H10 + timedelta(hours=1))
        assert server.count("/@tintuc.vn") == hits  # not crawled again
        forced = jobs.collect(s, "tt-news", H10, H10 + timedelta(hours=1), recrawl=True)
        assert server.count("/@tintuc.vn") == hits + 1
        with pytest.raises(jobs.CrawlFailed, match="tt-two") as failed:
            jobs.collect(s, "tt-two", H10, H10 + timedelta(hours=1))
    assert not isinstance(failed.value, CrawlBlocked)  # a 503 is retried, not reported as a block
    assert (first["status"], first["items"], first["skipped"]) == ("ok", 5, False)
    assert again["skipped"] and again["items"] == 5 and again["run_id"] == first["run_id"]
    assert not forced["skipped"] and forced["new_items"] == 0
    files = LandingZone(s.home).files()
    assert [f.name for f in files] == ["20261108T100000000000Z-interval.tt-news.jsonl"]
    assert [r.status for r in read_crawl_runs(s.home)] == ["ok", "ok", "blocked"]


def test_retention_deletes_old_raw_quarantine_logs_and_posts_and_is_idempotent(tmp_path):
    s = Settings(home=tmp_path / "home", retention_days=30)
    now = datetime(2026, 11, 8, 12, 0, tzinfo=UTC)
    zone = LandingZone(s.home)
    old, new = now - timedelta(days=40), now - timedelta(days=2)
    with zone.open_run("tiktok", "old", day=old) as w:
        w.append([make_post(1)])
    with zone.open_run("tiktok", "new", day=new) as w:
        w.append([make_post(2)])
    qdir = s.home / "quarantine"
    qdir.mkdir(parents=True)
    (qdir / f"{old:%Y-%m-%d}.jsonl").write_text("{}\n")
    (qdir / f"{new:%Y-%m-%d}.jsonl").write_text("{}\n")
    logs = s.home / "logs" / "crawl"
    logs.mkdir(parents=True)
    (logs / "old.log").write_text("x")
    os.utime(logs / "old.log", (old.timestamp(), old.timestamp()))
    (logs / "new.log").write_text("x")
    store = SqliteStore(s.sqlite_file)
    store.upsert([make_tagged("a", created_at=old), make_tagged("b", created_at=new)])
    store.close()
    write_crawl_run(s.home, report("ok", started_at=old.isoformat()).to_dict())
    write_crawl_run(s.home, report("ok", started_at=new.isoformat(), items=3).to_dict())
    for when in (old, new):  # the alert log quotes posts: it is trimmed like the rest
        append_jsonl(alert_log_path(s.home), {"event": "fired", "logged_at": when.isoformat(), "alert": {}})

    result = jobs.retention(s, now)
    assert result["cutoff"] == (now - timedelta(days=30)).isoformat()
    assert (result["raw_files"], result["quarantine_files"], result["crawl_logs"], result["store_posts"]) == (1, 1, 1, 1)
    assert [f.name for f in zone.files()] == ["new.jsonl"]
    assert sorted(p.name for p in qdir.iterdir()) == [f"{new:%Y-%m-%d}.jsonl"]
    assert sorted(p.name for p in logs.iterdir()) == ["new.log"]
    assert result["crawl_run_records"] == 1 and result["alert_log_records"] == 1
    assert [r["logged_at"] for r in read_jsonl(alert_log_path(s.home))] == [new.isoformat()]
    assert [r.items for r in read_crawl_runs(s.home)] == [3]
    store = SqliteStore(s.sqlite_file)
    assert store.get("tiktok:a") is None and store.get("tiktok:b") is not None
    store.close()
    again = jobs.retention(s, now)
    assert (again["raw_files"], again["quarantine_files"], again["crawl_logs"], again["store_posts"]) == (0, 0, 0, 0)


@pytest.mark.slow  # loads the tagger model to see whether retraining is due
def test_maintenance_optimizes_skips_retraining_without_reviews_and_writes_a_report(tmp_path):
    s = Settings(home=tmp_path / "home")
    store = SqliteStore(s.sqlite_file)  # left open, as a running dashboard would: its writes sit in the WAL
    for batch in range(5):
        store.upsert([make_tagged(i, f"Bài {i}", created_at=datetime(2026, 11, 29, tzinfo=UTC) - timedelta(hours=i))
                      for i in range(batch * 10, batch * 10 + 10)])
    now = datetime(2026, 11, 29, 19, 30, tzinfo=UTC)  # 02:30 on 30 Nov in Hà Nội
    result = jobs.maintenance(s, now)
    store.close()
    assert result["optimize"]["optimized"] is True and result["optimize"]["backend"] == "sqlite"
    assert result["optimize"]["bytes_after"] < result["optimize"]["bytes_before"]  # the WAL was checkpointed
    assert result["retrain"]["kept"] == "old" and "no new reviews" in result["retrain"]["reason"]
    assert result["retention"]["store_posts"] == 0
    assert result["store"]["posts"] == 50
    saved = read_json(tmp_path / "home" / "reports" / "maintenance-2026-11-30.json", None)
    assert saved["store"]["posts"] == 50 and saved["retrain"]["reason"] == result["retrain"]["reason"]
