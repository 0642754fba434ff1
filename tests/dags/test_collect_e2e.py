"""`airflow dags test misinfo_collect` end to end: real Scrapy crawls of a replay server, the real NLP
stage, the SQLite store; one source blocked. Then the same interval again: nothing is added."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml

from crawlers import replay
from crawlers.replay import Reply
from misinfo.crawl import read_crawl_runs
from misinfo.domain import Metrics, Post
from misinfo.landing import LandingZone
from misinfo.store.base import SearchQuery
from misinfo.store.sqlite import SqliteStore
from nlp.model import newest_model_path
from tests.dags.conftest import dags_test

# one xdist worker runs all three, so they share one migrated AIRFLOW_HOME (migrating takes ~10 s)
pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.xdist_group("airflow")]

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
LOGICAL = (NOW - timedelta(hours=1)).isoformat()  # a CronDataInterval run at T covers [T-1h, T)
TEXTS = [
    "Cảnh báo lừa đảo: kẻ gian giả danh công an gọi điện yêu cầu chuyển tiền để xác minh tài khoản",
    "Thông tin sáp nhập tỉnh, danh sách tên tỉnh mới và trung tâm hành chính mới là giả mạo",
    "Bản tin sáng: thời tiết Hà Nội, giá vàng và giao thông giờ cao điểm",
]


def posts(n: int) -> list[Post]:
    return [
        Post(
            platform="tiktok", post_id=str(7_400_000_000_000_000_000 + i), source="x", url="",
            author="tintuc.vn", author_name="Tin Tức", text=f"{TEXTS[i % 3]} (bài {i})",
            created_at=NOW - timedelta(hours=2 + i), collected_at=NOW,
            metrics=Metrics(views=1000 + i, likes=10 * i, comments=i, shares=1), hashtags=("canhbao",),
        )  # fmt: skip
        for i in range(n)
    ]


def test_collect_lands_tags_indexes_and_rerun_adds_nothing(tmp_path, airflow_home):
    site = {"/robots.txt": replay.robots_txt(False), **replay.tiktok_site("tintuc.vn", posts(18), page_size=15)}
    site["/@bi.chan"] = Reply(200, replay.tiktok_challenge_page())
    sources = [
        {"key": "tt-news", "platform": "tiktok", "handle": "tintuc.vn"},
        {"key": "tt-blocked", "platform": "tiktok", "handle": "bi.chan"},
        {"key": "tt-off", "platform": "tiktok", "handle": "tat", "enabled": False},
    ]
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
    home = tmp_path / "home"
    with replay.ReplayServer(site) as server:
        env = {
            "MISINFO_HOME": str(home),
            "MISINFO_SOURCES": str(tmp_path / "sources.yaml"),
            "MISINFO_TIKTOK_BASE_URL": server.url,
            "MISINFO_CRAWL_THROTTLE": "false",
            "MISINFO_CRAWL_RETRIES": "0",
        }
        first = dags_test(airflow_home, "misinfo_collect", LOGICAL, env)
        hits_after_first = server.count("/@tintuc.vn")
        zone = LandingZone(home)
        landed_first = {f: f.read_bytes() for f in zone.files()}
        second = dags_test(airflow_home, "misinfo_collect", LOGICAL, env)

    # the blocked source fails the run (non-zero, named), without retries, and stops nobody else
    assert first.returncode != 0, first.output[-3000:]
    st = first.states
    assert st[("list_sources", -1)][0] == "success"
    crawls = {name: (state, tries) for (task, _), (state, tries, name) in st.items() if task == "crawl"}
    assert crawls == {"tt-news": ("success", 1), "tt-blocked": ("failed", 1)}, st
    assert st[("process_landed", -1)][0] == "success"
    assert st[("check_sources", -1)][0] == "failed"
    assert "tt-blocked: blocked (challenge)" in first.output

    # landed: every post once, in this interval's run file
    lines = [ln for ln in zone.iter_posts()]
    assert len(lines) == 18 and all(ln.post is not None for ln in lines)
    run_id = NOW.replace(tzinfo=None) - timedelta(hours=2)
    assert [f.name for f in zone.files()] == [f"{run_id:%Y%m%dT%H%M%S}000000Z-interval.tt-news.jsonl"]

    # tagged by the real NLP stage and searchable, diacritics or not
    store = SqliteStore(home / "store.sqlite3")
    try:
        assert store.stats().posts == 18
        scam = store.search(SearchQuery(text="gia danh cong an", size=50))
        assert scam.total == 6
        for hit in scam.hits:
            assert "scam_extortion" in hit.post.narratives, hit.post.tags
        versions = {tp.model_version for tp in store.scan(SearchQuery())}
        assert len(versions) == 1 and f"tagger-{versions.pop().split('+')[0]}.joblib" == newest_model_path(home).name
        merger = store.search(SearchQuery(text="sáp nhập tỉnh", narratives=("province_merger",), size=50))
        assert merger.total == 6
        weather = store.search(SearchQuery(text="thoi tiet", size=50))
        assert weather.total == 6 and all(not h.post.narratives for h in weather.hits)
        version_first = store.version()
    finally:
        store.close()

    # the same interval again: the good source is not crawled again, nothing lands, the store is unchanged
    assert second.returncode != 0
    crawls2 = {name: state for (task, _), (state, _t, name) in second.states.items() if task == "crawl"}
    assert crawls2 == {"tt-news": "success", "tt-blocked": "failed"}
    assert server.count("/@tintuc.vn") == hits_after_first
    assert {f: f.read_bytes() for f in zone.files()} == landed_first
    store = SqliteStore(home / "store.sqlite3")
    try:
        assert store.stats().posts == 18
        assert store.version() == version_first
    finally:
        store.close()
    runs = read_crawl_runs(home)
    # mapped tasks run in any order: one health record per crawl attempt, the good source only once
    assert sorted((r.source, r.status) for r in runs) == [("tt-blocked", "blocked"), ("tt-blocked", "blocked"), ("tt-news", "ok")]
