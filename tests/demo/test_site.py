"""The demo site: the crawler's own parsers read back every post from the pages it serves."""

from __future__ import annotations

import urllib.request

import pytest

from crawlers.parsers import facebook, tiktok
from misinfo.demo.content import DEMO_NOTE
from misinfo.demo.site import serve
from misinfo.schema import post_from_record
from misinfo.text import nfc


@pytest.fixture(scope="module")
def site(world):  # type: ignore[no-untyped-def]
    server = serve(world)
    yield server
    server.stop()


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode("utf-8")


def crawl_by_hand(site, source) -> list:  # type: ignore[no-untyped-def]
    """Follow a source's pages the way the spiders do, with the pure parsers."""
    kw = {"source": source.key, "base_url": site.url, "collected_at": "2026-11-02T04:00:00+00:00"}
    records = []
    if source.platform == "tiktok":
        profile = tiktok.parse_profile(get(f"{site.url}/@{source.handle}"), f"{site.url}/@{source.handle}", **kw)
        assert profile.block is None
        cursor = "0"
        while True:
            url = f"{site.url}/api/creator/item_list/?secUid={profile.info['secUid']}&count=15&cursor={cursor}"
            page = tiktok.parse_item_list(get(url), url, **kw)
            records += page.records
            if not page.has_more:
                return records
            cursor = page.next_cursor
    url = site.url + facebook.page_path(source.handle)
    while url:
        page = facebook.parse_page(get(url), url, handle=source.handle, **kw)
        assert page.block is None
        records += page.records
        url = page.next_url
    return records


def test_every_source_reads_back_whole_through_the_parsers(site, world) -> None:
    for source in world.sources:
        if source.blocked:
            continue
        posts = {p.post_id: p for p in world.posts[source.key]}
        got = [post_from_record(r) for r in crawl_by_hand(site, source)]
        assert {p.post_id for p in got} == set(posts), source.key
        for p in got:
            want = posts[p.post_id]
            assert (p.text, p.created_at, p.author) == (nfc(want.text), want.created_at, source.handle)
            assert p.metrics.likes == want.metrics.likes


def test_the_blocked_source_answers_statuscode_10204(site, world) -> None:
    (blocked,) = world.blocked
    url = f"{site.url}/@{blocked.handle}"
    result = tiktok.parse_profile(get(url), url, source=blocked.key, base_url=site.url, collected_at="x")
    assert result.block is not None and result.block.kind == "ip_blocked"


def test_robots_allows_the_demo_pages_and_every_page_says_it_is_simulated(site, world) -> None:
    robots = get(f"{site.url}/robots.txt")
    assert "Disallow: /\n" not in robots
    for source in world.sources:
        path = f"/@{source.handle}" if source.platform == "tiktok" else facebook.page_path(source.handle)
        assert DEMO_NOTE in get(site.url + path), source.key
    post = world.posts["tin-nhanh-tt"][0]
    assert DEMO_NOTE in get(f"{site.url}/@tinnhanh.mophong/video/{post.post_id}")  # links open, marked too
    fb = world.posts["cong-dong-fb"][0]
    assert DEMO_NOTE in get(f"{site.url}/congdongphomoimophong/posts/{fb.post_id}")
