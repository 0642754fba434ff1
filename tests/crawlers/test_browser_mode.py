"""Browser mode, for real: Scrapy + scrapy-playwright driving Debian's headless Chromium (/usr/bin/chromium)
against the replay site in its `live` form, where the list APIs answer only requests signed by the
page's own script (200 with an empty body otherwise), as tiktok.com does today.

Each crawl runs in its own process through `crawl_all`, exactly as `misinfo crawl` runs it.
"""

from __future__ import annotations

import stat
from dataclasses import replace

import pytest

from crawlers import replay
from crawlers.replay import Reply
from misinfo.crawl import crawl_all
from misinfo.domain import Metrics
from misinfo.pipeline import PassThrough, process
from misinfo.store.base import SearchQuery
from misinfo.store.sqlite import SqliteStore
from tests.crawlers.conftest import assert_every_field, crawl_settings, landed, vn_posts

pytestmark = [pytest.mark.slow, pytest.mark.integration]

NEWS = "tintuc.vn"
QUERY = '"sáp nhập tỉnh" tin giả'


def tiktok(key: str, **fields: str) -> dict[str, str]:
    return {"key": key, "platform": "tiktok", **fields}


def by_source(reports):  # type: ignore[no-untyped-def]
    return {r.source: r for r in reports}


def test_auto_mode_captures_the_pages_own_api_answers_where_plain_http_gets_api_empty(tmp_path, serve):
    posts = vn_posts(40, platform="tiktok", author=NEWS, start_id=7_300_000_000_000_000_000)
    server = serve({"/robots.txt": replay.robots_txt(False),
                    **replay.tiktok_site(NEWS, posts, nickname="Tin Tức Việt", live=True)})  # fmt: skip
    sources = [tiktok("tt-auto", handle=NEWS), tiktok("tt-http", handle=NEWS, mode="http")]
    s = crawl_settings(tmp_path, sources, tiktok_base_url=server.url)

    reports = by_source(crawl_all(s, progress=False))

    auto, http = reports["tt-auto"], reports["tt-http"]
    assert (auto.status, auto.mode, auto.fallback) == ("ok", "browser", "api_empty: empty body")
    assert "in the browser" in auto.message and auto.blocks == {}
    # HTTP: profile + the refused API call; browser: the page + the 3 list answers it fetched while scrolling
    assert (auto.items, auto.new_items, auto.pages) == (40, 40, 6)
    signed = [t for t in server.hits if t.startswith("/api/post/item_list/")]
    assert len(signed) == 3 and all("&X-Bogus=" in t for t in signed)
    agents = {ua for t, ua in server.agents if t in signed}
    assert len(agents) == 1 and all("HeadlessChrome/" in ua and ua.endswith(s.user_agent) for ua in agents)
    assert_every_field([p for p in landed(s) if p.source == "tt-auto"], posts,
                       base_url=server.url, source="tt-auto", nickname="Tin Tức Việt")  # fmt: skip

    assert (http.status, http.mode, http.blocks, http.items) == ("blocked", "http", {"api_empty": 1}, 0)
    assert http.message.startswith("tt-http: blocked (api_empty)") and "empty body" in http.message
    assert not [p for p in landed(s) if p.source == "tt-http"]


