"""Replay servers on port 0 and per-test settings pointing the real spiders at them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from crawlers.replay import ReplayServer, Route
from misinfo.domain import Metrics, Post
from misinfo.landing import LandingZone
from misinfo.settings import Settings
from misinfo.text import nfc
from tests.factories import T0


@pytest.fixture
def serve() -> Iterator[Callable[[Mapping[str, Route]], ReplayServer]]:
    servers: list[ReplayServer] = []

    def start(routes: Mapping[str, Route]) -> ReplayServer:
        server = ReplayServer(routes).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def crawl_settings(tmp_path: Path, sources: list[dict[str, Any]], **overrides: Any) -> Settings:
    """Settings for a test crawl: its own home and sources file, no throttling, fast backoff."""
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(sources, allow_unicode=True), encoding="utf-8")
    values: dict[str, Any] = {
        "home": tmp_path / "home",
        "sources": path,
        "crawl_throttle": False,
        "crawl_backoff": 0.05,
        "crawl_retries": 2,
        "crawl_timeout": 120,
    }
    values.update(overrides)
    return Settings(**values)


def landed(settings: Settings) -> list[Post]:
    return [line.post for line in LandingZone(settings.home).iter_posts() if line.post is not None]


def vn_posts(n: int, *, platform: str, author: str, start_id: int, likes0: int = 0) -> list[Post]:
    """Newest first, one hour apart, Vietnamese text with diacritics and hashtags."""
    texts = [
        "Thông tin sáp nhập tỉnh là giả mạo, đề nghị người dân cảnh giác #sapnhaptinh #tinda",
        "Cảnh báo lừa đảo giả danh công an gọi điện yêu cầu chuyển tiền #canhbao",
        "Đoàn công tác đi nước ngoài: chi phí bao nhiêu? #đoàncôngtác",
        "Bản tin sáng: thời tiết Hà Nội, giá vàng và giao thông",
    ]
    posts = []
    for i in range(n):
        text = texts[i % len(texts)] + f" (bài {i})"
        tags = tuple(t.lstrip("#") for t in text.split() if t.startswith("#"))
        posts.append(
            Post(
                platform=platform,
                post_id=str(start_id + i),
                source="ignored",
                url="",
                author=author,
                author_name="Trang Tin Tức Địa Phương",
                text=text,
                created_at=T0 - timedelta(hours=i, minutes=7, seconds=13),
                collected_at=T0,
                metrics=Metrics(views=10_000 + i, likes=likes0 + 37 * i, comments=i, shares=i % 5),
                hashtags=tags,
            )
        )
    return posts


def assert_every_field(got: list[Post], posts: list[Post], *, base_url: str, source: str, nickname: str) -> None:
    """Exactly these TikTok posts landed, each with every field as the site showed it."""
    by_id = {p.post_id: p for p in got}
    assert set(by_id) == {p.post_id for p in posts}
    for want in posts:
        p = by_id[want.post_id]
        assert p.text == nfc(want.text) and "sáp nhập" in by_id[posts[0].post_id].text
        assert p.created_at == want.created_at.replace(microsecond=0) and p.created_at.utcoffset() == timedelta(0)
        assert p.metrics == want.metrics
        assert p.hashtags == want.hashtags
        assert (p.author, p.author_name, p.source) == (want.author, nickname, source)
        assert p.url == f"{base_url}/@{want.author}/video/{want.post_id}"
