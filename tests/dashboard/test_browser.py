"""The dashboard in a real browser: `misinfo dashboard` on a free port, headless Debian Chromium.

Fixture posts go through the real pipeline (`import_posts` → landing zone → `process` with the
phrase rules of `nlp.rules`, so tags carry real evidence). Playwright drives /usr/bin/chromium
(never a downloaded browser) through login → Trends → Chủ đề → Tìm kiếm → Rà soát → Nguồn and
saves a PNG of each page under var/screenshots/ for a person to look at.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from misinfo.domain import Post, Tag, TaggedPost
from misinfo.settings import PROJECT_ROOT, Settings
from tests.dashboard.conftest import PASSWORDS, write_home

SHOTS = PROJECT_ROOT / "var" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip

pytestmark = pytest.mark.slow

TEXTS = [
    ("Danh sách sáp nhập tỉnh mới: tỉnh ta về với tỉnh bạn, trung tâm hành chính đặt ở thành phố cũ.", 2, 800),
    ("Cảnh báo thủ đoạn giả danh công an gọi video yêu cầu chuyển tiền để xác minh.", 4, 300),
    ("Lại có người giả danh công an lừa đảo chuyển khoản, bà con cảnh giác.", 7, 90),
    ("Đoàn cán bộ đi nước ngoài học tập kinh nghiệm, chi phí tiền tỷ?", 5, 120),
    ("Giá rau hôm nay ở chợ tăng nhẹ do mưa lớn.", 3, 10),
    # a week of history, so the chart and the baseline have something to compare with
    *((f"Bàn tán chuyện sáp nhập tỉnh, ngày thứ {d}.", 24 * d + 3, 5 * d) for d in range(1, 8)),
]


SPOKEN = "Alo, tôi là cán bộ công an, anh chuyển tiền vào tài khoản này để phục vụ điều tra, không được báo ai"


class RulesStage:
    """Tags posts with the taxonomy's phrase rules (the NLP stage's first step), evidence included."""

    version = "rules-browser-test"

    def __init__(self, settings: Settings) -> None:
        from nlp.normalize import normalize
        from nlp.rules import Rules
        from nlp.taxonomy import load_taxonomy

        self.normalize = normalize
        self.rules = Rules(load_taxonomy(settings.narratives))

    def __call__(self, posts: list[Post]) -> list[TaggedPost]:
        out = []
        for p in posts:
            verdicts = self.rules.match(self.normalize(p.text).text)
            tags = tuple(
                Tag(n, round(r.score, 3), tuple(r.evidence))
                for n, r in verdicts.items()
                if r.score >= 0.5 and not r.excluded
            )
            out.append(TaggedPost(post=p, tags=tags, model_version=self.version))
        return out


def build_home(home: Path) -> None:
    from misinfo.pipeline import PassThrough, import_posts, make_stage, process
    from misinfo.store.sqlite import SqliteStore

    write_home(home, posts=[])  # users, sources, crawl-health log; an empty store
    now = datetime.now(UTC)
    export = home / "export.jsonl"
    with open(export, "w", encoding="utf-8") as fh:
        for i, (text, hours, likes) in enumerate(TEXTS):
            record = {"platform": "tiktok" if i % 2 == 0 else "facebook", "post_id": f"b{i}",
                      "source": "vtv24-tiktok" if i % 2 == 0 else "thongtinchinhphu-fb",
                      "url": f"https://example.test/p/b{i}", "author": f"acc{i}", "author_name": f"Acc {i}",
                      "text": text, "created_at": (now - timedelta(hours=hours)).isoformat(),
                      "metrics": {"likes": likes, "comments": 3, "shares": 1}}  # fmt: skip
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        video = {"platform": "tiktok", "post_id": "bv", "source": "vtv24-tiktok", "url": "https://example.test/p/bv",
                 "author": "acc.video", "author_name": "Acc Video", "text": "Xem hết video nhé mọi người",
                 "transcript": {"text": SPOKEN, "language": "vie-VN", "source": "ASR"}, "aigc": True,
                 "aigc_description": "Nhà sáng tạo đã gắn nhãn", "created_at": (now - timedelta(hours=1)).isoformat(),
                 "metrics": {"likes": 40}}  # fmt: skip
        fh.write(json.dumps(video, ensure_ascii=False) + "\n")
    report = import_posts(home, export)
    assert report.imported == len(TEXTS) + 1
    settings = Settings(home=home)
    stage = make_stage(settings)
    if isinstance(stage, PassThrough):  # until the NLP stage is wired into the pipeline
        stage = RulesStage(settings)
    store = SqliteStore(home / "store.sqlite3")
    try:
        processed = process(home, store, stage, progress=False)
    finally:
        store.close()
    assert processed.indexed == len(TEXTS) + 1 and processed.per_narrative.get("scam_extortion") == 3  # the video too
    assert processed.per_narrative.get("province_merger") == 8


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(home: Path) -> Iterator[str]:
    build_home(home)
    port = free_port()
    env = {**os.environ, "MISINFO_HOME": str(home), "MISINFO_SOURCES": str(home / "sources.yaml")}
    misinfo = Path(sys.executable).with_name("misinfo")
    log = open(home / "dashboard.log", "wb")  # noqa: SIM115  (closed below)
    proc = subprocess.Popen(
        [str(misinfo), "dashboard", "--port", str(port), "--host", "127.0.0.1"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("dashboard did not start:\n" + (home / "dashboard.log").read_text())
            time.sleep(0.3)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def shot(page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its main block, so grow the viewport to fit it first."""
    page.wait_for_timeout(500)  # let charts finish drawing
    height = page.evaluate("document.querySelector('[data-testid=stMain]')?.scrollHeight || 1000")
    page.set_viewport_size({"width": 1400, "height": min(max(int(height) + 40, 1000), 8000)})
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / name), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})


