"""Pure page parsers: page text in, post records or a `Block` out. No Scrapy, no I/O, never raise.

Records are dicts in the public `posts` format; `misinfo.schema` validates them later in the item
pipeline, so a record the page could not fill (e.g. no time) is quarantined with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Block kinds, shared by both platforms; reports and the dashboard group by these.
BLOCK_KINDS: dict[str, str] = {
    "robots": "robots.txt disallows crawling this page for our user agent",
    "login_wall": "redirected to a login page",
    "checkpoint": "redirected to a security checkpoint",
    "temporarily_blocked": "the site says we are temporarily blocked",
    "challenge": "a JavaScript challenge page ('Please wait...') instead of content",
    "ip_blocked": "the site reports this address as blocked",
    "private_account": "the account is private",
    "private_post": "the post is private",
    "not_found": "the account or page does not exist",
    "region": "not available in this region",
    "api_empty": "the list API answered with an empty or failed response",
    "unavailable": "the site reported the content unavailable",
    "rate_limited": "HTTP 429 Too Many Requests after all retries",
    "forbidden": "HTTP 403 Forbidden",
    "server_error": "HTTP 5xx on every retry",
    "http_error": "an HTTP error status",
    "layout_changed": "the page no longer has the structure the parser knows",
    "refused": "a request the page led to was refused (not the platform's host, or a private address)",
}


@dataclass(frozen=True, slots=True)
class Block:
    """Why a page gave no content: one of `BLOCK_KINDS`, plus a detail for the message."""

    kind: str
    detail: str = ""

    @property
    def message(self) -> str:
        base = BLOCK_KINDS.get(self.kind, self.kind)
        return f"{base} ({self.detail})" if self.detail else base


@dataclass(slots=True)
class PageResult:
    """What one page gave: records, where to go next, or the block that stopped it."""

    records: list[dict[str, Any]] = field(default_factory=list)
    block: Block | None = None
    next_url: str | None = None
    next_cursor: str | None = None
    has_more: bool = False
    info: dict[str, Any] = field(default_factory=dict)


def iso_from_unix(value: Any) -> str | None:
    """Unix seconds (int, float or digit string) as an ISO UTC time; None when not a sane time."""
    try:
        if isinstance(value, bool):
            return None
        seconds = float(value)
        if seconds != seconds or not 0 < seconds < 4_102_444_800:  # NaN, or outside 1970..2100
            return None
        return datetime.fromtimestamp(seconds, UTC).isoformat()
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def dig(data: Any, *path: str | int) -> Any:
    """`data[a][b]...` or None when any step is missing or of the wrong type."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(data, list) or not -len(data) <= step < len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[step] if isinstance(step, int) else data.get(step)
        if data is None:
            return None
    return data
