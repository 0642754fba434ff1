"""What both spiders share: the source, the crawl state, block reporting and when to stop paginating."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from crawlers.items import PostItem
from crawlers.middlewares import RefusedRequest
from crawlers.parsers import Block, PageResult
from crawlers.state import CrawlState
from misinfo.domain import utcnow
from misinfo.errors import ConfigError
from misinfo.landing import LandingZone, new_run_id
from misinfo.sources import Source, get_source, load_sources

STATUS_KINDS = {429: "rate_limited", 403: "forbidden", 404: "not_found"}


class SourceSpider(scrapy.Spider):
    """Crawls one source; subclasses only build requests and call the parsers."""

    platform = ""
    base_url_setting = ""
    # set in from_crawler, where the crawler's settings are known
    home: Path
    source: Source
    base_url: str
    max_pages: int
    retention_days: int
    state: CrawlState
    cutoff: datetime | None
    collected_at: str

    def __init__(self, source: str = "", run_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not source:
            raise ConfigError(f"scrapy crawl {self.name}: give the source, e.g. -a source=KEY")
        self.source_key = source
        self.run_id = run_id or new_run_id()
        self.blocks: list[Block] = []
        self.errors: list[str] = []
        self.started_at = utcnow()
        self.pages = 0
        self.mode_pages_from = 0  # pages fetched before the current mode (auto mode's HTTP attempt)
        self.mode = "http"  # which mode produced the posts: http, or browser (see the TikTok spider)
        self.fallback: Block | None = None  # what made auto mode switch to the browser
        self.stopped_early = False

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        spider: SourceSpider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.home = Path(s.get("MISINFO_HOME"))
        spider.source = get_source(load_sources(Path(s.get("MISINFO_SOURCES"))), spider.source_key)
        if spider.source.platform != spider.platform:
            raise ConfigError(f"source {spider.source.key!r} is a {spider.source.platform} source, not {spider.platform}")
        spider.base_url = s.get(spider.base_url_setting).rstrip("/")
        spider.max_pages = s.getint("MISINFO_MAX_PAGES", 50)
        spider.retention_days = s.getint("MISINFO_RETENTION_DAYS", 180)
        spider.state = CrawlState.load(spider.home, spider.source.key)
        spider.cutoff = spider.state.cutoff(timedelta(hours=s.getfloat("MISINFO_OVERLAP_HOURS", 48.0)))
        spider.collected_at = spider.started_at.isoformat()
        return spider

    @staticmethod
    def url_block(url: str) -> Block | None:
        """The platform parser's check for blocks visible in a URL (login, checkpoint)."""
        return None

    @staticmethod
    def text_of(response: Any) -> str:
        """The body as text, whatever content type the server claimed."""
        text = getattr(response, "text", None)
        return text if isinstance(text, str) else response.body.decode("utf-8", errors="replace")

    def request(self, url: str, callback: Any, *, dont_filter: bool = False, errback: Any = None, **meta: Any) -> scrapy.Request:
        """Every request: robots.txt obeyed unless the source has a permission note, errors classified."""
        if not self.source.obey_robots:
            meta["dont_obey_robotstxt"] = True
        return scrapy.Request(url, callback=callback, errback=errback or self.on_error, meta=meta, dont_filter=dont_filter)

    # ---- outcomes
    def block(self, block: Block, response: Any = None) -> None:
        """Count and log a block; a page we no longer understand goes to quarantine whole."""
        self.blocks.append(block)
        self.crawler.stats.inc_value(f"misinfo/blocks/{block.kind}")
        self.logger.warning("source %s blocked: %s: %s", self.source.key, block.kind, block.message)
        if block.kind == "layout_changed" and response is not None:
            LandingZone(self.home).quarantine(
                f"unrecognised {self.platform} page: {block.detail}",
                response.body,
                origin=response.url,
                item_id=f"page:{self.source.key}:{self.run_id}:{response.url}",
            )

    def count_page(self) -> None:
        self.pages += 1
        self.crawler.stats.inc_value("misinfo/pages")

    def page(self, result: PageResult, response: Any, *, first: bool) -> Iterator[Any]:
        """Count a fetched page; report its block or yield its posts."""
        self.count_page()
        if result.block is not None:
            self.block(result.block, response)
            return
        if first and not result.records and not result.has_more:  # a source's first page always shows posts
            before = self.state.items_total
            detail = f"parsed nothing from a page that gave {before} posts before" if before else "the page parsed but held no posts"
            self.block(Block("layout_changed", detail), response)
            return
        for record in result.records:
            yield from self.emit(record)

    def emit(self, record: dict[str, Any]) -> Iterator[Any]:
        """A parsed record as the item to land (a platform may first fetch more for it, see TikTok)."""
        yield PostItem.from_record(record)

    def keep_going(self, result: PageResult) -> bool:
        """Paginate on unless blocked, out of pages, or the page's last post is older than the cutoff."""
        if result.block is not None or not result.has_more:
            return False
        if self.pages - self.mode_pages_from >= self.max_pages:
            self.logger.info("source %s: stopping at MISINFO_CRAWL_MAX_PAGES=%d", self.source.key, self.max_pages)
            return False
        if self.cutoff is not None and result.records:
            last = result.records[-1].get("created_at")
            try:
                if last and datetime.fromisoformat(last) < self.cutoff:
                    self.stopped_early = True
                    return False
            except ValueError:
                pass
        return True

    def on_error(self, failure: Any) -> None:
        """Classify a failed request: robots.txt, an HTTP status after retries, or a network error."""
        if failure.check(HttpError):
            response = failure.value.response
            status = response.status
            kind = STATUS_KINDS.get(status, "server_error" if status >= 500 else "http_error")
            retries = failure.request.meta.get("retry_times", 0)
            detail = f"HTTP {status} on {failure.request.url}" + (f" after {retries} retries" if retries else "")
            self.block(Block(kind, detail))
        elif failure.check(RefusedRequest):
            pass  # HostGuardMiddleware has reported it as a block
        elif failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            redirected = failure.request.meta.get("redirect_urls")
            # a redirect to a login page is a login wall, whatever robots.txt says about that page
            block = self.url_block(failure.request.url) if redirected else None
            self.block(block or Block("robots", failure.request.url))
        else:
            self.crawler.stats.inc_value("misinfo/network_errors")
            self.errors.append(f"{type(failure.value).__name__}: {failure.value} ({failure.request.url})")
            self.logger.error("source %s: %s", self.source.key, self.errors[-1])

    def closed(self, reason: str) -> None:
        advance = reason == "finished" and not self.blocks and not self.errors
        self.state.save(self.home, advance=advance, retention_days=self.retention_days)
        logging.getLogger(__name__).info(
            "source %s: %d pages, blocks=%s, watermark %s", self.source.key, self.pages,
            [b.kind for b in self.blocks], "advanced" if advance else "kept",
        )
