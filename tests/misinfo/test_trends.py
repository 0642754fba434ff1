"""Trend detection on synthetic series with known answers, through a real SQLite store."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from misinfo.domain import TaggedPost
from misinfo.errors import QueryError
from misinfo.store.sqlite import SqliteStore
from misinfo.trends import (
    TrendParams,
    binom_mid_p,
    burst_score,
    compute_trends,
    format_window,
    parse_window,
    z_from_p,
)
from tests.factories import T0, make_tagged

NARR = "province_merger"
OTHER = "scam_extortion"
_ids = itertools.count(1)


@pytest.fixture()
def store(tmp_path):
    s = SqliteStore(tmp_path / "store.sqlite3")
    yield s
    s.close()


def day_posts(
    narrative: str, day: int, n: int, hours: tuple[int, ...] = tuple(range(24)), **kw
) -> list[TaggedPost]:
    """`n` posts on day `day` after T0, spread over the given hours of the day (minutes apart), from
    seven accounts on four sources unless `author`/`source` say otherwise."""
    out = []
    for i in range(n):
        h = hours[i % len(hours)] + (i // len(hours)) * 0.01
        pid = next(_ids)
        who = {"author": f"user_{pid % 7}", "source": f"src-{pid % 4}"} | kw
        out.append(make_tagged(pid, f"bài {pid}", narratives=(narrative,), hours=day * 24 + h, **who))
    return out


def series(store: SqliteStore, narrative: str, per_day: list[int], **kw) -> None:
    posts = [p for d, n in enumerate(per_day) for p in day_posts(narrative, d, n, **kw)]
    store.upsert(posts)


def end_of_day(day: int) -> datetime:
    return T0 + timedelta(days=day + 1)


def trend(report, nid=NARR):
    return next(t for t in report.narratives if t.id == nid)


# --- the statistics ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("k", "n", "p"),
    [(3, 10, 1 / 8), (0, 10, 1 / 8), (30, 65, 1 / 8), (5, 5, 0.5), (100, 900, 1 / 8), (400, 1000, 1 / 8), (7, 7, 1 / 8)],
)
def test_binomial_mid_p_matches_scipy(k, n, p):
    from scipy import stats  # installed with scikit-learn: the reference never skips

    expected = stats.binom.sf(k, n, p) + 0.5 * stats.binom.pmf(k, n, p)
    assert binom_mid_p(k, n, p) == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_z_from_p_is_the_normal_quantile_and_capped():
    assert z_from_p(0.5) == pytest.approx(0.0, abs=1e-12)
    assert z_from_p(0.0013499) == pytest.approx(3.0, abs=1e-3)
    assert z_from_p(0.0) == 40.0 and z_from_p(1.0) == -40.0


def test_one_to_three_posts_is_not_a_strong_signal():
    assert burst_score(3, [1] * 7) < 2.0  # naive (3-1)/sqrt(1) would say 2.0, "+200%"


# --- narratives -------------------------------------------------------------------------------------


def test_burst_is_found_with_numbers_and_top_posts(store):
    series(store, NARR, [5] * 7 + [30])
    series(store, OTHER, [5] * 8)
    hot = make_tagged("hot", "bài nhiều tương tác", narratives=(NARR,), hours=7 * 24 + 3, likes=900, shares=100)
    store.upsert([hot])
    report = compute_trends(store, at=end_of_day(7))
    t = trend(report)
    assert t.count == 31 and t.baseline == 5 and t.baseline_counts == (5,) * 7
    assert t.rising and t.score >= 3
    assert t.growth == pytest.approx((31 - 5) / 5)
    assert t.engagement == 1000
    assert t.top_posts[0].key == hot.key  # by engagement
    assert t.recent_posts[0].created_at >= t.recent_posts[-1].created_at
    assert not trend(report, OTHER).rising
    assert report.rising == (t,)
    assert report.narratives[0].id == NARR  # rising first
    assert report.total == 36


def test_a_rise_carried_by_one_source_or_few_accounts_is_not_rising(store):
    """One page's own seasonal topic (or one busy account) is not a narrative rising in the crowd."""
    series(store, NARR, [5] * 7 + [4])
    store.upsert(day_posts(NARR, 7, 26, source="trang-du-lich"))  # one source carries the rise
    t = trend(compute_trends(store, at=end_of_day(7)))
    assert t.score >= 3 and t.count == 30  # the count alone would call it a burst
    assert not t.rising
    assert t.sources == 5 and t.score_without_top_source is not None and t.score_without_top_source < 3

    store.upsert(day_posts(NARR, 7, 26, source="trang-khac"))  # a second source rising as much: the crowd
    t = trend(compute_trends(store, at=end_of_day(7)))
    assert t.rising and t.score_without_top_source >= 3 and t.accounts == 7


