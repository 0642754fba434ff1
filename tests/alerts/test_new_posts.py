"""New-posts rules on a real SQLite store: a registry claim posted again fires once per batch of new
posts; a saved search fires on posts it did not match when it was attached; reruns decide nothing new."""

from __future__ import annotations

from datetime import timedelta

import pytest

from misinfo import jobs
from misinfo.alerts.saved import add_saved, current_matches, load_saved
from misinfo.alerts.state import recent_alerts
from misinfo.domain import utcnow
from misinfo.store.base import SearchQuery
from misinfo.store.sqlite import SqliteStore
from misinfo.trends import floor_hour
from tests.alerts.conftest import alert_settings, write_rules
from tests.factories import make_tagged

CLAIM = "fake-63-to-31-list"
OTHER = "police-video-call-transfer"
NOW = floor_hour(utcnow())


def upsert(home, *posts) -> None:
    store = SqliteStore(home / "store.sqlite3")
    try:
        store.upsert(posts)
    finally:
        store.close()


def claim_post(pid: str, at, claim: str = CLAIM, minutes: float = 0, **kw):
    return make_tagged(pid, f"Danh sách 63 tỉnh còn 31 tỉnh đã duyệt rồi ({pid})", claims=(claim,),
                       narratives=("province_merger",), created_at=at + timedelta(minutes=minutes), **kw)  # fmt: skip


def fired(result) -> list[tuple[str, str]]:
    return [(f["rule"], f["subject"]) for f in result["fired"]]


@pytest.fixture
def claim_settings(tmp_path, home):
    rules = write_rules(tmp_path / "alerts.yaml", [
        {"id": "claims", "kind": "claim", "channels": ["mail"], "lookback": "24h"},
        {"id": "claims-2", "kind": "claim", "channels": ["mail"], "claims": [OTHER], "min_new_posts": 2},
    ], mail={"enabled": False})  # a disabled channel: alerts are decided and logged, not sent
    return alert_settings(home, rules)


def alerted_keys(home, rule: str) -> list[list[str]]:
    return [sorted(a["keys"]) for a in reversed(recent_alerts(home)) if a["rule"] == rule]


def test_a_claim_posted_again_fires_once_per_new_batch(claim_settings, home):
    t0 = NOW - timedelta(hours=10)
    upsert(home, claim_post("a1", t0 - timedelta(minutes=50)), claim_post("a2", t0 - timedelta(minutes=20)))
    assert fired(jobs.check_alerts(claim_settings, t0)) == [("claims", CLAIM)]
    # the same hour again (a rerun) and the next hour with nothing new: silent
    again = jobs.check_alerts(claim_settings, t0)
    assert fired(again) == [] and again["skipped"] == ["claims", "claims-2"]
    assert fired(jobs.check_alerts(claim_settings, t0 + timedelta(hours=1))) == []
    # a new batch: one alert, about the new post only; a post of another claim is its own alert
    upsert(home, claim_post("a3", t0 + timedelta(hours=1, minutes=5)),
           claim_post("b1", t0 + timedelta(hours=1, minutes=7), claim=OTHER))  # fmt: skip
    assert sorted(fired(jobs.check_alerts(claim_settings, t0 + timedelta(hours=2)))) == [("claims", CLAIM),
                                                                                       ("claims", OTHER)]  # fmt: skip
    # a backfill of an earlier hour decides nothing
    assert fired(jobs.check_alerts(claim_settings, t0 - timedelta(hours=3))) == []
    # a late post, created before the lookback, is never "new"
    upsert(home, claim_post("late", t0 - timedelta(hours=30)))
    assert fired(jobs.check_alerts(claim_settings, t0 + timedelta(hours=3))) == []
    by_subject: dict[str, list[list[str]]] = {}
    for a in reversed(recent_alerts(home)):
        if a["rule"] == "claims":
            by_subject.setdefault(a["subject"], []).append(sorted(a["keys"]))
    assert by_subject == {CLAIM: [["tiktok:a1", "tiktok:a2"], ["tiktok:a3"]], OTHER: [["tiktok:b1"]]}


