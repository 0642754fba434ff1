"""Crawl politeness with throttling ON (small delays), measured where it matters: at the server.

The replay server records each request's User-Agent, start and end, so these tests see what a site
would see: an honest User-Agent with a contact, one request at a time, the delay kept between them,
pagination stopping at MISINFO_CRAWL_MAX_PAGES, a hanging source stopped by MISINFO_CRAWL_TIMEOUT,
and retries that wait base·2^n seconds or the server's Retry-After.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from crawlers import replay
from crawlers.replay import Reply, Served
from misinfo.crawl import crawl_source, read_crawl_runs, settings_env
from misinfo.errors import CrawlBlocked
from misinfo.settings import PROJECT_ROOT, Settings
from tests.crawlers.conftest import crawl_settings, landed, vn_posts

pytestmark = [pytest.mark.slow, pytest.mark.integration]

TT = {"key": "tt-news", "platform": "tiktok", "handle": "tintuc.vn"}
CONTACT = "contact: an-ninh-mang@example.vn"
UA = f"misinfo-monitor/0.1 (+public-interest monitoring; {CONTACT})"
DELAY = 0.3
JITTER = 0.5  # Scrapy varies each delay by ±50% (DOWNLOAD_DELAY_JITTER), so no gap is shorter than half of it
SLACK = 0.02  # clock granularity between the crawler process and the server thread


def polite(tmp_path: Path, server_url: str, **overrides: object) -> Settings:
    """Crawl settings with throttling on, a small delay and a User-Agent with a contact."""
    values: dict[str, object] = {"crawl_throttle": True, "crawl_delay": DELAY, "user_agent": UA}
    values.update(overrides)
    return crawl_settings(tmp_path, [TT], tiktok_base_url=server_url, **values)


def tiktok_routes(posts, **kw):
    return {"/robots.txt": replay.robots_txt(False), **replay.tiktok_site("tintuc.vn", posts, **kw)}


def gaps(served: Sequence[Served]) -> list[float]:
    """Seconds between the starts of consecutive requests."""
    starts = sorted(s.started for s in served)
    return [b - a for a, b in zip(starts, starts[1:], strict=False)]


def most_in_flight(served: Sequence[Served]) -> int:
    """The largest number of requests the server was answering at the same moment."""
    return max(sum(1 for o in served if o.started <= s.started < o.finished) for s in served)


def test_throttled_crawl_sends_the_contact_one_request_at_a_time_with_the_delay(tmp_path, serve):
    posts = vn_posts(40, platform="tiktok", author="tintuc.vn", start_id=7_300_000_000_000_000_000)
    server = serve(tiktok_routes(posts))
    s = polite(tmp_path, server.url)

    report = crawl_source(s, "tt-news")

    assert report.status == "ok" and report.items == 40
    served = server.served
    assert [x.target.split("?")[0] for x in served] == ["/robots.txt", "/@tintuc.vn"] + ["/api/creator/item_list/"] * 3
    assert {x.user_agent for x in served} == {UA}  # robots.txt included
    assert most_in_flight(served) == 1
    assert all(x.started >= y.finished for y, x in zip(served, served[1:], strict=False))
    assert min(gaps(served)) >= (1 - JITTER) * DELAY - SLACK, gaps(served)
    log = Path(report.log).read_text(encoding="utf-8")
    assert "'scrapy.extensions.throttle.AutoThrottle'" in log  # among the enabled extensions
    assert "'AUTOTHROTTLE_ENABLED': True" in log and f"'DOWNLOAD_DELAY': {DELAY}" in log


def run_burst(settings: Settings, base: str, n: int) -> None:
    """`scrapy runspider` of a spider that asks for `n` pages at once, under the project's settings."""
    env = {**os.environ, **settings_env(settings), "SCRAPY_SETTINGS_MODULE": "crawlers.settings"}
    spider = Path(__file__).with_name("burst_spider.py")
    log = settings.home / "burst.log"
    settings.home.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "runspider", str(spider), "-a", f"base={base}", "-a", f"n={n}",
         "-s", f"LOG_FILE={log}"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.mark.parametrize("concurrency", [1, 2])
