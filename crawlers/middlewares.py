"""Retries with exponential backoff: Scrapy's RetryMiddleware retries at once, which a 429 punishes."""

from __future__ import annotations

import asyncio
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_status_message

from misinfo.domain import utcnow


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
