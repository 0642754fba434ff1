"""The replay server serves routes by path+query (any order), sequences, redirects and 404s."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from crawlers.parsers.numbers import parse_count
from crawlers.replay import ReplayServer, Reply, build_sites, format_count_vi, redirect


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


@pytest.mark.integration
def test_routes_sequences_and_redirects():
    routes = {
        "/api/x?a=1&b=2": Reply(200, "exact"),
        "/api/x": Reply(200, "bare"),
        "/flaky": [Reply(429, "wait"), Reply(200, "Tiếng Việt")],
        "/old": redirect("/api/x?b=2&a=1"),
    }
    with ReplayServer(routes) as server:
        assert server.port > 0
        assert get(server.url + "/api/x?b=2&a=1") == (200, "exact")
        assert get(server.url + "/api/x?a=9") == (200, "bare")
        assert get(server.url + "/flaky") == (429, "wait")
        assert get(server.url + "/flaky") == (200, "Tiếng Việt")
        assert get(server.url + "/flaky") == (200, "Tiếng Việt")
        assert get(server.url + "/old") == (200, "exact")
        assert get(server.url + "/missing")[0] == 404
        assert server.count("/flaky") == 3


@pytest.mark.parametrize("n", [0, 7, 950, 1_200, 3_456, 9_999, 12_000, 15_300, 1_500_000, 2_000_000])
def test_vietnamese_count_format_round_trips(n):
    assert parse_count(format_count_vi(n)) == n


def test_build_sites_groups_posts_by_platform_and_author():
    from tests.crawlers.conftest import vn_posts

    posts = vn_posts(20, platform="tiktok", author="a", start_id=1) + vn_posts(25, platform="facebook", author="b", start_id=100)
    posts += vn_posts(5, platform="facebook", author="c", start_id=500)
    sites = build_sites(posts)
    assert sum(1 for k in sites["tiktok"] if k.startswith("/api/creator/item_list/")) == 2
    assert "/@a" in sites["tiktok"] and "/b/posts/" in sites["facebook"] and "/c/posts/" in sites["facebook"]
    more = [k for k in sites["facebook"] if k.startswith("/page_content_list_view/")]
    assert len(more) == 2 and len(set(more)) == 2  # b has 3 pages; page ids keep b's and c's apart
    assert "Disallow: /" in sites["facebook"]["/robots.txt"].data().decode()


@pytest.mark.integration
def test_live_list_api_answers_only_signed_requests_like_tiktok():
    from crawlers.replay import signature, tiktok_api_path, tiktok_site
    from tests.crawlers.conftest import vn_posts

    routes = tiktok_site("a", vn_posts(3, platform="tiktok", author="a", start_id=1), live=True)
    path = tiktok_api_path("MS4wa", 0, api="post")
    with ReplayServer(routes) as server:
        assert get(server.url + path) == (200, "")  # unsigned: 200 with an empty body
        assert get(server.url + path + "&X-Bogus=00000000") == (200, "")
        status, body = get(server.url + path + "&X-Bogus=" + signature(path))
        assert status == 200 and body.count('"desc"') == 3
        assert get(server.url + tiktok_api_path("MS4wa", 0))[1] == ""  # the creator API the HTTP spider calls, too
        page = get(server.url + "/@a")[1]
        assert '"/api/post/item_list/"' in page and "X-Bogus" in page  # the page's own script signs its requests
