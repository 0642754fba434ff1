"""TikTok: a profile, a hashtag or a keyword search, by plain HTTP or in a browser (`mode` of the source).

HTTP: the page gives the id the list API needs (`secUid`, the hashtag's challenge id; a search needs
none), then the API is paged by cursor. TikTok now answers unsigned API requests with HTTP 200 and an
empty body (`api_empty`), so in `auto` mode such an answer, a JavaScript challenge, or a profile whose
list came back empty although it has videos makes the same run open the page in Chromium instead.
Browser: the page's own script fetches and signs the list; the spider reads the answers it captures
(`crawlers.browser.Capture`) with the same pure parsers, scrolling for the next one up to
MISINFO_CRAWL_MAX_PAGES with the same delay between pages.

Transcripts: a video new to the source (or whose last try failed) has its best caption track
(`crawlers.parsers.captions.best_track`) fetched by Scrapy in the same crawl, so the same throttle,
robots.txt rules and host guard apply, and lands with its `transcript`. A track whose URL has expired,
that fails or that is not WebVTT is counted (`misinfo/transcripts/<kind>`), kept in the crawl state and
tried again when a later crawl lists the video; the post lands without it either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from crawlers.browser import (
    BROWSER_FAILURES,
    PLAYWRIGHT_HANDLER,
    SCROLL_JS,
    Capture,
    InPageGuard,
    failure_line,
)
from crawlers.items import PostItem
from crawlers.middlewares import RefusedRequest
from crawlers.parsers import Block, PageResult, tiktok
from crawlers.parsers.captions import BrokenTrack, transcript_text
from crawlers.spiders.base import SourceSpider

PAGE_SIZE = 15
# what makes auto mode retry in the browser: the site refusing plain requests, not a real answer
FALLBACK_KINDS = frozenset({"api_empty", "challenge"})
# per kind: the list API plain HTTP calls, the parameter naming the list, and the cursor's name
LIST_APIS = {
    "profile": ("/api/creator/item_list/", "secUid", "cursor"),
    "hashtag": ("/api/challenge/item_list/", "challengeID", "cursor"),
    "search": ("/api/search/item/full/", "keyword", "offset"),
}
# a track URL that expires sooner than this is not worth a request: it would expire on the way
EXPIRY_MARGIN_S = 30


class TikTokSpider(SourceSpider):
    name = "tiktok"
    platform = "tiktok"
    url_block = staticmethod(tiktok.url_block)
    base_url_setting = "MISINFO_TIKTOK_BASE_URL"
    browser_wait: float
    scroll_delay: float
    browser_path: str
    tracks_asked: set[str]  # videos whose caption track this run already asked for

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> TikTokSpider:
        spider: TikTokSpider = super().from_crawler(crawler, *args, **kwargs)  # type: ignore[assignment]
        s = crawler.settings
        spider.browser_wait = s.getfloat("MISINFO_BROWSER_WAIT", 20.0)
        spider.scroll_delay = s.getfloat("DOWNLOAD_DELAY", 0.0)
        spider.browser_path = s.get("MISINFO_BROWSER_PATH", "/usr/bin/chromium")
        spider.tracks_asked = set()
        if spider.source.kind != "profile":
            spider.cutoff = None  # hashtag and search lists are not in time order: page to the limit
        if spider.source.mode != "http":
            # only sources that may need the browser start Playwright, and only for the site's scheme (each
            # handler starts its own driver); it passes requests without meta["playwright"] to Scrapy's own
            # HTTP handler. Settings are still open here: the crawler freezes them after `from_crawler`.
            s.set("DOWNLOAD_HANDLERS", {urlsplit(spider.base_url).scheme: PLAYWRIGHT_HANDLER}, priority="spider")
            # the page's own requests bypass Scrapy's host guard: abort those to non-public addresses
            s.set("PLAYWRIGHT_ABORT_REQUEST", InPageGuard(spider.base_url, spider.refused_in_page), priority="spider")
        return spider

    async def start(self) -> AsyncIterator[Any]:
        if self.source.mode == "browser":
            self.mode = "browser"
            yield self.browser_request()
        elif self.source.kind == "search":
            query = self.source.query or ""
            yield self.request(self.list_url(query, "0"), self.parse_list, ref=query, first=True)
        else:
            yield self.request(self.page_url(), self.parse_page)

    def _kw(self) -> dict[str, str]:
        return {"source": self.source.key, "base_url": self.base_url, "collected_at": self.collected_at}

    def page_url(self) -> str:
        """The public page a person would open for this source."""
        if self.source.kind == "hashtag":
            return f"{self.base_url}/tag/{quote(self.source.handle)}"
        if self.source.kind == "search":
            return f"{self.base_url}/search/video?" + urlencode({"q": self.source.query or ""})
        return f"{self.base_url}/@{self.source.handle}"

    def list_url(self, ref: str, cursor: str) -> str:
        path, name, cursor_name = LIST_APIS[self.source.kind]
        return f"{self.base_url}{path}?" + urlencode({name: ref, "count": PAGE_SIZE, cursor_name: cursor})

    # ---- plain HTTP
    def parse_page(self, response: Any) -> Iterator[Any]:
        """The profile or hashtag page: the id its list API needs (and a profile's embedded videos, if any)."""
        text = self.text_of(response)
        if self.source.kind == "hashtag":
            result = tiktok.parse_challenge(text, response.url)
            ref = result.info.get("id")
        else:
            result = tiktok.parse_profile(text, response.url, **self._kw())
            ref = result.info.get("secUid")
        if (switch := self.fall_back(result.block)) is not None:
            self.count_page()
            yield switch
            return
        yield from self.page(result, response, first=False)
        if result.block is None and not ref and not result.records:
            self.block(Block("layout_changed", f"{self.source.kind} page without the id its list API needs"), response)
        if result.block is None and ref:
            yield self.request(self.list_url(ref, "0"), self.parse_list, ref=ref, first=True,
                               videos=result.info.get("videoCount", 0))  # fmt: skip

    def parse_list(self, response: Any) -> Iterator[Any]:
        result = tiktok.parse_item_list(self.text_of(response), response.url, **self._kw())
        first = response.meta.get("first", False)
        videos = response.meta.get("videos", 0)
        if first and result.block is None and not result.records and not result.has_more and videos:
            # today's site: the profile says it has videos, the list API gives none to plain HTTP
            result = PageResult(block=Block("api_empty", f"the list API gave no videos for a profile with {videos}"))
        if (switch := self.fall_back(result.block)) is not None:
            self.count_page()
            yield switch
            return
        yield from self.page(result, response, first=first)
        if self.keep_going(result) and result.next_cursor:
            ref = response.meta["ref"]
            yield self.request(self.list_url(ref, result.next_cursor), self.parse_list, ref=ref)

    def fall_back(self, block: Block | None) -> scrapy.Request | None:
        """In auto mode, the browser request replacing an HTTP attempt the site refused; else None."""
        if block is None or block.kind not in FALLBACK_KINDS or self.source.mode != "auto" or self.mode != "http":
            return None
        self.fallback, self.mode, self.mode_pages_from = block, "browser", self.pages
        self.crawler.stats.inc_value(f"misinfo/fallback/{block.kind}")
        self.logger.info("source %s: plain HTTP got %s (%s); retrying in the browser", self.source.key, block.kind, block.message)
        return self.browser_request()

    # ---- transcripts
    def emit(self, record: dict[str, Any]) -> Iterator[Any]:
        """The post, after its caption track when the video is new to this source (or its last try failed)."""
        track = record.pop("caption_track", None)
        post_id = record.get("post_id")
        if not track or not isinstance(post_id, str) or post_id in self.tracks_asked or not self.state.wants_transcript(post_id):
            yield PostItem.from_record(record)
            return
        self.tracks_asked.add(post_id)
        expires = track.get("expires")
        if isinstance(expires, int) and expires <= time.time() + EXPIRY_MARGIN_S:
            when = datetime.fromtimestamp(expires, UTC).isoformat(timespec="seconds")
            self.transcript_missed(record, "expired", f"the track's URL expired at {when}")
            yield PostItem.from_record(record)
            return
        yield self.request(track["url"], self.parse_track, errback=self.track_failed, dont_filter=True,
                           record=record, track=track)  # fmt: skip

    def parse_track(self, response: Any) -> Iterator[Any]:
        record, track = response.meta["record"], response.meta["track"]
        try:
            text = transcript_text(self.text_of(response))
        except BrokenTrack as exc:
            self.transcript_missed(record, "broken", f"{exc} ({response.url})")
        else:
            record["transcript"] = {"text": text, "language": track["language"], "source": track["source"]}
            self.state.transcript_done(record["post_id"])
            self.crawler.stats.inc_value("misinfo/transcripts/fetched")
        yield PostItem.from_record(record)

    def track_failed(self, failure: Any) -> Iterator[Any]:
        """A caption track that could not be fetched: the post lands without it, the next crawl tries again."""
        request = failure.request
        if failure.check(HttpError):
            kind, detail = "failed", f"HTTP {failure.value.response.status} on {request.url}"
        elif failure.check(RefusedRequest):
            kind, detail = "refused", str(failure.value)  # the host guard has reported it as a block
        elif failure.check(IgnoreRequest):
            kind, detail = "robots", f"robots.txt disallows {request.url}"
        else:
            kind, detail = "failed", f"{type(failure.value).__name__}: {failure.value} ({request.url})"
        self.transcript_missed(request.meta["record"], kind, detail)
        yield PostItem.from_record(request.meta["record"])

    def transcript_missed(self, record: dict[str, Any], kind: str, detail: str) -> None:
        """Count a track not read, and keep the video for the next crawl (until its last try)."""
        stats = self.crawler.stats
        stats.inc_value(f"misinfo/transcripts/{kind}")
        retry = self.state.transcript_failed(record["post_id"], str(record.get("created_at") or ""), f"{kind}: {detail}")
        if not retry:
            stats.inc_value("misinfo/transcripts/gave_up")
        self.logger.warning("source %s: no transcript for video %s (%s: %s)%s", self.source.key, record["post_id"],
                            kind, detail, "; will retry next crawl" if retry else "; giving up")  # fmt: skip

    # ---- browser
    def browser_request(self) -> scrapy.Request:
        return self.request(
            self.page_url(), self.parse_browser, dont_filter=True,
            playwright=True, playwright_include_page=True, playwright_page_init_callback=self.start_capture,
        )  # fmt: skip

    async def start_capture(self, page: Any, request: scrapy.Request) -> None:
        """Runs before the page loads, so the list answers its script fetches on load are captured too."""
        request.meta["capture"] = Capture(page, tiktok.is_list_api)

    async def parse_browser(self, response: Any) -> AsyncIterator[Any]:
        page = response.meta["playwright_page"]
        capture: Capture = response.meta["capture"]
        try:
            shell = PageResult(block=tiktok.page_block(self.text_of(response), response.url))
            for item in self.page(shell, response, first=False):
                yield item
            if shell.block is not None:
                return
            first = True
            while True:
                answer = await capture.next(page, wait=self.browser_wait)
                if answer is None:
                    self.stalled(first, capture, response)
                    return
                result = tiktok.parse_item_list(await answer.text(), answer.url, **self._kw())
                for item in self.page(result, response, first=first):
                    yield item
                first = False
                if not self.keep_going(result):
                    return
                if self.scroll_delay:
                    await asyncio.sleep(self.scroll_delay)
                await page.evaluate(SCROLL_JS)
        except BROWSER_FAILURES as exc:  # the renderer crashed, or the browser went away mid-page
            self.browser_error(f"{failure_line(exc)} ({response.url})")
        finally:
            if not page.is_closed():
                with contextlib.suppress(*BROWSER_FAILURES):
                    await page.close()

    def stalled(self, first: bool, capture: Capture, response: Any) -> None:
        """No (further) list answer within MISINFO_CRAWL_BROWSER_WAIT: a block on the first page, a note after."""
        waited = f"{self.browser_wait:g}s"
        if first:
            self.block(Block("api_empty", f"the page fetched no video list within {waited}"), response)
        else:
            self.crawler.stats.inc_value("misinfo/browser_stalled")
            self.logger.warning("source %s: the page stopped fetching after %d list answers (waited %s)",
                                self.source.key, capture.seen, waited)  # fmt: skip

    def refused_in_page(self, url: str, why: str) -> None:
        """A request the page itself made to a non-public address, aborted: a `refused` block, as in HTTP mode."""
        self.crawler.stats.inc_value("misinfo/refused")
        self.block(Block("refused", f"{url} (requested by the page in the browser): {why}"))

    def browser_error(self, message: str) -> None:
        self.crawler.stats.inc_value("misinfo/browser_errors")
        self.errors.append(f"browser mode: {message}")
        self.logger.error("source %s: browser mode: %s", self.source.key, message)

    def on_error(self, failure: Any) -> None:
        """A browser request that failed is Chromium's failure (missing, crashed, timed out): one line."""
        if not failure.request.meta.get("playwright") or failure.check(HttpError, IgnoreRequest):
            super().on_error(failure)
            return
        self.browser_error(f"Chromium at {self.browser_path} (MISINFO_CRAWL_BROWSER_PATH) failed on "
                           f"{failure.request.url}: {failure_line(failure.value)}")  # fmt: skip