def test_a_rise_from_two_accounts_is_not_rising(store):
    series(store, NARR, [5] * 7 + [0])
    for i, who in enumerate(("acct_a", "acct_b") * 15):
        store.upsert(day_posts(NARR, 7, 1, author=who, source=f"page{i % 5}"))
    t = trend(compute_trends(store, at=end_of_day(7)))
    assert t.score >= 3 and t.sources == 5 and t.accounts == 2
    assert not t.rising
    assert not compute_trends(store, at=end_of_day(7), params=TrendParams(min_accounts=3)).rising
    assert compute_trends(store, at=end_of_day(7), params=TrendParams(min_accounts=2)).rising


def test_flat_series_is_not_rising(store):
    series(store, NARR, [20] * 9)
    t = trend(compute_trends(store, at=end_of_day(8)))
    assert t.count == 20 and t.baseline == 20
    assert not t.rising and abs(t.score) < 1
    assert t.growth == pytest.approx(0.0)


def test_daily_rhythm_is_not_a_burst(store):
    """Every evening is busier: a 3-hour evening window compares with earlier evenings, not the morning."""
    evening = (19, 20, 21)
    for d in range(9):
        store.upsert(day_posts(NARR, d, 3, hours=(8, 9, 10)) + day_posts(NARR, d, 15, hours=evening))
    at = T0 + timedelta(days=8, hours=22)
    report = compute_trends(store, at=at, window=timedelta(hours=3))
    t = trend(report)
    assert t.count == 15 and t.baseline == 15
    assert not t.rising
    morning = trend(compute_trends(store, at=T0 + timedelta(days=8, hours=11), window=timedelta(hours=3)))
    assert morning.count == 3  # the rhythm is real: 5× more posts in the evening

    # the same rhythm with a real evening burst on top is found
    store.upsert(day_posts(NARR, 8, 40, hours=evening))
    assert trend(compute_trends(store, at=at, window=timedelta(hours=3))).rising


def test_weekly_rhythm_is_not_a_burst(store):
    """Every 7th day is twice as busy; last week's busy day is in the baseline, so this week's is normal."""
    per_day = [60 if d % 7 == 6 else 30 for d in range(14)]
    series(store, NARR, per_day)
    t = trend(compute_trends(store, at=end_of_day(13)))
    assert t.count == 60 and t.baseline_counts == (30, 30, 30, 30, 30, 30, 60)
    # a pure Poisson test would call this a burst; the over-dispersion cap is what keeps it quiet
    assert z_from_p(binom_mid_p(60, 60 + sum(t.baseline_counts), 1 / 8)) >= 3
    assert not t.rising and t.score < 3

    store.upsert(day_posts(NARR, 13, 60))  # twice the usual busy day: a burst after all
    assert trend(compute_trends(store, at=end_of_day(13))).rising


def test_one_to_three_posts_is_not_rising_200_percent(store):
    series(store, NARR, [1] * 7 + [3])
    series(store, OTHER, [10] * 8)
    t = trend(compute_trends(store, at=end_of_day(7), params=TrendParams(min_count=1)))
    assert t.count == 3 and t.baseline == 1
    assert not t.rising  # not even with min_count=1: the score is not there
    assert t.growth is None  # a ratio over one post means nothing
    assert t.score < 2


def test_min_count_guards_tiny_new_narratives(store):
    series(store, OTHER, [10] * 8)
    series(store, NARR, [0] * 7 + [4])
    t = trend(compute_trends(store, at=end_of_day(7)))
    assert t.score >= 3  # 4 posts where there were none is unusual ...
    assert not t.rising  # ... but 4 posts are below min_count (5)
    t = trend(compute_trends(store, at=end_of_day(7), params=TrendParams(min_count=4)))
    assert t.rising


def test_no_history_means_no_rising(store):
    series(store, NARR, [0] * 7 + [40])
    report = compute_trends(store, at=end_of_day(7))
    assert not report.history
    assert trend(report).count == 40 and not trend(report).rising


def test_at_is_floored_to_the_hour_and_window_longer_than_a_day(store):
    series(store, NARR, [5] * 10)
    report = compute_trends(store, at=T0 + timedelta(days=10, minutes=42), window=timedelta(days=2), baseline_days=3)
    assert report.at == T0 + timedelta(days=10)
    t = trend(report)
    assert t.count == 10 and t.baseline_counts == (10, 10, 10)  # 2-day steps: windows never overlap