def test_many_requests_at_once_still_reach_a_site_one_at_a_time(tmp_path, serve, concurrency):
    """A spider that queues five pages at once: the settings alone keep them apart. Pages answer
    slower than the delay, so only MISINFO_CRAWL_CONCURRENCY can stop them overlapping (and 2 lets
    exactly two overlap, which shows the measurement can see an overlap)."""
    slow = Reply(200, "<html>trang</html>", delay=0.5)
    server = serve({"/robots.txt": replay.robots_txt(False), **{f"/page/{i}": slow for i in range(5)}})
    s = polite(tmp_path, server.url, crawl_delay=0.2, crawl_concurrency=concurrency)

    run_burst(s, server.url, 5)

    pages = [x for x in server.served if x.target.startswith("/page/")]
    assert len(pages) == 5 and {x.user_agent for x in server.served} == {UA}
    assert most_in_flight(pages) == concurrency
    assert min(gaps(server.served)) >= (1 - JITTER) * 0.2 - SLACK


def test_max_pages_stops_pagination(tmp_path, serve):
    posts = vn_posts(40, platform="tiktok", author="tintuc.vn", start_id=7_000)  # 3 list pages available
    server = serve(tiktok_routes(posts))
    s = polite(tmp_path, server.url, crawl_max_pages=2)

    report = crawl_source(s, "tt-news")

    assert server.count("/api/creator/item_list/") == 1  # the profile page counts as one of the two
    assert (report.status, report.pages, report.items) == ("ok", 2, 15)
    assert {p.post_id for p in landed(s)} == {p.post_id for p in posts[:15]}


def test_timeout_stops_a_hanging_source_with_one_clear_line(tmp_path, serve):
    posts = vn_posts(5, platform="tiktok", author="tintuc.vn", start_id=7_000)
    site = tiktok_routes(posts)
    site["/@tintuc.vn"] = Reply(200, "never sent", delay=600)  # the site accepts the request and never answers
    server = serve(site)
    s = polite(tmp_path, server.url, crawl_timeout=15)

    started = time.monotonic()
    with pytest.raises(CrawlBlocked) as err:
        crawl_source(s, "tt-news")
    took = time.monotonic() - started

    assert str(err.value) == "tt-news: crawl took longer than MISINFO_CRAWL_TIMEOUT=15s and was stopped"
    assert 15 <= took < 45  # stopped by the timeout, well before Scrapy's own 60 s download timeout
    # the crawler reached the hanging page (unless a loaded machine spent the 15 s starting Scrapy)
    assert server.hits in (["/robots.txt", "/@tintuc.vn"], ["/robots.txt"], [])
    run = read_crawl_runs(s.home)[-1]
    assert (run.source, run.status, run.message) == ("tt-news", "error", str(err.value))
    assert landed(s) == []


def test_backoff_doubles_and_retry_after_wins(tmp_path, serve):
    """Page 1 answers 503 three times (no Retry-After): waits of base, 2·base, 4·base. Page 2 answers
    429 with Retry-After: 2, far longer than the backoff base: the crawler waits the server's time."""
    base = 0.4
    posts = vn_posts(20, platform="tiktok", author="tintuc.vn", start_id=9_000)
    site = tiktok_routes(posts)
    first, second = [k for k in site if k.startswith("/api/")]
    site[first] = [Reply(503, "busy", "text/plain")] * 3 + [site[first]]
    site[second] = [Reply(429, "slow down", "text/plain", {"Retry-After": "2"}), site[second]]
    server = serve(site)
    s = polite(tmp_path, server.url, crawl_delay=0.1, crawl_backoff=base, crawl_retries=3)

    report = crawl_source(s, "tt-news")

    assert report.status == "ok" and report.items == 20 and report.http_errors == 4
    api = [x for x in server.served if x.target.startswith("/api/")]
    assert len(api) == 6  # 503, 503, 503, 200, 429, 200
    waits = gaps(api)
    for n, want in enumerate((base, 2 * base, 4 * base, None, 2.0)):  # 0.4, 0.8, 1.6 s; then Retry-After: 2
        if want is not None:  # at least the wait asked for, not some other (the throttle adds < 1.5 s)
            assert want - SLACK <= waits[n] < want + 1.5, waits
    assert {x.user_agent for x in server.served} == {UA}
