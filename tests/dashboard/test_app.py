"""Every dashboard page through Streamlit's AppTest, against a real SQLite store in a temp home."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from misinfo.audit import read_audit
from misinfo.domain import Evidence, Tag, Transcript
from misinfo.pipeline import iter_reviews
from misinfo.store.sqlite import SqliteStore
from tests.dashboard.conftest import PASSWORDS, app, fixture_posts, tagged, write_home

pytestmark = pytest.mark.usefixtures("dash_home")


def texts(at) -> str:
    """Everything a person would read on the page, as one string."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "html"):
        parts += [str(e.value) for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)


def assert_clean(at) -> None:
    assert not at.exception, [e.message for e in at.exception]


def login(at, username: str, password: str):
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


# --- login -------------------------------------------------------------------------------------


def test_login_page_has_its_widgets_and_no_demo_hint_by_default() -> None:
    at = app().run()
    assert_clean(at)
    assert [w.label for w in at.text_input] == ["Tên đăng nhập", "Mật khẩu"]
    assert at.text_input(key="login_password").proto.type == at.text_input(key="login_password").proto.PASSWORD
    assert at.button[0].label == "Đăng nhập"
    assert "demo" not in texts(at)


def test_wrong_password_is_refused_and_audited(dash_home: Path) -> None:
    at = login(app().run(), "lan", "not-her-password")
    assert_clean(at)
    assert "user" not in at.session_state
    assert "Sai tên đăng nhập hoặc mật khẩu." in [e.value for e in at.error]
    assert at.title[0].value != "Xu hướng"
    at = login(at, "nobody", "x")
    assert "user" not in at.session_state
    failed = [r for r in read_audit(dash_home) if r["action"] == "login_failed"]
    assert [r["who"] for r in failed] == ["lan", "nobody"]