def test_hashtag_and_search_sources_land_posts_merged_with_the_profiles(tmp_path, serve):
    profile = vn_posts(20, platform="tiktok", author=NEWS, start_id=5_000)
    tagged = [p for p in profile if "sapnhaptinh" in p.hashtags]
    newcomer = vn_posts(12, platform="tiktok", author="acc.moi", start_id=6_000)
    other = [replace(p, metrics=Metrics(views=50, likes=1, comments=0, shares=0))
             for p in vn_posts(8, platform="tiktok", author="acc.khac", start_id=6_500)]  # fmt: skip
    plain_tag = vn_posts(4, platform="tiktok", author="acc.moi", start_id=6_800)
    routes = {
        "/robots.txt": replay.robots_txt(False),
        **replay.tiktok_site(NEWS, profile, live=True),
        **replay.tiktok_tag_site("sapnhaptinh", tagged + newcomer, live=True),
        **replay.tiktok_search_site(QUERY, tagged[:3] + newcomer[:4] + other, live=True),
        **replay.tiktok_tag_site("tinnong", plain_tag),  # an older site's hashtag API: plain HTTP still works
    }
    server = serve(routes)
    sources = [tiktok("tt-profile", handle=NEWS), tiktok("tt-tag", kind="hashtag", handle="#sapnhaptinh"),
               tiktok("tt-search", kind="search", query=QUERY),
               tiktok("tt-tag-http", kind="hashtag", handle="tinnong", mode="http")]  # fmt: skip
    s = crawl_settings(tmp_path, sources, tiktok_base_url=server.url)

    reports = by_source(crawl_all(s, progress=False))

    assert {k: (r.status, r.mode, r.items) for k, r in reports.items()} == {
        "tt-profile": ("ok", "browser", 20), "tt-tag": ("ok", "browser", 17), "tt-search": ("ok", "browser", 15),
        "tt-tag-http": ("ok", "http", 4)}  # fmt: skip
    assert server.count("/api/challenge/item_list/") == 1 + 2 + 1  # refused HTTP try, 2 signed pages; 1 plain
    assert server.count("/api/search/item/full/") == 1 + 1  # refused HTTP try, then one signed page of 15
    assert_every_field([p for p in landed(s) if p.source == "tt-tag"], tagged + newcomer,
                       base_url=server.url, source="tt-tag", nickname="Trang Tin Tức Địa Phương")  # fmt: skip

    store = SqliteStore(tmp_path / "store.sqlite3")
    process(s.home, store, PassThrough(), progress=False)
    assert store.stats().posts == 20 + 12 + 8 + 4  # a post found by several sources is one post
    both = store.get(f"tiktok:{tagged[0].post_id}")
    assert both is not None and both.post.sources == ("tt-profile", "tt-search", "tt-tag")
    assert store.get(f"tiktok:{tagged[-1].post_id}").post.sources == ("tt-profile", "tt-tag")  # type: ignore[union-attr]
    assert dict(store.facets(SearchQuery(), "source")) == {"tt-profile": 20, "tt-tag": 17, "tt-search": 15,
                                                           "tt-tag-http": 4}  # fmt: skip
    assert store.search(SearchQuery(sources=("tt-tag",), platforms=("tiktok",))).total == 17
    store.close()


def test_challenge_and_login_wall_in_the_browser_are_blocks_of_their_kind(tmp_path, serve):
    posts = vn_posts(5, platform="tiktok", author="bi.chan", start_id=1)
    routes = {"/robots.txt": replay.robots_txt(False), **replay.tiktok_site("bi.chan", posts, live=True),
              **replay.tiktok_login_wall("/@phai.dang.nhap")}  # fmt: skip
    routes["/@bi.chan"] = Reply(200, replay.tiktok_challenge_page())
    server = serve(routes)
    sources = [tiktok("tt-challenge", handle="bi.chan"), tiktok("tt-login", handle="phai.dang.nhap", mode="browser")]
    s = crawl_settings(tmp_path, sources, tiktok_base_url=server.url)

    reports = by_source(crawl_all(s, progress=False))

    challenge, login = reports["tt-challenge"], reports["tt-login"]
    assert (challenge.status, challenge.mode, challenge.blocks) == ("blocked", "browser", {"challenge": 1})
    assert challenge.fallback.startswith("challenge") and "blocked (challenge) in the browser" in challenge.message
    assert (login.status, login.mode, login.blocks) == ("blocked", "browser", {"login_wall": 1})
    assert login.message.startswith("tt-login: blocked (login_wall) in the browser") and login.items == 0
    assert server.count("/login") == 1  # the browser followed the redirect, saw the login page, and stopped
    assert landed(s) == []


