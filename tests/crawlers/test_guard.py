"""A crawler that cannot be steered: where a request may go, page and item size limits.

The end-to-end tests crawl a *real-site* base URL (`http://www.facebook.com`) with the real spider in
a real Scrapy process. This machine has no internet, so Scrapy reaches that site through an HTTP
proxy (its own HttpProxyMiddleware, `http_proxy`): the local replay server, which answers for
www.facebook.com. The host guard sees the real URLs, as it would on the internet.
"""

from __future__ import annotations

import ipaddress
from dataclasses import replace

import pytest

from crawlers import replay
from crawlers.middlewares import platform_hosts, refusal
from crawlers.replay import Reply
from misinfo.crawl import crawl_source, read_crawl_runs
from misinfo.errors import CrawlBlocked
from misinfo.landing import LandingZone
from misinfo.schema import MAX_TEXT_CHARS
from tests.crawlers.conftest import crawl_settings, landed, vn_posts

FB_HOSTS = platform_hosts("https://www.facebook.com")
MEDIA = ["*.tiktokcdn.com", "*.fbcdn.net"]


def no_dns(host: str) -> list:  # type: ignore[type-arg]
    raise AssertionError(f"{host} was looked up")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://127.0.0.1:8080/admin", "127.0.0.1 is a loopback address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "is a loopback address"),
        ("http://10.1.2.3/", "10.1.2.3 is a private address"),
        ("http://192.168.1.1/", "is a private address"),
        ("https://evil.example/phish", "evil.example is not the platform's host"),
        ("https://facebook.com.evil.example/", "is not the platform's host"),
        ("javascript:alert(1)", "scheme 'javascript' is not http(s)"),
        ("file:///etc/passwd", "scheme 'file'"),
    ],
)
def test_refused(url: str, why: str) -> None:
    assert why in (refusal(url, hosts=FB_HOSTS, media=MEDIA, allow_private=False, addresses=no_dns) or "")


@pytest.mark.parametrize(
    "url",
    ["https://www.facebook.com/trang", "https://m.facebook.com/trang?p=2", "https://facebook.com/x",
     "https://scontent.xx.fbcdn.net/v/t1/a.jpg", "https://v16.tiktokcdn.com/caption.vtt"],
)
def test_allowed(url: str) -> None:
    public = [ipaddress.ip_address("157.240.1.35")]
    assert refusal(url, hosts=FB_HOSTS, media=MEDIA, allow_private=False, addresses=lambda h: public) is None


def test_an_allowed_name_that_resolves_to_a_private_address_is_refused() -> None:
    inside = [ipaddress.ip_address("10.0.0.7")]
    why = refusal("https://x.fbcdn.net/a", hosts=FB_HOSTS, media=MEDIA, allow_private=False, addresses=lambda h: inside)
    assert why == "x.fbcdn.net resolves to a private address (10.0.0.7)"
    # the real resolver
    assert "loopback" in (refusal("http://localhost/", hosts=["localhost"], media=[], allow_private=False) or "")


def test_a_loopback_base_url_may_reach_loopback_but_nothing_else() -> None:
    hosts = platform_hosts("http://127.0.0.1:5000")
    assert hosts == ["127.0.0.1"]
    assert refusal("http://127.0.0.1:5000/@x", hosts=hosts, media=[], allow_private=True) is None
    assert "not the platform's host" in (refusal("http://10.0.0.1/", hosts=hosts, media=[], allow_private=True) or "")


# --- real crawls -------------------------------------------------------------------------------------

FB = {"key": "fb-news", "platform": "facebook", "handle": "trangtintuc", "obey_robots": False,
      "permission": "test fixture: local replay server"}  # fmt: skip


