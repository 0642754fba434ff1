"""The digest's data: local-day bounds, the table against the day before, the 14-day chart series."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from misinfo.digest.compose import compose_digest, day_bounds, default_day, zone
from misinfo.errors import ConfigError
from misinfo.store.sqlite import SqliteStore
from tests.digest.conftest import DAY, compose, local, make_settings
from tests.factories import make_tagged


def test_day_bounds_are_local_midnights():
    start, end = day_bounds(date(2026, 11, 8), "Asia/Ho_Chi_Minh")
    assert start == datetime(2026, 11, 7, 17, tzinfo=UTC)
    assert end == datetime(2026, 11, 8, 17, tzinfo=UTC)


def test_default_day_is_yesterday_in_vietnam():
    # 01:00 on the 9th in Vietnam is still the 8th in UTC
    assert default_day("Asia/Ho_Chi_Minh", now=datetime(2026, 11, 8, 18, tzinfo=UTC)) == date(2026, 11, 8)
    assert default_day("UTC", now=datetime(2026, 11, 8, 18, tzinfo=UTC)) == date(2026, 11, 7)


def test_unknown_timezone_is_a_config_error():
    with pytest.raises(ConfigError, match="MISINFO_TIMEZONE"):
        zone("Mars/Olympus")


def test_compose_finds_the_rising_narrative_and_the_table(home):
    digest = compose(home)
    assert [t.id for t in digest.rising] == ["province_merger"]
    rows = {r.id: r for r in digest.rows}
    assert (rows["province_merger"].count, rows["province_merger"].previous) == (25, 2)
    assert rows["province_merger"].delta == 23 and rows["province_merger"].rising
    assert (rows["scam_extortion"].count, rows["scam_extortion"].previous) == (4, 4)
    assert digest.labels["province_merger"] == "Sáp nhập tỉnh, xã"
    assert digest.report.claims[0].id == "fake-63-to-31-list"
    assert digest.report.campaigns[0].id == "g1" and digest.report.campaigns[0].accounts == 3
    assert len(digest.chart_days) == 14 and digest.chart_days[-1] == DAY
    assert digest.chart_series["province_merger"][-1] == 25
    assert digest.chart_series["scam_extortion"] == (4,) * 14
    assert not digest.empty


def test_chart_series_group_by_local_day(tmp_path):
    store = SqliteStore(tmp_path / "s.sqlite3")
    # 06:30 on DAY in Vietnam is 23:30 UTC the day before: a UTC-day grouping would misplace it
    early = make_tagged("early", "sáp nhập", narratives=("province_merger",), created_at=local(DAY, 6.5))
    assert early.post.created_at.date() == DAY - timedelta(days=1)
    store.upsert([early])
    digest = compose_digest(store, make_settings(tmp_path), DAY)
    store.close()
    assert digest.chart_series["province_merger"][-1] == 1
    assert sum(digest.chart_series["province_merger"]) == 1


def test_empty_day(tmp_path):
    store = SqliteStore(tmp_path / "s.sqlite3")
    digest = compose_digest(store, make_settings(tmp_path), DAY)
    store.close()
    assert digest.empty and digest.rising == ()
    assert all(r.count == 0 for r in digest.rows)
