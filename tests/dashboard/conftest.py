"""Fixture data for the dashboard tests: a home with tagged posts, users, sources and crawl runs.

Posts are written into a real SQLite store; tags carry evidence as the NLP stage records it; the
users file holds real bcrypt hashes (low cost factor, only to keep the tests fast).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.auth import User, hash_password, save_users
from misinfo.domain import ClaimMatch, Evidence, Metrics, Post, Tag, TaggedPost
from misinfo.settings import PROJECT_ROOT
from misinfo.state import append_jsonl
from misinfo.store.sqlite import SqliteStore

APP = PROJECT_ROOT / "dashboard" / "streamlit_app.py"
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
PASSWORDS = {"lan": "mat-khau-lan", "minh": "mat-khau-minh", "admin": "mat-khau-admin"}
ROLES = {"lan": "analyst", "minh": "viewer", "admin": "admin"}


def tagged(
    post_id: str,
    text: str,
    *,
    hours_ago: float,
    narratives: dict[str, float] | None = None,
    evidence: dict[str, tuple[str, ...]] | None = None,
    claims: tuple[str, ...] = (),
    source: str = "vtv24-tiktok",
    platform: str = "tiktok",
    author: str = "acc1",
    likes: int = 10,
    dup_group: str | None = None,
    hashtags: tuple[str, ...] = (),
) -> TaggedPost:
    created = NOW - timedelta(hours=hours_ago)
    tags = tuple(
        Tag(n, score, tuple(Evidence("phrase", e, 1.0) for e in (evidence or {}).get(n, ())))
        for n, score in (narratives or {}).items()
    )
    return TaggedPost(
        post=Post(
            platform=platform,
            post_id=post_id,
            source=source,
            url=f"https://example.test/{platform}/{post_id}",
            author=author,
            author_name=author,
            text=text,
            created_at=created,
            collected_at=NOW,
            metrics=Metrics(views=100, likes=likes, comments=1, shares=2),
            hashtags=hashtags,
        ),
        tags=tags,
        claims=tuple(ClaimMatch(c, 0.8) for c in claims),
        dup_group=dup_group,
        model_version="test",
    )


def fixture_posts() -> list[TaggedPost]:
    posts = [
        tagged("m1", "Lan truyền danh sách sáp nhập tỉnh mới, trung tâm hành chính đặt tại thành phố.",
               hours_ago=2, narratives={"province_merger": 0.95},
               evidence={"province_merger": ("sáp nhập tỉnh", "trung tâm hành chính")},
               claims=("fake-63-to-31-list",), likes=500, hashtags=("sapnhap",)),
        tagged("m2", "Cảnh báo: giả danh công an gọi video yêu cầu chuyển tiền <script>alert(1)</script>",
               hours_ago=5, narratives={"scam_extortion": 0.7}, evidence={"scam_extortion": ("giả danh công an",)},
               source="thongtinchinhphu-fb", platform="facebook", likes=50),
        tagged("m3", "Tin đồn sáp nhập xã: người dân phải đổi sổ đỏ ngay", hours_ago=30,
               narratives={"province_merger": 0.6}, evidence={"province_merger": ("sáp nhập xã",)}, likes=5),
        tagged("m4", "Thời tiết hôm nay nắng đẹp, không liên quan chủ đề nào.", hours_ago=1, likes=1),
        tagged("m5", "Đoàn cán bộ đi nước ngoài tốn tiền tỷ", hours_ago=3,
               narratives={"leadership_travel_spending": 0.85},
               evidence={"leadership_travel_spending": ("đi nước ngoài", "tiền tỷ")}, likes=80),
    ]
    # a copy-paste group: the same text from several accounts on both platforms in the last hours
    # (a rise carried by one source alone would not be "rising")
    for i in range(6):
        where = {"source": "thongtinchinhphu-fb", "platform": "facebook"} if i % 2 else {}
        posts.append(
            tagged(f"c{i}", "CHIA SẺ NGAY: danh sách sáp nhập tỉnh chính thức!!!", hours_ago=1 + i * 0.5,
                   narratives={"province_merger": 0.8}, evidence={"province_merger": ("sáp nhập tỉnh",)},
                   author=f"acc{10 + i}", dup_group="g-copy", likes=3, **where)
        )
    # a week of history so the Trends page has a baseline
    for d in range(1, 8):
        posts.append(tagged(f"h{d}", "Bài cũ về sáp nhập tỉnh", hours_ago=24 * d + 2,
                            narratives={"province_merger": 0.9}, likes=2))
    return posts  # fmt: skip


SOURCES_YAML = """\
- key: vtv24-tiktok
  platform: tiktok
  handle: vtv24news
  label: VTV24 (TikTok)
- key: thongtinchinhphu-fb
  platform: facebook
  handle: thongtinchinhphu
  label: Thông tin Chính phủ (Facebook)
"""


def crawl_run(source: str, platform: str, status: str, hours_ago: float, **extra: object) -> dict[str, object]:
    started = NOW - timedelta(hours=hours_ago)
    record: dict[str, object] = {
        "run_id": f"run-{source}-{hours_ago}",
        "source": source,
        "platform": platform,
        "started_at": started.isoformat(),
        "finished_at": (started + timedelta(minutes=2)).isoformat(),
        "status": status,
        "message": f"{source}: {status}",
        "items": 0,
        "new_items": 0,
        "pages": 1,
        "blocks": {},
        "parse_errors": 0,
        "http_errors": 0,
        "quarantined": 0,
        "log": "",
    }
    record.update(extra)
    return record


def write_home(home: Path, posts: list[TaggedPost] | None = None) -> None:
    home.mkdir(parents=True, exist_ok=True)
    store = SqliteStore(home / "store.sqlite3")
    try:
        store.upsert(fixture_posts() if posts is None else posts)
    finally:
        store.close()
    save_users(
        home / "users.yaml",
        {u: User(u, ROLES[u], u.title(), hash_password(pw, rounds=4)) for u, pw in PASSWORDS.items()},
    )
    (home / "sources.yaml").write_text(SOURCES_YAML, encoding="utf-8")
    runs = home / "crawl_runs.jsonl"
    append_jsonl(runs, crawl_run("vtv24-tiktok", "tiktok", "ok", 30, items=20, new_items=5))
    append_jsonl(runs, crawl_run("vtv24-tiktok", "tiktok", "ok", 6, items=18, new_items=3, mode="browser",
                                 fallback="api_empty: empty body", transcripts={"fetched": 2, "expired": 1}))
    append_jsonl(runs, crawl_run("thongtinchinhphu-fb", "facebook", "ok", 30, items=12, new_items=12))
    append_jsonl(runs, crawl_run("thongtinchinhphu-fb", "facebook", "blocked", 6, blocks={"robots": 1}, mode="http",
                                 message="thongtinchinhphu-fb: blocked (robots): robots.txt disallows"))  # fmt: skip


@pytest.fixture
def dash_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_home(home)
    monkeypatch.setenv("MISINFO_SOURCES", str(home / "sources.yaml"))
    return home


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """Streamlit caches live for the process; each test starts from its own store."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def app(user: str | None = None) -> AppTest:
    """The app, signed in as `user` (None: at the login page)."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    if user is not None:
        at.session_state["user"] = User(user, ROLES.get(user, "analyst"), user.title())
    return at