def _steered_site(posts, target: str, *, redirect: bool) -> dict:  # type: ignore[type-arg]
    if redirect:  # the page itself redirects elsewhere
        return {"/trangtintuc/posts/": replay.redirect(target)}
    page = replay.facebook_m_page("trangtintuc", posts, next_href=target, page_name="Trang Tin")
    return {"/trangtintuc/posts/": Reply(200, page)}


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize(
    ("target", "redirect", "why", "media"),
    [
        ("http://169.254.169.254/latest/meta-data/", False, "169.254.169.254 is a link-local address", ""),
        ("http://127.0.0.1:{port}/leak", False, "127.0.0.1 is a loopback address", ""),
        ("http://localhost:{port}/leak", False, "localhost resolves to a loopback address (127.0.0.1)", "localhost"),
        ("http://evil.example/leak", False, "evil.example is not the platform's host", ""),
        ("http://169.254.169.254/latest/meta-data/", True, "169.254.169.254 is a link-local address", ""),
    ],
    ids=["metadata-link", "loopback-link", "name-resolving-to-loopback", "offsite-link", "metadata-redirect"],
)
def test_a_page_cannot_steer_the_crawler(tmp_path, serve, monkeypatch, target, redirect, why, media) -> None:
    posts = vn_posts(4, platform="facebook", author="trangtintuc", start_id=900)
    server = serve({})
    target = target.format(port=server.port)
    server.update(_steered_site(posts, target, redirect=redirect))
    monkeypatch.setenv("http_proxy", server.url)  # the replay server answers for www.facebook.com
    monkeypatch.delenv("no_proxy", raising=False)
    s = crawl_settings(tmp_path, [FB], facebook_base_url="http://www.facebook.com", crawl_media_hosts=media)

    with pytest.raises(CrawlBlocked) as err:
        crawl_source(s, "fb-news")

    report = err.value.report
    assert report.status == "blocked" and report.blocks == {"refused": 1}
    assert "blocked (refused)" in str(err.value) and target in str(err.value) and why in str(err.value)
    assert read_crawl_runs(s.home)[-1].blocks == {"refused": 1}
    assert server.hits[0] == "http://www.facebook.com/trangtintuc/posts/"  # the real site's URL, through the proxy
    assert not [h for h in server.hits if "leak" in h or "169.254" in h]  # nothing was sent there
    assert len(landed(s)) == (0 if redirect else 4)  # what the page had is kept


@pytest.mark.slow
@pytest.mark.integration
def test_a_page_over_the_size_limit_is_not_read_and_the_crawl_says_so(tmp_path, serve) -> None:
    posts = vn_posts(3, platform="facebook", author="trangtintuc", start_id=1)
    page = replay.facebook_m_page("trangtintuc", posts, page_name="Trang Tin") + "<!--" + "x" * 1_200_000 + "-->"
    server = serve({"/trangtintuc/posts/": Reply(200, page)})
    s = crawl_settings(tmp_path, [FB], facebook_base_url=server.url, crawl_max_page_mb=1)

    with pytest.raises(CrawlBlocked) as err:
        crawl_source(s, "fb-news")

    assert err.value.report.status == "error" and "larger than download max size" in str(err.value)
    assert landed(s) == []


@pytest.mark.slow
@pytest.mark.integration
def test_oversize_and_deeply_nested_items_are_quarantined_with_the_reason(tmp_path, serve) -> None:
    posts = vn_posts(5, platform="tiktok", author="tintuc.vn", start_id=7_100)
    posts[1] = replace(posts[1], text="Sáp nhập tỉnh " * (MAX_TEXT_CHARS // 10))
    routes = {"/robots.txt": replay.robots_txt(False), **replay.tiktok_site("tintuc.vn", posts)}
    server = serve(routes)
    s = crawl_settings(tmp_path, [{"key": "tt-news", "platform": "tiktok", "handle": "tintuc.vn"}],
                       tiktok_base_url=server.url)  # fmt: skip

    report = crawl_source(s, "tt-news")

    assert report.status == "ok" and report.items == 4 and report.quarantined == 1
    kept = list(LandingZone(s.home).iter_quarantine())
    assert len(kept) == 1 and f"at most {MAX_TEXT_CHARS} characters" in kept[0]["reason"]