@pytest.mark.parametrize(("text", "hours"), [("24h", 24), ("6H", 6), ("2d", 48), (" 1h ", 1)])
def test_parse_window(text, hours):
    assert parse_window(text) == timedelta(hours=hours)


@pytest.mark.parametrize("text", ["", "0h", "abc", "1.5h", "31d", "-2h"])
def test_parse_window_rejects(text):
    with pytest.raises(QueryError):
        parse_window(text)


def test_format_window():
    assert format_window(timedelta(hours=24)) == "24h"
    assert format_window(timedelta(days=2)) == "2d"


# --- campaigns and claims ---------------------------------------------------------------------------


def test_copy_paste_campaign_is_reported_with_accounts_sources_and_spread(store):
    series(store, OTHER, [3] * 8)
    base = T0 + timedelta(days=7, hours=9)
    campaign = [
        make_tagged(f"c{i}", "Danh sách sáp nhập tỉnh mới đã có", narratives=(NARR,), dup_group="g-copy",
                    author=f"acct{i}", source=f"page{i % 3}", created_at=base + timedelta(minutes=2 * i), likes=i)
        for i in range(6)
    ]
    earlier = make_tagged("c-old", "Danh sách sáp nhập tỉnh mới đã có", dup_group="g-copy", author="acct0",
                          created_at=base - timedelta(days=2))
    one_account = [
        make_tagged(f"s{i}", "spam", dup_group="g-self", author="same", created_at=base + timedelta(minutes=i))
        for i in range(5)
    ]
    old_group = [
        make_tagged(f"o{i}", "cũ", dup_group="g-old", author=f"x{i}", created_at=base - timedelta(days=3, minutes=i))
        for i in range(5)
    ]
    store.upsert([*campaign, earlier, *one_account, *old_group])
    report = compute_trends(store, at=end_of_day(7))
    assert [c.id for c in report.campaigns] == ["g-copy"]
    c = report.campaigns[0]
    assert (c.posts, c.posts_in_window, c.accounts, c.sources) == (7, 6, 6, 3)
    assert c.first_seen == earlier.post.created_at and not c.new
    assert c.last_seen == base + timedelta(minutes=10)
    assert c.spread_minutes == pytest.approx(10.0)
    assert c.median_gap_minutes == pytest.approx(2.0)
    assert c.narratives == (NARR,)
    assert c.top_posts[0].key == "tiktok:c5"


def test_known_false_claims_in_the_window(store):
    from misinfo.settings import CONFIG_DIR
    from nlp.claims import load_registry

    series(store, OTHER, [3] * 8)
    in_window = [
        make_tagged(f"k{i}", "63 tỉnh còn 31", claims=("fake-63-to-31-list",), hours=7 * 24 + i, likes=i)
        for i in range(3)
    ]
    before = make_tagged("k-old", "công an gọi video", claims=("police-video-call-transfer",), hours=3 * 24)
    store.upsert([*in_window, before])
    registry = load_registry(CONFIG_DIR / "claims.yaml")
    report = compute_trends(store, at=end_of_day(7), registry=registry)
    assert [c.id for c in report.claims] == ["fake-63-to-31-list"]
    c = report.claims[0]
    assert c.count == 3 and c.previous == 0 and c.new
    assert c.verdict == "false" and "63 tỉnh" in c.text and c.source_url.startswith("https://")
    assert c.top_posts[0].key == "tiktok:k2"

    store.upsert([make_tagged("k-again", "lại 63 tỉnh", claims=("police-video-call-transfer",), hours=7 * 24 + 5)])
    again = {c.id: c for c in compute_trends(store, at=end_of_day(7)).claims}
    assert not again["police-video-call-transfer"].new and again["police-video-call-transfer"].previous == 1


def test_json_shape(store):
    series(store, NARR, [5] * 7 + [30])
    store.upsert([make_tagged("d1", "x", narratives=(NARR,), dup_group="g", author="a", hours=7 * 24 + 1),
                  make_tagged("d2", "x", narratives=(NARR,), dup_group="g", author="b", hours=7 * 24 + 1.1),
                  make_tagged("d3", "x", narratives=(NARR,), dup_group="g", author="c", hours=7 * 24 + 1.2,
                              claims=("fake-63-to-31-list",))])
    data = json.loads(json.dumps(compute_trends(store, at=end_of_day(7)).to_json(), ensure_ascii=False))
    assert data["window"] == "24h" and data["at"] == end_of_day(7).isoformat()
    n = data["narratives"][0]
    assert {"id", "count", "baseline", "score", "growth", "rising", "top_posts", "engagement", "label"} <= set(n)
    assert n["id"] == NARR and n["rising"] is True and n["count"] == 33
    assert all(isinstance(k, str) and k in data["posts"] for k in n["top_posts"])
    assert data["campaigns"][0]["id"] == "g" and data["campaigns"][0]["accounts"] == 3
    assert data["claims"][0]["id"] == "fake-63-to-31-list" and data["claims"][0]["count"] == 1
    assert "author" not in json.dumps(data["posts"])  # narratives, not people