@pytest.mark.parametrize("broken", ["missing", "crashing"])
def test_chromium_missing_or_crashing_is_one_line_and_other_sources_still_run(tmp_path, serve, broken):
    browser_posts = vn_posts(5, platform="tiktok", author=NEWS, start_id=1)
    plain_posts = vn_posts(5, platform="tiktok", author="trang.khac", start_id=100)
    server = serve({"/robots.txt": replay.robots_txt(False), **replay.tiktok_site(NEWS, browser_posts, live=True),
                    **replay.tiktok_site("trang.khac", plain_posts)})  # fmt: skip
    chromium = tmp_path / "no-such-dir" / "chromium"
    if broken == "crashing":  # a "Chromium" that dies at once, as a broken install or a crash at start does
        chromium = tmp_path / "chromium"
        chromium.write_text("#!/bin/sh\necho 'Segmentation fault (core dumped)' >&2\nexit 139\n")
        chromium.chmod(chromium.stat().st_mode | stat.S_IXUSR)
    sources = [tiktok("tt-browser", handle=NEWS, mode="browser"), tiktok("tt-plain", handle="trang.khac")]
    s = crawl_settings(tmp_path, sources, tiktok_base_url=server.url, crawl_browser_path=str(chromium))

    reports = by_source(crawl_all(s, progress=False))

    bad = reports["tt-browser"]
    assert bad.status == "error" and bad.mode == "browser" and bad.items == 0
    assert bad.message.startswith("tt-browser: browser mode: Chromium at ") and str(chromium) in bad.message
    assert "MISINFO_CRAWL_BROWSER_PATH" in bad.message and "\n" not in bad.message
    assert (reports["tt-plain"].status, reports["tt-plain"].items) == ("ok", 5)
    assert {p.source for p in landed(s)} == {"tt-plain"}


def test_the_page_cannot_make_the_browser_reach_private_addresses(tmp_path, serve, monkeypatch):
    """The real site's base URL (http://www.tiktok.com), reached through an HTTP proxy (the replay server) by
    Scrapy and Chromium alike, as in test_guard.py; the page's own script tries loopback and link-local."""
    posts = vn_posts(5, platform="tiktok", author=NEWS, start_id=8_100)
    server = serve({})
    routes = {"/robots.txt": replay.robots_txt(False), **replay.tiktok_site(NEWS, posts, live=True)}
    profile = routes[f"/@{NEWS}"]
    assert isinstance(profile, Reply)
    steer = (f'<script>fetch("http://127.0.0.1:{server.port}/leak-loopback").catch(function(){{}});'
             'fetch("http://169.254.169.254/latest/meta-data/").catch(function(){});</script></body>')
    routes[f"/@{NEWS}"] = replace(profile, body=str(profile.body).replace("</body>", steer))
    server.update(routes)
    monkeypatch.setenv("http_proxy", server.url)
    monkeypatch.delenv("no_proxy", raising=False)
    s = crawl_settings(tmp_path, [tiktok("tt-web", handle=NEWS, mode="browser")], tiktok_base_url="http://www.tiktok.com")

    [report] = crawl_all(s, progress=False)

    assert server.hits[0].startswith("http://www.tiktok.com/")  # the real site's URLs, through the proxy
    signed = [h for h in server.hits if "/api/post/item_list/" in h]
    assert signed, server.hits  # the page did load its list: Chromium went through the proxy
    assert not [h for h in server.hits if "leak" in h or "169.254" in h]  # nothing reached either address
    assert report.status == "blocked" and report.blocks == {"refused": 2}
    assert "127.0.0.1 is a loopback address" in report.message or "169.254.169.254 is a link-local" in report.message
    assert len(landed(s)) == 5  # what the page had is kept