def test_login_trends_search_in_chromium(chromium: Path, server: str, home: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=30_000)  # a shared CI machine can be slow to start the first session
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
            page.set_default_timeout(30_000)
            page.goto(server)
            expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
            page.get_by_label("Tên đăng nhập").fill("lan")
            page.get_by_label("Mật khẩu").fill("sai-mat-khau")
            page.get_by_role("button", name="Đăng nhập").click()
            expect(page.get_by_text("Sai tên đăng nhập hoặc mật khẩu.")).to_be_visible()
            shot(page, "01-login.png")

            page.get_by_label("Mật khẩu").fill(PASSWORDS["lan"])
            page.get_by_role("button", name="Đăng nhập").click()
            expect(page.get_by_role("heading", name="Xu hướng")).to_be_visible()
            expect(page.get_by_text("Bài trong 24 giờ")).to_be_visible()
            expect(page.get_by_text("Số bài theo chủ đề")).to_be_visible()
            expect(page.locator("[data-testid='stVegaLiteChart'], .vega-embed").first).to_be_visible()
            for label in ("Chủ đề", "Tìm kiếm", "Rà soát", "Nguồn", "Bài trong 7 ngày", "Số liệu theo chủ đề",
                          "Nội dung sao chép hàng loạt", "Tài khoản mới xuất hiện theo chủ đề", "Đăng xuất"):
                expect(page.locator("body")).to_contain_text(label)
            shot(page, "02-trends.png")

            page.get_by_role("link", name="Chủ đề").click()
            expect(page.get_by_role("heading", name="Diễn biến theo thời gian")).to_be_visible()
            shot(page, "03-narrative.png")

            page.get_by_role("link", name="Tìm kiếm").click()
            page.get_by_label("Từ khoá", exact=True).and_(page.get_by_role("textbox")).fill("gia danh cong an")
            page.get_by_role("button", name="Tìm kiếm").click()
            expect(page.get_by_text("Tìm thấy 2 bài", exact=False)).to_be_visible()
            marked = page.locator("mark")
            expect(marked.first).to_be_visible()
            assert {m.lower() for m in marked.all_inner_texts()} >= {"giả", "danh", "công", "an"}
            # Streamlit renders the hits one by one: wait for the text rather than read a half-drawn page
            expect(page.locator("body")).to_contain_text("Cảnh báo thủ đoạn giả danh công an gọi video")
            expect(page.locator("body")).to_contain_text("Lại có người giả danh công an lừa đảo")
            expect(page.locator("body")).not_to_contain_text("Giá rau")
            expect(page.get_by_role("button", name="Tải xuống CSV tất cả 2 bài")).to_be_visible()
            shot(page, "04-search.png")

            # a video found by what it says: its transcript opens under the caption, the words marked
            page.get_by_label("Từ khoá", exact=True).and_(page.get_by_role("textbox")).fill("phuc vu dieu tra")
            page.get_by_role("button", name="Tìm kiếm").click()
            expect(page.get_by_text("Tìm thấy 1 bài", exact=False)).to_be_visible()
            expect(page.locator("body")).to_contain_text("Xem hết video nhé mọi người")
            spoken = page.get_by_test_id("stExpander").filter(has_text="Lời thoại trong video")
            expect(spoken).to_contain_text("nhận dạng giọng nói của TikTok, vie-VN")
            expect(spoken.locator("mark").first).to_be_visible()  # opened, because the words matched there
            assert {m.lower() for m in spoken.locator("mark").all_inner_texts()} >= {"phục", "vụ", "điều", "tra"}
            expect(page.locator("body")).to_contain_text("Nhãn của TikTok «nội dung do AI tạo ra»")
            shot(page, "04b-search-transcript.png")

            page.get_by_role("link", name="Rà soát").click()
            expect(page.get_by_role("button", name="Lưu kết luận").first).to_be_visible()
            shot(page, "05-review.png")

            page.get_by_role("link", name="Nguồn").click()
            expect(page.get_by_text("1 nguồn đang bị chặn", exact=False)).to_be_visible()
            expect(page.get_by_role("heading", name="Tài khoản mới xuất hiện theo chủ đề")).to_be_visible()
            shot(page, "06-sources.png")
        finally:
            browser.close()
    from misinfo.audit import read_audit

    actions = [(r["who"], r["action"]) for r in read_audit(home)]
    assert ("lan", "login_failed") in actions and ("lan", "login") in actions and ("lan", "search") in actions