def test_bad_window_is_a_query_error(store):
    with pytest.raises(QueryError):
        compute_trends(store, at=T0, window=timedelta(minutes=90))


# --- the command ------------------------------------------------------------------------------------


def test_cli_trends_json(tmp_path, monkeypatch):
    from misinfo.cli import app

    home = tmp_path / "home"
    s = SqliteStore(home / "store.sqlite3")
    series(s, NARR, [5] * 7 + [30])
    s.close()
    monkeypatch.setenv("MISINFO_HOME", str(home))
    result = CliRunner().invoke(app, ["trends", "--json", "--at", end_of_day(7).isoformat()])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["narratives"][0]["id"] == NARR and data["narratives"][0]["rising"]
    assert data["narratives"][0]["label"] == "Sáp nhập tỉnh, xã"

    human = CliRunner().invoke(app, ["trends", "--at", end_of_day(7).isoformat()])
    assert human.exit_code == 0 and "Sáp nhập tỉnh, xã" in human.stdout and "tăng mạnh" in human.stdout


def test_cli_bad_window_one_line_nonzero_exit(tmp_path):
    env = {"MISINFO_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "misinfo.cli", "trends", "--window", "soon"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert "window 'soon' not understood" in proc.stderr and "Traceback" not in proc.stderr


def test_naive_datetime_at_is_utc(store):
    series(store, NARR, [5] * 8)
    naive = datetime(2026, 11, 9, 0, 0)
    assert compute_trends(store, at=naive).at == naive.replace(tzinfo=UTC)


def test_top_posts_come_from_the_window_only(store):
    series(store, OTHER, [5] * 8)
    yesterday = make_tagged("viral-old", "cũ", narratives=(NARR,), hours=6 * 24 + 12, likes=99_999)
    today = [make_tagged(f"t{i}", "mới", narratives=(NARR,), hours=7 * 24 + i, likes=i) for i in range(3)]
    store.upsert([yesterday, *today])
    t = trend(compute_trends(store, at=end_of_day(7)))
    assert [p.key for p in t.top_posts] == ["tiktok:t2", "tiktok:t1", "tiktok:t0"]
    assert [p.key for p in t.recent_posts] == ["tiktok:t2", "tiktok:t1", "tiktok:t0"]
    many = [make_tagged(f"u{i}", "mới", narratives=(NARR,), hours=7 * 24 + 10 + i, likes=100 - i) for i in range(8)]
    store.upsert(many)
    t = trend(compute_trends(store, at=end_of_day(7)))
    assert [p.key for p in t.top_posts] == [f"tiktok:u{i}" for i in range(5)]
    assert [p.key for p in t.recent_posts] == [f"tiktok:u{i}" for i in range(7, 2, -1)]


def test_record_json_rounds_lists_and_points_to_posts_by_key():
    from misinfo.trends import ClaimTrend, NarrativeTrend, PostSummary

    post = PostSummary(key="tiktok:1", platform="tiktok", source="s", url="", engagement=3, text="x",
                       created_at=datetime(2026, 11, 8, 1, 2, tzinfo=UTC), narratives=("province_merger",))
    n = NarrativeTrend(id="province_merger", label="L", count=7, engagement=9, baseline=1.23456, baseline_counts=(1, 2),
                       score=4.5678, growth=None, rising=True, previous=2, top_posts=(post,), accounts=4,
                       sources=3, score_without_top_source=3.14159)  # fmt: skip
    assert n.to_json() == {
        "id": "province_merger", "label": "L", "count": 7, "engagement": 9, "baseline": 1.235,
        "baseline_counts": [1, 2], "score": 4.57, "growth": None, "rising": True, "previous": 2,
        "top_posts": ["tiktok:1"], "recent_posts": [], "accounts": 4, "sources": 3, "score_without_top_source": 3.14,
    }  # fmt: skip
    claim = ClaimTrend(id="c", text="t", verdict="false", source="s", source_url="https://x", count=1, previous=0,
                       new=True, top_posts=(post, post))  # fmt: skip
    assert claim.to_json()["top_posts"] == ["tiktok:1", "tiktok:1"]
