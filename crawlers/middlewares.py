"""Downloader middlewares: where a request may go, and retries with exponential backoff.

`HostGuardMiddleware`: every page the crawler reads was written by someone else, so a link, a
redirect or a media URL taken from one must not steer the crawler elsewhere. A request goes only to
the spider's platform (the host of its configured base URL and that domain's subdomains) or to a
media host pattern (`MISINFO_CRAWL_MEDIA_HOSTS`: the platforms' CDNs, for caption tracks), and never
to a loopback, private, link-local or otherwise non-public address, hostnames resolved first, unless
the base URL itself is one (the tests' and the demo's replay server). A refused request is a
`refused` block in the crawl-health record, never a silent skip. Not covered: a public hostname of an
allowed domain that resolves differently between the check and the connection (DNS rebinding).

`BackoffRetryMiddleware`: Scrapy's RetryMiddleware retries at once, which a 429 punishes.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from email.utils import parsedate_to_datetime
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_status_message

from crawlers.parsers import Block
from misinfo.domain import utcnow

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedRequest(IgnoreRequest):
    """A request the host guard would not send; its message says why."""


def platform_hosts(base_url: str) -> list[str]:
    """Host patterns of a platform from its base URL: `https://www.tiktok.com` → tiktok.com, *.tiktok.com."""
    host = (urlsplit(base_url).hostname or "").lower().rstrip(".")
    if not host or _literal(host) is not None or "." not in host:
        return [host] if host else []
    domain = host.removeprefix("www.").removeprefix("m.")
    return [domain, "*." + domain]


def _literal(host: str) -> Address | None:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def non_public(address: Address) -> str | None:
    """What kind of non-public address this is, or None for a public one."""
    for kind in ("loopback", "link_local", "private", "multicast", "unspecified", "reserved"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if address.is_global else "non-public"


def resolve(host: str) -> list[Address]:
    """The addresses a hostname resolves to (empty when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    out = []
    for info in infos:
        literal = _literal(str(info[4][0]).split("%", 1)[0])
        if literal is not None:
            out.append(literal)
    return out


def base_is_private(base_url: str) -> bool:
    """Is the platform's base URL itself on a non-public address (the tests' and the demo's replay server)?"""
    host = (urlsplit(base_url).hostname or "").lower()
    literal = _literal(host)
    found = [literal] if literal is not None else resolve(host) if host else []
    return any(non_public(a) for a in found)


def private_host(host: str, addresses: Callable[[str], Iterable[Address]] = resolve) -> str | None:
    """Why `host` is off limits (a non-public address, or a name resolving to one), or None."""
    host = host.lower().rstrip(".")
    literal = _literal(host)
    if literal is not None:
        kind = non_public(literal)
        return f"{host} is a {kind} address" if kind else None
    for address in addresses(host):
        kind = non_public(address)
        if kind:
            return f"{host} resolves to a {kind} address ({address})"
    return None


def refusal(url: str, *, hosts: Sequence[str], media: Sequence[str], allow_private: bool,
            addresses: Callable[[str], Iterable[Address]] = resolve) -> str | None:
    """Why a request to `url` must not be sent, or None when it may.

    `hosts`/`media` are host patterns (fnmatch, lowercase); `addresses` resolves a hostname.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"scheme {parts.scheme!r} is not http(s)"
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return "no host"
    literal = _literal(host)
    if literal is not None and not allow_private and (why := private_host(host)):
        return why
    if not any(fnmatchcase(host, pattern) for pattern in [*hosts, *media]):
        return f"{host} is not the platform's host nor an allowed media host"
    if literal is None and not allow_private:  # only allowed names are looked up: no DNS query leaks
        return private_host(host, addresses)
    return None


class HostGuardMiddleware:
    """Refuses (and reports) requests off the platform or to non-public addresses; see the module doc."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.media = [p.lower() for p in crawler.settings.getlist("MISINFO_MEDIA_HOSTS")]
        self._checked: dict[str, str | None] = {}
        self._policy: tuple[list[str], bool] | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> HostGuardMiddleware:
        return cls(crawler)

    def policy(self) -> tuple[list[str], bool]:
        """The spider's platform hosts, and whether its base URL is itself on a non-public address."""
        if self._policy is None:
            base = getattr(self.crawler.spider, "base_url", "")
            self._policy = platform_hosts(base), base_is_private(base)
        return self._policy

    async def process_request(self, request: Request) -> None:
        hosts, allow_private = self.policy()
        key = urlsplit(request.url)._replace(path="", query="", fragment="").geturl()
        if key not in self._checked:
            loop = asyncio.get_running_loop()
            self._checked[key] = await loop.run_in_executor(
                None, lambda: refusal(request.url, hosts=hosts, media=self.media, allow_private=allow_private)
            )
        why = self._checked[key]
        if why is None:
            return None
        self.crawler.stats.inc_value("misinfo/refused")
        spider = self.crawler.spider
        if hasattr(spider, "block"):
            spider.block(Block("refused", f"{request.url}: {why}"))
        raise RefusedRequest(f"refused {request.url}: {why}")


def retry_after_seconds(value: bytes | None) -> float | None:
    """`Retry-After` as seconds (delta or HTTP date), None when absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - utcnow()).total_seconds()) if when.tzinfo else None


class BackoffRetryMiddleware(RetryMiddleware):
    """Waits base·2^n seconds (or the server's Retry-After, capped) before each retry; counts HTTP errors."""

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 5.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 300.0)

    def delay_for(self, request: Request, response: Response) -> float:
        attempt = request.meta.get("retry_times", 0)
        server = retry_after_seconds(response.headers.get(b"Retry-After"))
        delay = server if server is not None else self.base * (2**attempt)
        return min(delay, self.cap)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if response.status >= 400 and not request.url.endswith("/robots.txt"):
            self.crawler.stats.inc_value("misinfo/http_errors")
            self.crawler.stats.inc_value(f"misinfo/http_status/{response.status}")
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        delay = self.delay_for(request, response)
        if delay > 0:
            await asyncio.sleep(delay)
        return retry
