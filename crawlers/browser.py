"""Browser mode's glue to scrapy-playwright: honest headers, skipped media, and the captured list answers.

In browser mode a spider opens the public page in Debian's Chromium (logged out, never a browser
Playwright downloads), lets the page's own script fetch its list API with the signatures only that
script computes, and reads those answers as they arrive (`Capture`); scrolling to the bottom makes
the page fetch the next one, as it would for a person reading it. Nothing here logs in, solves a
challenge or hides what the browser is: the contact string is appended to Chromium's own User-Agent.

Requests Chromium makes from inside the page do not pass Scrapy's middlewares, so `InPageGuard`
(scrapy-playwright's PLAYWRIGHT_ABORT_REQUEST predicate) aborts those to loopback, private,
link-local or otherwise non-public addresses (names resolved first, as `crawlers.middlewares` does),
unless the base URL itself is on one; the page may still load the platform's public CDNs and scripts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError

from crawlers.middlewares import base_is_private, private_host

# Flags Chromium needs on a headless server (as the dashboard's browser tests use); none of them disguise it.
BROWSER_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip
PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
SKIPPED_RESOURCES = frozenset({"image", "media", "font"})
SCROLL_JS = "window.scrollTo(0, document.body.scrollHeight)"


async def honest_headers(*, browser_type_name: str, playwright_request: Any, scrapy_request_data: dict[str, Any]) -> dict[str, str]:
    """The browser's own headers, its User-Agent followed by ours (the contact string), on every request."""
    headers: dict[str, str] = await playwright_request.all_headers()
    ours = scrapy_request_data["headers"].get("User-Agent") or b""
    ours = ours.decode("latin-1") if isinstance(ours, bytes) else str(ours)
    browser = headers.get("user-agent", "")
    # after the page's own request, scrapy-playwright hands us the headers it finally sent: already joined
    ours = ours.removeprefix(browser).strip() if browser else ours
    if ours and not browser.endswith(ours):
        headers["user-agent"] = f"{browser} {ours}".strip()
    return headers


def skip_heavy(request: Any) -> bool:
    """Abort images, video and fonts: the crawl reads the page's data, not its media."""
    return request.resource_type in SKIPPED_RESOURCES


class InPageGuard:
    """Abort a page's own requests to non-public addresses (and heavy media); `refused(url, why)` reports each.

    Built per spider with its base URL; when that is itself non-public (the replay server) only media is skipped.
    """

    def __init__(self, base_url: str, refused: Callable[[str, str], None]) -> None:
        self.allow_private = base_is_private(base_url)
        self.refused = refused
        self._checked: dict[str, str | None] = {}

    async def __call__(self, request: Any) -> bool:
        if skip_heavy(request):
            return True
        if self.allow_private:
            return False
        host = (urlsplit(request.url).hostname or "").lower()
        if not host:  # data:, blob: and the like load nothing from the network
            return False
        if host not in self._checked:
            self._checked[host] = await asyncio.get_running_loop().run_in_executor(None, private_host, host)
        why = self._checked[host]
        if why is None:
            return False
        self.refused(request.url, why)
        return True


class Crashed(Exception):
    """The page's renderer crashed while we were reading it."""


BROWSER_FAILURES = (Crashed, PlaywrightError)  # what ends reading a page: a crash, a closed page or browser


class Capture:
    """The answers a page fetched whose URL `wanted` accepts, in the order they arrived."""

    def __init__(self, page: Any, wanted: Callable[[str], bool]) -> None:
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self.wanted = wanted
        self.seen = 0
        page.on("response", self._on_response)
        page.on("crash", lambda _page: self.queue.put_nowait(Crashed(f"Chromium's page crashed on {page.url}")))

    def _on_response(self, response: Any) -> None:
        if self.wanted(response.url):
            self.seen += 1
            self.queue.put_nowait(response)

    async def next(self, page: Any, *, wait: float, nudge: float = 1.0) -> Any | None:
        """The next answer (a Playwright response), or None when none came within `wait` seconds.

        While waiting it scrolls to the bottom every `nudge` seconds, as a reader would when the
        page has not loaded more yet (the page may have been busy rendering at the first scroll).
        """
        deadline = asyncio.get_running_loop().time() + wait
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return None
            try:
                answer = await asyncio.wait_for(self.queue.get(), timeout=min(nudge, left))
            except TimeoutError:
                await page.evaluate(SCROLL_JS)
                continue
            if isinstance(answer, Crashed):
                raise answer
            return answer


def failure_line(exc: BaseException) -> str:
    """Playwright's errors carry call logs over many lines; a report needs the first one."""
    first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    return first or type(exc).__name__
