"""The dashboard's side of the alerts (AppTest, real SQLite store): the Cảnh báo page shows one alert with
exactly its posts (what an alert's link opens) and the recent ones; the Trends page lists the last day's;
analysts save searches (owner, audited) and attach them to an alert rule; viewers cannot."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from misinfo.alerts.rules import load_rules
from misinfo.alerts.saved import load_saved
from misinfo.alerts.state import log_event, make_alert
from misinfo.audit import read_audit
from misinfo.settings import CONFIG_DIR
from misinfo.trends import PostSummary
from tests.dashboard.conftest import NOW, app, fixture_posts
from tests.dashboard.test_app import assert_clean, search, texts

pytestmark = pytest.mark.usefixtures("dash_home")


def record_alert(home: Path, rule_id: str, subject: str, keys: list[str], *, hours_ago: float = 1,
                 status: str = "sent", numbers: dict | None = None) -> str:  # fmt: skip
    """An alert in the sent-alert log, as `misinfo alerts check` writes it."""
    rule = load_rules(CONFIG_DIR / "alerts.yaml").rule(rule_id)
    by_key = {tp.post.key: tp for tp in fixture_posts()}
    posts = [PostSummary.of(by_key[k]) for k in keys[:3] if k in by_key]
    alert = make_alert(rule, subject, "Sáp nhập tỉnh, xã", NOW - timedelta(hours=hours_ago), numbers or {
        "count": 9, "baseline": 1.5, "score": 4.2, "growth": None, "engagement": 600, "window_hours": 3,
        "threshold": 3.0}, posts, keys, ["email-desk"])  # fmt: skip
    log_event(home, "fired", alert=alert.to_json())
    log_event(home, status, alert=alert.id, channel="email-desk", detail="<id@example>", error="SMTP down")
    return alert.id


def test_an_alert_link_shows_that_alert_and_exactly_its_posts(dash_home: Path) -> None:
    alert_id = record_alert(dash_home, "narrative-burst", "province_merger", ["tiktok:m1", "tiktok:c0", "tiktok:gone"])
    at = app("lan")
    at.query_params["id"] = alert_id
    at.run().switch_page("app_pages/alerts.py")
    at.query_params["id"] = alert_id
    at.run()
    assert_clean(at)
    page = texts(at)
    assert "Chủ đề «Sáp nhập tỉnh, xã» tăng đột biến: 9 bài trong 3 giờ (nền 1,5; điểm 4,2)" in page
    assert "Kênh email-desk: đã gửi" in page
    assert "Lan truyền danh sách sáp nhập tỉnh mới" in page and "CHIA SẺ NGAY" in page  # m1 and c0
    assert "Cảnh báo: giả danh công an" not in page  # a post the alert is not about
    assert "1 bài không còn trong kho dữ liệu" in page


def test_the_alerts_page_lists_recent_alerts_with_their_delivery_status(dash_home: Path) -> None:
    record_alert(dash_home, "narrative-burst", "province_merger", ["tiktok:m1"], status="failed")
    record_alert(dash_home, "narrative-burst", "province_merger", ["tiktok:m3"], hours_ago=24 * 9)  # too old
    at = app("minh").run().switch_page("app_pages/alerts.py").run()
    assert_clean(at)
    page = texts(at)
    assert page.count("«Sáp nhập tỉnh, xã» tăng đột biến") == 1
    assert "Kênh email-desk: gửi lỗi, sẽ thử lại ở lần chạy sau" in page


def test_the_trends_page_shows_the_last_days_alerts(dash_home: Path) -> None:
    at = app("lan").run()
    assert "Không có cảnh báo nào trong 24 giờ qua." in texts(at)
    record_alert(dash_home, "narrative-burst", "province_merger", ["tiktok:m1"])
    at = app("lan").run()
    assert_clean(at)
    assert "Chủ đề «Sáp nhập tỉnh, xã» tăng đột biến" in texts(at)
    assert any(link.label == "Xem cảnh báo và các bài liên quan" for link in at.get("page_link"))


def test_an_analyst_saves_a_search_attached_to_a_rule_and_it_is_audited(dash_home: Path) -> None:
    at = app("lan").run().switch_page("app_pages/search.py").run()
    at = search(at, "sap nhap", search_narratives=["province_merger"])
    at.text_input(key="save_search_name").input("Sáp nhập tỉnh (không dấu)")
    at.selectbox(key="save_search_rule").set_value("saved-search")
    at.button(key="FormSubmitter:save_search_form-Lưu").click().run()
    assert_clean(at)
    assert "Đã lưu tìm kiếm «Sáp nhập tỉnh (không dấu)»." in texts(at)
    [saved] = load_saved(dash_home)
    assert (saved.owner, saved.text, saved.narratives, saved.alert_rule) == (
        "lan", "sap nhap", ("province_merger",), "saved-search")
    assert "tiktok:m1" in saved.baseline  # what it matched when saved is never "new"
    record = [r for r in read_audit(dash_home) if r["action"] == "save_search"][-1]
    assert record["who"] == "lan" and record["search"] == saved.id and record["alert_rule"] == "saved-search"

    # the Cảnh báo page lists it for its owner, who may detach it (audited) ...
    at = app("lan").run().switch_page("app_pages/alerts.py").run()
    assert "Sáp nhập tỉnh (không dấu)" in texts(at)
    at.selectbox(key=f"saved_rule_{saved.id}").set_value("").run()
    assert_clean(at)
    assert load_saved(dash_home)[0].alert_rule is None
    assert [r for r in read_audit(dash_home) if r["action"] == "attach_search"][-1]["alert_rule"] is None
    # ... and it opens in Tìm kiếm with its query and filters filled in
    at = app("lan")
    at.query_params["saved"] = saved.id
    at.run().switch_page("app_pages/search.py")
    at.query_params["saved"] = saved.id
    at.run()
    assert_clean(at)
    assert at.text_input(key="search_text").value == "sap nhap"
    assert at.multiselect(key="search_narratives").value == ["province_merger"]
    assert "Đang dùng tìm kiếm đã lưu" in texts(at) and "Tìm thấy" in texts(at)


def test_others_do_not_see_or_change_a_saved_search_and_viewers_cannot_save(dash_home: Path) -> None:
    at = app("lan").run().switch_page("app_pages/search.py").run()
    at = search(at, "lua dao")
    at.text_input(key="save_search_name").input("Lừa đảo")
    at.button(key="FormSubmitter:save_search_form-Lưu").click().run()
    assert load_saved(dash_home)[0].owner == "lan"
    viewer = app("minh").run().switch_page("app_pages/alerts.py").run()
    assert "Lừa đảo" not in texts(viewer) and "Chưa có tìm kiếm nào được lưu." in texts(viewer)
    viewer = app("minh").run().switch_page("app_pages/search.py").run()
    viewer = search(viewer, "lua dao")
    assert "cần quyền phân tích viên để lưu tìm kiếm" in texts(viewer)
    admin = app("admin").run().switch_page("app_pages/alerts.py").run()
    assert "Lừa đảo" in texts(admin)  # an admin sees everyone's


def test_the_helpers_refuse_what_the_role_does_not_allow(dash_home: Path) -> None:
    from dashboard.actions import attach_search, delete_search, save_search
    from dashboard.auth import NotAllowed, User
    from misinfo.store.base import SearchQuery
    from misinfo.store.sqlite import SqliteStore

    store = SqliteStore(dash_home / "store.sqlite3")
    rules = CONFIG_DIR / "alerts.yaml"
    try:
        with pytest.raises(NotAllowed):
            save_search(dash_home, rules, store, User("minh", "viewer"), "x", SearchQuery(text="a"))
        mine = save_search(dash_home, rules, store, User("lan", "analyst"), "x", SearchQuery(text="a"))
        with pytest.raises(NotAllowed):
            attach_search(dash_home, rules, store, User("hoa", "analyst"), mine.id, "saved-search")
        with pytest.raises(NotAllowed, match="not a saved-search alert rule"):
            attach_search(dash_home, rules, store, User("lan", "analyst"), mine.id, "narrative-burst")
        with pytest.raises(NotAllowed):
            delete_search(dash_home, User("hoa", "analyst"), mine.id)
        delete_search(dash_home, User("admin", "admin"), mine.id)
    finally:
        store.close()
    assert load_saved(dash_home) == []