def test_an_alert_link_opened_before_login_shows_that_alert_after_it(chromium: Path, server: str, home: Path) -> None:
    """The link in an alert's email or Telegram message: log in, then the alert and exactly its posts."""
    from urllib.parse import quote

    from playwright.sync_api import expect, sync_playwright

    from misinfo.alerts.rules import load_rules
    from misinfo.alerts.state import log_event, make_alert
    from misinfo.settings import CONFIG_DIR

    rule = load_rules(CONFIG_DIR / "alerts.yaml").rule("narrative-burst")
    at = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    numbers = {"count": 9, "baseline": 1.5, "score": 4.2, "growth": None, "engagement": 900, "window_hours": 3,
               "threshold": 3.0}  # fmt: skip
    alert = make_alert(rule, "province_merger", "Sáp nhập tỉnh, xã", at, numbers, [], ["tiktok:b0", "facebook:b1"],
                       ["email-desk"])  # fmt: skip
    log_event(home, "fired", alert=alert.to_json())
    log_event(home, "sent", alert=alert.id, channel="email-desk", detail="<x@example>")
    SHOTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=30_000)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="vi-VN")
            page.set_default_timeout(30_000)
            page.goto(f"{server}/alerts?id={quote(alert.id, safe='')}")
            expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
            page.get_by_label("Tên đăng nhập").fill("lan")
            page.get_by_label("Mật khẩu").fill(PASSWORDS["lan"])
            page.get_by_role("button", name="Đăng nhập").click()
            expect(page.get_by_text("Chủ đề «Sáp nhập tỉnh, xã» tăng đột biến", exact=False)).to_be_visible()
            expect(page.locator("body")).to_contain_text("Kênh email-desk: đã gửi")
            expect(page.locator("body")).to_contain_text("Danh sách sáp nhập tỉnh mới")  # b0
            expect(page.locator("body")).to_contain_text("Cảnh báo thủ đoạn giả danh công an")  # b1
            expect(page.locator("body")).not_to_contain_text("Giá rau")  # not one of its posts
            shot(page, "07-alert.png")
        finally:
            browser.close()