def test_too_many_wrong_passwords_lock_the_name_even_for_the_right_one(
    dash_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MISINFO_LOGIN_MAX_FAILURES", "3")
    at = app().run()
    for _ in range(3):
        at = login(at, "lan", "guess")
    at = login(at, "lan", PASSWORDS["lan"])
    assert_clean(at)
    assert "user" not in at.session_state
    assert any("tạm bị khoá" in e.value and "15 phút" in e.value for e in at.error)
    assert [r["action"] for r in read_audit(dash_home) if r["who"] == "lan"][-2:] == ["login_failed", "login_locked"]
    at = login(app().run(), "minh", PASSWORDS["minh"])  # another name, another browser: not locked
    assert at.session_state["user"].username == "minh"


def test_right_password_opens_the_trends_page(dash_home: Path) -> None:
    at = login(app().run(), "lan", PASSWORDS["lan"])
    assert_clean(at)
    assert at.session_state["user"].username == "lan"
    assert at.title[0].value == "Xu hướng"
    assert any(r["action"] == "login" and r["who"] == "lan" for r in read_audit(dash_home))


def test_demo_account_only_when_demo_is_on(monkeypatch: pytest.MonkeyPatch) -> None:
    at = login(app().run(), "demo", "demo")
    assert "user" not in at.session_state
    monkeypatch.setenv("MISINFO_DEMO", "1")
    at = app().run()
    assert "tài khoản **demo**, mật khẩu **demo**" in texts(at)
    at = login(at, "demo", "demo")
    assert at.session_state["user"].role == "analyst"
    assert at.title[0].value == "Xu hướng"


# --- trends ------------------------------------------------------------------------------------


def test_trends_page_shows_numbers_rising_narrative_chart_campaign_and_claim() -> None:
    at = app("lan").run()
    assert_clean(at)
    page = texts(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Bài trong 24 giờ"] == "10"  # 4 single posts + 6 copies, all in the last hours
    assert metrics["Chủ đề tăng bất thường"] == "1"
    assert ":material/trending_up:] Sáp nhập tỉnh, xã" in page
    assert "trung tâm hành chính" in page  # a top post of the rising narrative
    assert {r.label for r in at.radio} >= {"Cửa sổ so sánh", "Đơn vị thời gian"}
    assert at.selectbox(key="trends_range").value == 7
    assert at.get("vega_lite_chart"), "the counts chart is drawn"
    assert "**6 bài** từ 6 tài khoản" in page  # the copy-paste campaign
    assert "Danh sách sáp nhập 63 tỉnh thành còn 31 tỉnh" in page  # the false claim, from the registry
    table = at.dataframe[0].value
    assert list(table.iloc[0])[:2] == ["Sáp nhập tỉnh, xã", "7"]


def test_trends_page_lists_newly_seen_accounts_per_narrative() -> None:
    at = app("lan").run()
    assert_clean(at)
    assert "Tài khoản mới xuất hiện theo chủ đề" in [e.value for e in at.subheader]
    assert "**Sáp nhập tỉnh, xã**" in texts(at)
    assert "**Lừa đảo, tống tiền trực tuyến**" in texts(at)
    merger, scam = [d.value for d in at.dataframe if "Tài khoản" in d.value.columns]
    assert list(merger.columns) == ["Tài khoản", "Nền tảng", "Lần đầu thấy", "Số bài về chủ đề"]
    # the six copy-paste accounts are new; TikTok's acc1 has posted about it all week, so it is not
    assert sorted(merger["Tài khoản"]) == [f"acc{10 + i}" for i in range(6)] and set(merger["Số bài về chủ đề"]) == {"1"}
    assert merger.iloc[0]["Tài khoản"] == "acc10" and merger.iloc[0]["Nền tảng"] == "TikTok"
    # Facebook's acc1 is another account: first seen with its scam post 5 hours ago
    assert (list(scam["Tài khoản"]), list(scam["Nền tảng"])) == (["acc1"], ["Facebook"])


def chart_data(at) -> pd.DataFrame:
    """The rows the counts chart draws (Streamlit sends them as Arrow inside the Vega-Lite element)."""
    import pyarrow as pa

    (chart,) = at.get("vega_lite_chart")
    return pa.ipc.open_stream(chart.proto.datasets[0].data.data).read_pandas()


def per_narrative(frame: pd.DataFrame) -> dict[str, int]:
    return {k: int(v) for k, v in frame.groupby("narrative")["count"].sum().items()}


def steps(frame: pd.DataFrame) -> set[pd.Timedelta]:
    return set(frame.time.drop_duplicates().sort_values().diff().dropna())


def test_trends_controls_change_the_chart() -> None:
    in_7_days = {"Sáp nhập tỉnh, xã": 14, "Lừa đảo, tống tiền trực tuyến": 1,
                 "Chi tiêu đi công tác của lãnh đạo": 1, "Xuyên tạc về Đại hội Đảng": 0}  # fmt: skip
    at = app("lan").run()
    hourly = chart_data(at)
    assert steps(hourly) == {pd.Timedelta(hours=1)} and hourly.time.nunique() == 7 * 24
    assert per_narrative(hourly) == in_7_days

    at.radio(key="trends_interval").set_value("day").run()
    assert_clean(at)
    daily = chart_data(at)
    assert steps(daily) == {pd.Timedelta(days=1)} and daily.time.nunique() in (7, 8)  # local days the 7 × 24 h touch
    assert per_narrative(daily) == in_7_days  # the same posts, counted per day

    at.selectbox(key="trends_range").set_value(30).run()
    assert_clean(at)
    month = chart_data(at)
    assert steps(month) == {pd.Timedelta(days=1)} and month.time.nunique() in (30, 31)
    assert per_narrative(month) == in_7_days | {"Sáp nhập tỉnh, xã": 15}  # the post of 7 days and 2 hours ago


def test_quiet_window_says_so_in_each_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quiet = tmp_path / "quiet"
    monkeypatch.setenv("MISINFO_HOME", str(quiet))
    write_home(quiet, posts=[tagged("w1", "Thời tiết hôm nay nắng đẹp.", hours_ago=2)])
    at = app("lan").run()
    assert_clean(at)
    assert "Không có chủ đề nào tăng bất thường trong cửa sổ này." in [e.value for e in at.success]
    page = texts(at)
    assert "Không phát hiện nhóm nội dung sao chép nào trong cửa sổ này." in page
    assert "Không có bài nào khớp tin sai đã kiểm chứng trong cửa sổ này." in page


def test_empty_store_shows_a_clear_message(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISINFO_SQLITE_PATH", str(home / "empty.sqlite3"))
    at = app("lan").run()
    assert_clean(at)
    assert "Kho dữ liệu chưa có bài đăng nào" in texts(at)


def test_store_down_shows_a_clear_message(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = home / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("MISINFO_SQLITE_PATH", str(blocker / "store.sqlite3"))  # cannot be created
    for page in ("app_pages/trends.py", "app_pages/search.py", "app_pages/review.py"):
        at = app("lan").run()
        if page != "app_pages/trends.py":
            at.switch_page(page).run()
        assert_clean(at)
        assert "Không kết nối được kho dữ liệu" in texts(at), page
        assert "Chi tiết kỹ thuật" in texts(at)


# --- narrative ---------------------------------------------------------------------------------


def test_narrative_page_shows_evidence_claims_and_groups() -> None:
    at = app("lan").run().switch_page("app_pages/narrative.py").run()
    assert_clean(at)
    assert at.selectbox(key="narrative_pick").value == "province_merger"
    page = texts(at)
    assert "cụm từ «sáp nhập tỉnh»" in page and "cụm từ «trung tâm hành chính»" in page  # the tag evidence
    assert "Danh sách sáp nhập 63 tỉnh thành" in page  # matched claim with its registry text
    assert "Nhóm nội dung sao chép" in page
    assert any("g-copy" in e.label for e in at.expander)
    at.selectbox(key="narrative_pick").set_value("scam_extortion").run()
    assert_clean(at)
    page = texts(at)
    assert "giả danh công an gọi video" in page
    assert "<script>" not in page and "&lt;script&gt;" in page  # post text is escaped, never markup


# --- search ------------------------------------------------------------------------------------


def search(at, text: str, **filters):
    at.text_input(key="search_text").input(text)
    for key, value in filters.items():
        at.multiselect(key=key).set_value(value)
    return at.button(key="FormSubmitter:search_form-Tìm kiếm").click().run()


def test_search_without_diacritics_finds_the_posts_and_marks_the_words(dash_home: Path) -> None:
    at = app("lan").run().switch_page("app_pages/search.py").run()
    assert_clean(at)
    assert {w.label for w in at.multiselect} == {"Chủ đề", "Nền tảng", "Nguồn", "Trạng thái rà soát"}
    assert {w.label for w in at.date_input} == {"Đăng từ ngày", "Đến ngày"}
    assert at.selectbox(key="search_sort").options == ["Liên quan nhất", "Mới nhất", "Tương tác cao nhất"]
    at = search(at, "gia danh cong an")
    assert_clean(at)
    page = texts(at)
    assert "Tìm thấy **1** bài" in page
    assert "<mark>giả</mark> <mark>danh</mark> <mark>công</mark> <mark>an</mark>" in page
    assert at.get("download_button")[0].label == "Tải xuống CSV tất cả 1 bài"
    record = [r for r in read_audit(dash_home) if r["action"] == "search"][-1]
    assert record["who"] == "lan" and record["query"] == "gia danh cong an" and record["total"] == 1


def test_search_filters_narrow_the_hits() -> None:
    at = app("lan").run().switch_page("app_pages/search.py").run()
    at = search(at, "sap nhap", search_platforms=["facebook"])
    assert "Tìm thấy **3** bài" in texts(at)  # the copies posted on Facebook
    at = search(at, "sap nhap", search_platforms=["tiktok"], search_narratives=["province_merger"])
    assert "Tìm thấy **12** bài" in texts(at)
    at = search(at, "thoi tiet", search_platforms=["facebook"])
    assert "Không tìm thấy bài nào phù hợp." in texts(at)
    at.multiselect(key="search_status").set_value(["accurate"])
    at = search(at, "sap nhap")
    assert "Không tìm thấy bài nào phù hợp." in texts(at)


def shown_posts(at) -> list[str]:
    """Post ids of the result cards, in the order shown."""
    return [m for h in at.html for m in re.findall(r"https://example\.test/tiktok/(\w+)", h.value)]


def test_search_pages_through_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    many = tmp_path / "many"
    monkeypatch.setenv("MISINFO_HOME", str(many))
    write_home(many, posts=[tagged(f"p{i:02d}", f"Bài số {i} cảnh báo lừa đảo", hours_ago=i + 1) for i in range(45)]
               + [tagged("other", "Thời tiết hôm nay", hours_ago=0.5)])  # fmt: skip
    at = app("lan").run().switch_page("app_pages/search.py").run()
    at.selectbox(key="search_size").set_value(20)
    at.selectbox(key="search_sort").set_value("newest")
    at = search(at, "lua dao")
    pages = [shown_posts(at)]
    assert "Tìm thấy **45** bài (trang 1/3)" in texts(at) and at.button(key="search_prev").disabled
    for n in (2, 3):
        at = at.button(key="search_next").click().run()
        assert_clean(at)
        assert f"(trang {n}/3)" in texts(at)
        pages.append(shown_posts(at))
    assert at.button(key="search_next").disabled
    assert pages == [[f"p{i:02d}" for i in range(a, b)] for a, b in ((0, 20), (20, 40), (40, 45))]  # newest first
    at = at.button(key="search_prev").click().run()
    assert shown_posts(at) == pages[1]


def test_bad_query_shows_a_message_not_a_traceback() -> None:
    at = app("lan").run().switch_page("app_pages/search.py").run()
    at = search(at, " ".join(f"tu{i}" for i in range(40)))
    assert_clean(at)
    assert "Không hiểu câu tìm kiếm" in texts(at)
    assert "too many search terms" in texts(at)


# --- review ------------------------------------------------------------------------------------


def test_review_queue_highest_score_first_and_a_review_is_saved_everywhere(dash_home: Path) -> None:
    at = app("lan").run().switch_page("app_pages/review.py").run()
    assert_clean(at)
    cards = [h.value for h in at.html if 'class="mm-card"' in h.value]
    assert "m1" in cards[0] and "trung tâm hành chính" in cards[0]  # score 0.95 before the rest
    assert at.radio(key="verdict-tiktok:m1").options == ["Sai sự thật", "Gây hiểu lầm", "Chính xác", "Không thuộc chủ đề"]
    at.radio(key="verdict-tiktok:m1").set_value("false")
    at.selectbox(key="about-tiktok:m1").set_value("province_merger")
    at.text_area(key="note-tiktok:m1").input("Bộ Nội vụ đã bác bỏ danh sách này")
    at.button(key="FormSubmitter:review-tiktok:m1-Lưu kết luận").click().run()
    assert_clean(at)
    assert "Đã lưu kết luận «Sai sự thật» cho bài tiktok:m1." in [s.value for s in at.success]
    assert not any("tiktok/m1" in h.value for h in at.html)  # left the queue

    store = SqliteStore(dash_home / "store.sqlite3")
    try:
        review = store.get("tiktok:m1").review
    finally:
        store.close()
    assert (review.verdict, review.reviewer, review.narrative) == ("false", "lan", "province_merger")
    assert [r.post_key for r in iter_reviews(dash_home)] == ["tiktok:m1"]  # the durable review log
    record = [r for r in read_audit(dash_home) if r["action"] == "review"][-1]
    assert record["who"] == "lan" and record["post"] == "tiktok:m1" and record["verdict"] == "false"

    at.switch_page("app_pages/search.py").run()
    at = search(at, "trung tam hanh chinh")
    shown = [h.value for h in at.html if "tiktok/m1" in h.value][0]
    assert "Sai sự thật" in shown and "Bộ Nội vụ đã bác bỏ" in shown  # the review shows where the post appears


def test_a_viewer_cannot_review() -> None:
    at = app("minh").run().switch_page("app_pages/review.py").run()
    assert_clean(at)
    assert "chỉ có quyền xem" in texts(at)
    assert not at.radio and not at.text_area
    assert [b.label for b in at.button] == ["Đăng xuất"]


def test_review_helper_refuses_a_viewer(dash_home: Path) -> None:
    from dashboard.actions import save_review
    from dashboard.auth import NotAllowed, User

    store = SqliteStore(dash_home / "store.sqlite3")
    try:
        with pytest.raises(NotAllowed):
            save_review(dash_home, store, User("minh", "viewer"), "tiktok:m1", "false", None, "")
        assert store.get("tiktok:m1").review is None
    finally:
        store.close()
    assert not list(iter_reviews(dash_home))


# --- sources and users -------------------------------------------------------------------------


def test_sources_page_puts_the_blocked_source_first() -> None:
    at = app("minh").run().switch_page("app_pages/sources.py").run()
    assert_clean(at)
    assert "1 nguồn đang bị chặn hoặc lỗi ở lần thu thập gần nhất: Thông tin Chính phủ (Facebook)." in texts(at)
    table = at.dataframe[0].value
    first = table.iloc[0]
    assert first["Nguồn"] == "Thông tin Chính phủ (Facebook)"
    assert first["Trạng thái"] == "Bị chặn" and first["Lần bị chặn"] == "1 (robots × 1)"
    assert table.iloc[1]["Trạng thái"] == "Bình thường" and table.iloc[1]["Bài mới"] == "3"
    runs = chart_data(at)  # the crawl-runs chart: every run of each source, blocked ones in their own colour
    assert sorted(zip(runs.source, runs.new_items, runs.status_label, strict=True)) == [
        ("thongtinchinhphu-fb", 0, "bị chặn"), ("thongtinchinhphu-fb", 12, "thành công"),
        ("vtv24-tiktok", 3, "thành công"), ("vtv24-tiktok", 5, "thành công")]  # fmt: skip
    assert table.iloc[1]["Cách thu thập"] == "Trình duyệt" and table.iloc[0]["Cách thu thập"] == "HTTP"
    transcripts = "Lời thoại video (lấy được / thử lại sau)"
    assert (table.iloc[1][transcripts], table.iloc[0][transcripts]) == ("2 / 1", "–")  # TikTok only
    accounts = next(d.value for d in at.dataframe if "Tài khoản" in d.value.columns)
    assert len(accounts) == 6 and "acc1" not in set(accounts["Tài khoản"])
    assert "không lập hồ sơ cá nhân" in texts(at)


def test_bad_sources_file_is_one_clear_message(dash_home: Path) -> None:
    (dash_home / "sources.yaml").write_text("- key: [unclosed\n", encoding="utf-8")
    at = app("lan").run().switch_page("app_pages/sources.py").run()
    assert_clean(at)
    assert "Cấu hình hệ thống có lỗi" in texts(at)


def test_users_page_for_admins_only(dash_home: Path) -> None:
    at = app("lan").run()
    with pytest.raises(ValueError):
        at.switch_page("app_pages/users.py")  # not registered for an analyst
    at = app("admin").run().switch_page("app_pages/users.py").run()
    assert_clean(at)
    assert set(at.dataframe[0].value["Tên đăng nhập"]) == {"lan", "minh", "admin"}


def test_empty_home_fresh_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("MISINFO_HOME", str(fresh))
    write_home(fresh, posts=[])
    at = app("lan").run().switch_page("app_pages/search.py").run()
    at = search(at, "sap nhap")
    assert_clean(at)
    assert "Không tìm thấy bài nào phù hợp." in texts(at)


def test_review_needs_an_explicit_verdict(dash_home: Path) -> None:
    at = app("lan").run().switch_page("app_pages/review.py").run()
    assert at.radio(key="verdict-tiktok:m1").value is None  # no default: a stray click marks nothing
    at.button(key="FormSubmitter:review-tiktok:m1-Lưu kết luận").click().run()
    assert_clean(at)
    assert "Hãy chọn một kết luận trước khi lưu." in [w.value for w in at.warning]
    assert not list(iter_reviews(dash_home))


# --- hostile posts -----------------------------------------------------------------------------


def test_hostile_posts_are_inert_on_every_page(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Formula prefixes, bidi overrides, zero-width characters, markup, a javascript: link, 1 MB of text."""
    from datetime import timedelta

    from tests.dashboard.conftest import NOW
    from tests.hostile import EVIL_URL, RLO, assert_inert_html, hidden_chars, hostile_posts

    write_home(home, fixture_posts() + hostile_posts(created_at=NOW - timedelta(minutes=30)))
    monkeypatch.setenv("MISINFO_SOURCES", str(home / "sources.yaml"))
    at = app("lan").run()
    pages = {"trends": at}
    at = app("lan").run().switch_page("app_pages/narrative.py").run()
    pages["narrative"] = at
    at = app("lan").run().switch_page("app_pages/search.py").run()
    at.selectbox(key="search_sort").set_value("Mới nhất")
    pages["search"] = search(at, "sáp nhập")  # the hostile posts are the newest: all on the first page
    pages["review"] = app("lan").run().switch_page("app_pages/review.py").run()
    for name, page in pages.items():
        assert_clean(page)
        shown = texts(page)
        for element in page.get("html"):
            assert_inert_html(str(element.value))
        assert not hidden_chars(shown), (name, hidden_chars(shown)[:5])
        assert RLO not in shown and f'href="{EVIL_URL}' not in shown
    found = texts(pages["search"])
    assert "tải danh sách gnp.exe tại đây" in found  # the bidi post, shown in logical order
    assert "&lt;script&gt;" in found and "onerror" in found  # markup shown as text
    assert "<mark>s.á.p</mark>" not in found and "<mark>sáp</mark> <mark>nhập</mark> tỉnh: danh sách mới" in found


def test_evidence_shows_how_an_evaded_post_wrote_the_phrase(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    evaded = tagged("ev1", "Tin nóng: s.á.p n.h.ậ.p tỉnh, \u0441\u0430\u0301\u0440 báo", hours_ago=0.5,
                    narratives={"province_merger": 0.95}, evidence={"province_merger": ("sáp nhập tỉnh",)})
    write_home(home, [evaded, *fixture_posts()])
    monkeypatch.setenv("MISINFO_SOURCES", str(home / "sources.yaml"))
    at = search(app("lan").run().switch_page("app_pages/search.py").run(), "sáp nhập tỉnh")
    assert_clean(at)
    page = texts(at)
    assert "<mark>s.á.p</mark> <mark>n.h.ậ.p</mark> <mark>tỉnh</mark>" in page  # the snippet marks what was written
    assert "cụm từ «sáp nhập tỉnh» (trong bài viết là «s.á.p n.h.ậ.p tỉnh»)" in page  # and so does the evidence
    assert page.count("(trong bài viết là") == 1  # posts that write the phrase plainly get no note


def video_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture posts plus a TikTok video whose caption says nothing and whose transcript says it all."""
    video = tagged("vid1", "Chia sẻ để mọi người cùng biết nhé", hours_ago=0.5, narratives={"province_merger": 0.9},
                   likes=900)
    spoken = ("Bà con ơi, danh sách sáp nhập tỉnh mới vừa có\ntỉnh mình đổi tên, <b>dời trụ sở</b>\n"
              + "Mọi người chia sẻ cho người thân cùng biết. " * 8)
    post = replace(video.post, transcript=Transcript(spoken, "vie-VN", "ASR"), aigc=True,
                   aigc_description="Nhà sáng tạo đã gắn nhãn", location_created="VN")
    tags = (Tag("province_merger", 0.9, (Evidence("phrase", "sáp nhập tỉnh", 1.0, "transcript"),
                                         Evidence("feature", "model probability", 0.8))),)
    write_home(home, [replace(video, post=post, tags=tags), *fixture_posts()])
    monkeypatch.setenv("MISINFO_SOURCES", str(home / "sources.yaml"))


def test_a_video_found_by_what_it_says_shows_its_transcript_under_the_caption(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    video_home(home, monkeypatch)
    at = search(app("lan").run().switch_page("app_pages/search.py").run(), "tinh minh doi ten")
    assert_clean(at)
    page = texts(at)
    assert "Tìm thấy **1** bài" in page and "Chia sẻ để mọi người cùng biết nhé" in page
    [spoken] = [e for e in at.expander if e.label.startswith("Lời thoại trong video")]
    assert spoken.label == "Lời thoại trong video (nhận dạng giọng nói của TikTok, vie-VN)"
    shown = "\n".join(h.value for h in spoken.get("html"))
    assert "<mark>tỉnh</mark> <mark>mình</mark> <mark>đổi</mark> <mark>tên</mark>" in shown  # the matched excerpt
    assert "&lt;b&gt;dời trụ sở&lt;/b&gt;" in shown and "<b>dời" not in shown  # inert
    assert "Toàn bộ lời thoại:" in shown and shown.count("người thân cùng biết") > 8  # the whole of it too
    assert "🤖 Nhãn của TikTok «nội dung do AI tạo ra» · Nhà sáng tạo đã gắn nhãn" in page
    assert "Nơi tạo video: VN" in page
    assert "cụm từ «sáp nhập tỉnh» (trong lời thoại)" in page  # the evidence names the transcript

    at.checkbox(key="search_aigc").check()
    at = search(at, "sap nhap")
    assert "Tìm thấy **1** bài" in texts(at)  # only the AI-labelled video


def test_trends_counts_ai_labelled_videos_per_narrative(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    video_home(home, monkeypatch)
    at = app("lan").run()
    assert_clean(at)
    table = at.dataframe[0].value
    row = table[table["Chủ đề"] == "Sáp nhập tỉnh, xã"].iloc[0]
    assert row["Video gắn nhãn AI"] == "1"
    assert table[table["Chủ đề"] != "Sáp nhập tỉnh, xã"]["Video gắn nhãn AI"].tolist() == ["0", "0", "0"]
    assert "Video gắn nhãn AI: số video TikTok tự gắn nhãn" in texts(at)