def test_min_new_posts_waits_for_enough_new_posts(claim_settings, home):
    t0 = NOW - timedelta(hours=10)
    upsert(home, claim_post("b1", t0 - timedelta(minutes=30), claim=OTHER))
    result = jobs.check_alerts(claim_settings, t0)
    assert ("claims-2", OTHER) not in fired(result)  # one new post, two needed
    upsert(home, claim_post("b2", t0 + timedelta(minutes=10), claim=OTHER))
    result = jobs.check_alerts(claim_settings, t0 + timedelta(hours=1))
    assert ("claims-2", OTHER) in fired(result)
    assert sorted(alerted_keys(home, "claims-2")[0]) == ["tiktok:b1", "tiktok:b2"]


def test_a_saved_search_fires_on_new_matches_only(tmp_path, home):
    rules = write_rules(tmp_path / "alerts.yaml", [
        {"id": "watch", "kind": "saved_search", "channels": ["mail"], "min_new_posts": 2, "lookback": "48h"},
    ], mail={"enabled": False})
    settings = alert_settings(home, rules)
    old = [make_tagged(f"o{i}", f"Tin đồn sáp nhập tỉnh cũ số {i}", created_at=NOW - timedelta(hours=5 + i))
           for i in range(3)]  # fmt: skip
    upsert(home, *old, make_tagged("x1", "Giá rau hôm nay", created_at=NOW - timedelta(hours=2)))
    store = SqliteStore(home / "store.sqlite3")
    try:
        query = SearchQuery(text="sap nhap")  # typed without diacritics, as analysts do
        baseline = current_matches(store, query, timedelta(hours=48))
        search = add_saved(home, "lan", "Sáp nhập (không dấu)", query, alert_rule="watch", baseline=baseline)
    finally:
        store.close()
    assert sorted(baseline) == ["tiktok:o0", "tiktok:o1", "tiktok:o2"]
    assert load_saved(home)[0].owner == "lan"
    at = NOW + timedelta(hours=1)
    assert fired(jobs.check_alerts(settings, at)) == []  # only the matches it had when saved
    upsert(home, make_tagged("n1", "Lại có tin sáp nhập tỉnh mới", created_at=NOW + timedelta(minutes=5)),
           make_tagged("n2", "Thời tiết đẹp", created_at=NOW + timedelta(minutes=6)))  # fmt: skip
    assert fired(jobs.check_alerts(settings, at + timedelta(hours=1))) == []  # one new match, two needed
    upsert(home, make_tagged("n3", "Sáp nhập tỉnh: danh sách", created_at=NOW + timedelta(hours=1, minutes=5)))
    assert fired(jobs.check_alerts(settings, at + timedelta(hours=2))) == [("watch", search.id)]
    assert fired(jobs.check_alerts(settings, at + timedelta(hours=3))) == []
    alert = recent_alerts(home)[0]
    assert sorted(alert["keys"]) == ["tiktok:n1", "tiktok:n3"]
    assert alert["numbers"]["new_posts"] == 2 and alert["title"] == "Sáp nhập (không dấu)"


def test_a_saved_search_the_store_cannot_run_does_not_stop_the_others(tmp_path, home):
    rules = write_rules(tmp_path / "alerts.yaml", [
        {"id": "watch", "kind": "saved_search", "channels": ["mail"], "min_new_posts": 1},
        {"id": "claims", "kind": "claim", "channels": ["mail"]},
    ], mail={"enabled": False})
    settings = alert_settings(home, rules)
    bad = add_saved(home, "lan", "Quá nhiều từ", SearchQuery(text=" ".join(f"tu{i}" for i in range(40))),
                    alert_rule="watch")  # fmt: skip
    upsert(home, claim_post("a1", NOW + timedelta(minutes=5)))
    result = jobs.check_alerts(settings, NOW + timedelta(hours=1))
    assert fired(result) == [("claims", CLAIM)]
    assert "too many search terms" in result["problems"][bad.id]


def test_a_saved_search_keeps_its_ai_label_filter(tmp_path, home):
    upsert(home, make_tagged("a1", "Video sáp nhập tỉnh", aigc=True, created_at=NOW - timedelta(hours=1)),
           make_tagged("a2", "Bài sáp nhập tỉnh", created_at=NOW - timedelta(hours=1)))  # fmt: skip
    saved = add_saved(home, "lan", "AI", SearchQuery(text="sap nhap", aigc=True))
    [loaded] = load_saved(home)
    assert loaded.aigc and loaded.query() == saved.query()
    store = SqliteStore(home / "store.sqlite3")
    try:
        assert [h.post.key for h in store.search(loaded.query()).hits] == ["tiktok:a1"]
    finally:
        store.close()
