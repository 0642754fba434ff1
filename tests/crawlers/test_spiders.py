"""Real Scrapy crawls (a subprocess per source, via `crawl_source`) against the replay server."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crawlers import replay
from crawlers.replay import Reply
from misinfo.crawl import crawl_all, crawl_source, read_crawl_runs
from misinfo.domain import Metrics
from misinfo.errors import CrawlBlocked
from misinfo.landing import LandingZone
from tests.crawlers.conftest import assert_every_field, crawl_settings, landed, vn_posts

pytestmark = [pytest.mark.slow, pytest.mark.integration]

TT = {"key": "tt-news", "platform": "tiktok", "handle": "tintuc.vn", "mode": "http"}  # browser mode: test_browser_mode.py
FB = {"key": "fb-news", "platform": "facebook", "handle": "trangtintuc", "obey_robots": False,
      "permission": "test fixture: local replay server"}  # fmt: skip


def tiktok_routes(posts, **kw):
    return {"/robots.txt": replay.robots_txt(False), **replay.tiktok_site("tintuc.vn", posts, **kw)}


def test_tiktok_profile_three_api_pages_every_field(tmp_path, serve):
    posts = vn_posts(40, platform="tiktok", author="tintuc.vn", start_id=7_300_000_000_000_000_000)
    server = serve(tiktok_routes(posts, nickname="Tin Tức Việt"))
    s = crawl_settings(tmp_path, [TT], tiktok_base_url=server.url)

    report = crawl_source(s, "tt-news")

    assert report.status == "ok" and report.pages == 4  # profile + 3 API pages (15+15+10)
    assert server.count("/api/creator/item_list/") == 3
    assert (report.items, report.new_items, report.blocks) == (40, 40, {})
    assert_every_field(landed(s), posts, base_url=server.url, source="tt-news", nickname="Tin Tức Việt")
    run = read_crawl_runs(s.home)[-1]
    assert (run.source, run.status, run.items, run.run_id) == ("tt-news", "ok", 40, report.run_id)


def test_second_crawl_adds_nothing_new_and_updates_counts(tmp_path, serve):
    posts = vn_posts(40, platform="tiktok", author="tintuc.vn", start_id=7_300_000_000_000_000_000)
    server = serve(tiktok_routes(posts))
    s = crawl_settings(tmp_path, [TT], tiktok_base_url=server.url, crawl_overlap_hours=20)
    crawl_source(s, "tt-news")

    bumped = [replace(p, metrics=Metrics(views=99_999, likes=(p.metrics.likes or 0) + 500, comments=7, shares=3)) for p in posts]
    server.update(tiktok_routes(bumped))
    api_before = server.count("/api/creator/item_list/")
    second = crawl_source(s, "tt-news")

    assert second.status == "ok" and second.new_items == 0 and second.items > 0
    # incremental: the newest post is T0-7min; overlap 20h reaches into page 2 (posts 15..29) and stops there
    assert server.count("/api/creator/item_list/") - api_before == 2
    latest: dict[str, object] = {}
    for p in landed(s):
        latest[p.post_id] = p.metrics
    assert latest[posts[0].post_id] == bumped[0].metrics
    assert latest[posts[19].post_id] == bumped[19].metrics
    assert latest[posts[39].post_id] == posts[39].metrics  # beyond the overlap: not re-read
    assert len(latest) == 40


def test_facebook_m_layout_three_pages_vietnamese_counts(tmp_path, serve):
    posts = vn_posts(25, platform="facebook", author="trangtintuc", start_id=10_000, likes0=1_200)
    posts[0] = replace(posts[0], metrics=Metrics(likes=15_300, comments=34, shares=5))  # shown "15,3 N lượt thích"
    routes = {"/robots.txt": replay.robots_txt(True),
              **replay.facebook_site("trangtintuc", posts, page_name="Trang Tin Tức Địa Phương")}  # fmt: skip
    server = serve(routes)
    s = crawl_settings(tmp_path, [FB], facebook_base_url=server.url)

    report = crawl_source(s, "fb-news")

    assert report.status == "ok" and report.pages == 3 and report.items == 25
    assert server.count("/page_content_list_view/more/") == 2
    got = {p.post_id: p for p in landed(s)}
    for want in posts:
        p = got[want.post_id]
        assert p.text == want.text and p.created_at == want.created_at.replace(microsecond=0)
        assert (p.metrics.likes, p.metrics.comments) == (want.metrics.likes, want.metrics.comments)
        assert p.metrics.shares == (want.metrics.shares or None)
        assert p.hashtags == want.hashtags
        assert p.author_name == "Trang Tin Tức Địa Phương"
    assert got["10000"].metrics.likes == 15_300


def test_facebook_www_layout_top_posts(tmp_path, serve):
    posts = vn_posts(6, platform="facebook", author="trangtintuc", start_id=555)
    posts = [replace(p, url=f"https://www.facebook.com/trangtintuc/posts/pfbid0{p.post_id}") for p in posts]
    server = serve({"/robots.txt": replay.robots_txt(True), **replay.facebook_site("trangtintuc", posts, layout="www")})
    s = crawl_settings(tmp_path, [FB], facebook_base_url=server.url)

    report = crawl_source(s, "fb-news")

    assert report.status == "ok" and report.pages == 1 and report.items == 6
    got = {p.post_id: p for p in landed(s)}
    assert got["555"].text == posts[0].text and got["555"].url == posts[0].url
    assert got["556"].metrics == Metrics(likes=37, comments=1, shares=1)
    assert got["555"].created_at == posts[0].created_at.replace(microsecond=0)


def test_robots_txt_obeyed_fetches_nothing_and_says_so(tmp_path, serve):
    posts = vn_posts(5, platform="facebook", author="trangtintuc", start_id=1)
    server = serve({"/robots.txt": replay.robots_txt(True), **replay.facebook_site("trangtintuc", posts)})
    src = {"key": "fb-news", "platform": "facebook", "handle": "trangtintuc"}
    s = crawl_settings(tmp_path, [src], facebook_base_url=server.url)

    with pytest.raises(CrawlBlocked) as err:
        crawl_source(s, "fb-news")

    assert "robots" in str(err.value) and "fb-news" in str(err.value) and "\n" not in str(err.value)
    assert server.hits == ["/robots.txt"]
    assert err.value.report.blocks == {"robots": 1} and err.value.report.pages == 0
    assert landed(s) == []


def _tiktok_block_routes(kind: str, posts):
    site = tiktok_routes(posts)
    api_pages = [k for k in site if k.startswith("/api/")]
    if kind in ("ip_blocked", "private_account", "not_found", "region"):
        code = {"ip_blocked": 10204, "private_account": 10222, "not_found": 10221, "region": 10231}[kind]
        site["/@tintuc.vn"] = Reply(200, replay.tiktok_profile_page("tintuc.vn", status_code=code))
    elif kind == "login_wall":
        site["/@tintuc.vn"] = replay.redirect("/login?redirect_url=%2F%40tintuc.vn")
        site["/login"] = Reply(200, "<html><title>Log in | TikTok</title></html>")
    elif kind == "challenge":
        site["/@tintuc.vn"] = Reply(200, replay.tiktok_challenge_page())
    elif kind == "layout_changed":
        site["/@tintuc.vn"] = Reply(200, "<html><body><div id='root'>new app shell</div></body></html>")
    elif kind == "api_empty":
        site[api_pages[1]] = Reply(200, "", "application/json")
    elif kind == "api_status":
        site[api_pages[1]] = Reply(200, '{"statusCode":-1}', "application/json")
    return site


@pytest.mark.parametrize(
    ("scenario", "kind", "items_before_block"),
    [
        ("ip_blocked", "ip_blocked", 0),
        ("private_account", "private_account", 0),
        ("not_found", "not_found", 0),
        ("region", "region", 0),
        ("login_wall", "login_wall", 0),
        ("challenge", "challenge", 0),
        ("layout_changed", "layout_changed", 0),
        ("api_empty", "api_empty", 15),
        ("api_status", "api_empty", 15),
    ],
)
def test_tiktok_block_kinds(tmp_path, serve, scenario, kind, items_before_block):
    posts = vn_posts(40, platform="tiktok", author="tintuc.vn", start_id=7_000)
    server = serve(_tiktok_block_routes(scenario, posts))
    s = crawl_settings(tmp_path, [TT], tiktok_base_url=server.url)

    with pytest.raises(CrawlBlocked) as err:
        crawl_source(s, "tt-news")

    report = err.value.report
    assert report.status == "blocked" and report.blocks == {kind: 1}
    assert f"blocked ({kind})" in str(err.value) and str(err.value).startswith("tt-news: ")
    assert report.items == items_before_block == len(landed(s))
    assert read_crawl_runs(s.home)[-1].blocks == {kind: 1}
    if kind == "layout_changed":  # the page that no longer parses is kept whole
        kept = list(LandingZone(s.home).iter_quarantine())
        assert len(kept) == 1 and "new app shell" in kept[0]["raw"] and "unrecognised" in kept[0]["reason"]


def test_blocked_midway_loses_nothing_next_run(tmp_path, serve):
    posts = vn_posts(40, platform="tiktok", author="tintuc.vn", start_id=7_000)
    server = serve(_tiktok_block_routes("api_empty", posts))
    s = crawl_settings(tmp_path, [TT], tiktok_base_url=server.url, crawl_overlap_hours=1)
    with pytest.raises(CrawlBlocked):
        crawl_source(s, "tt-news")
    server.update(tiktok_routes(posts))  # unblocked: the watermark did not move, so all pages are read again
    report = crawl_source(s, "tt-news")
    assert report.new_items == 25
    assert {p.post_id for p in landed(s)} == {p.post_id for p in posts}


def test_rate_limited_then_success_retries_with_nothing_lost(tmp_path, serve):
    posts = vn_posts(20, platform="tiktok", author="tintuc.vn", start_id=9_000)
    site = tiktok_routes(posts)
    first_api = next(k for k in site if k.startswith("/api/"))
    site[first_api] = [Reply(429, "slow down", "text/plain", {"Retry-After": "0"}), site[first_api]]
    server = serve(site)
    s = crawl_settings(tmp_path, [TT], tiktok_base_url=server.url)

    report = crawl_source(s, "tt-news")

    assert report.status == "ok" and report.items == 20 and report.http_errors == 1
    assert server.count("/api/creator/item_list/") == 3  # 429, retry, page 2


@pytest.mark.parametrize(
    ("scenario", "kind"),
    [
        ("blocked_vi", "temporarily_blocked"),
        ("blocked_en", "temporarily_blocked"),
        ("login", "login_wall"),
        ("checkpoint", "checkpoint"),
        ("storm", "server_error"),
        ("changed", "layout_changed"),
    ],
)
def test_facebook_block_kinds(tmp_path, serve, scenario, kind):
    posts = vn_posts(15, platform="facebook", author="trangtintuc", start_id=100)
    site = {"/robots.txt": replay.robots_txt(True), **replay.facebook_site("trangtintuc", posts)}
    second = next(k for k in site if k.startswith("/page_content_list_view/"))
    target = "/trangtintuc/posts/"
    if scenario == "blocked_vi":
        site[second] = Reply(200, replay.facebook_blocked_page("vi"))
        expected_items = 10
    else:
        expected_items = 0
        if scenario == "blocked_en":
            site[target] = Reply(200, replay.facebook_blocked_page("en"))
        elif scenario == "login":
            site[target] = replay.redirect("/login/?next=%2Ftrangtintuc")
            site["/login/"] = Reply(200, replay.facebook_login_page())
        elif scenario == "checkpoint":
            site[target] = replay.redirect("/checkpoint/?next")
            site["/checkpoint/"] = Reply(200, replay.facebook_checkpoint_page())
        elif scenario == "storm":
            site[target] = Reply(500, "Internal Server Error", "text/plain")
        elif scenario == "changed":
            site[target] = Reply(200, "<html><title>Trang</title><div class='x1n2onr6'>no posts here</div></html>")
    server = serve(site)
    s = crawl_settings(tmp_path, [FB], facebook_base_url=server.url)

    with pytest.raises(CrawlBlocked) as err:
        crawl_source(s, "fb-news")

    report = err.value.report
    assert report.blocks == {kind: 1} and report.status == "blocked"
    assert report.items == expected_items == len(landed(s))
    if scenario == "storm":
        assert server.count("/trangtintuc") == 3 and report.http_errors == 3  # first try + 2 retries
        assert "HTTP 500" in str(err.value)


def test_crawl_all_goes_on_past_a_blocked_source(tmp_path, serve):
    tt_posts = vn_posts(5, platform="tiktok", author="tintuc.vn", start_id=1)
    tt = serve(tiktok_routes(tt_posts))
    fb = serve({"/robots.txt": replay.robots_txt(True), **replay.facebook_site("trangtintuc", [])})
    blocked_fb = {"key": "fb-robots", "platform": "facebook", "handle": "trangtintuc"}
    off = {"key": "tt-off", "platform": "tiktok", "handle": "nobody", "enabled": False}
    s = crawl_settings(tmp_path, [blocked_fb, TT, off], tiktok_base_url=tt.url, facebook_base_url=fb.url)

    reports = crawl_all(s, progress=False)

    assert [(r.source, r.status) for r in reports] == [("fb-robots", "blocked"), ("tt-news", "ok")]
    assert len({r.run_id for r in reports}) == 1
    assert len(landed(s)) == 5


def test_parsed_nothing_from_a_page_that_used_to_parse_is_a_block(tmp_path, serve):
    posts = vn_posts(5, platform="tiktok", author="tintuc.vn", start_id=1)
    server = serve(tiktok_routes(posts))
    s = crawl_settings(tmp_path, [TT], tiktok_base_url=server.url)
    crawl_source(s, "tt-news")
    server.update(tiktok_routes([]))  # the list API now answers an empty, well-formed page

    with pytest.raises(CrawlBlocked) as err:
        crawl_source(s, "tt-news")

    assert err.value.report.blocks == {"layout_changed": 1}
    assert "parsed nothing from a page that gave 5 posts before" in str(err.value)
