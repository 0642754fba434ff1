"""Item pipeline: validate each post (misinfo.schema) and append it to the landing zone.

Bad items go to quarantine with the reason and the raw record; good ones are written in small
fsync'd batches to this run's own file, and the source's crawl state learns which are new.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem
from scrapy.utils.defer import deferred_from_coro

from misinfo.domain import Post
from misinfo.errors import InvalidRecord, StoreUnavailable
from misinfo.landing import LandingZone, RunWriter
from misinfo.schema import post_from_record

BATCH = 50


class LandingZonePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.buffer: list[Post] = []
        self.writer: RunWriter | None = None
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> LandingZonePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.zone = LandingZone(spider.home)

    def process_item(self, item: Any) -> Any:
        spider = self.crawler.spider
        if self.failed:
            raise DropItem(f"landing zone not writable; {spider.source.key} stopped")
        stats = self.crawler.stats
        record = ItemAdapter(item).asdict()
        try:
            post = post_from_record(record)
        except InvalidRecord as exc:
            item_id = f"crawl:{spider.source.key}:{spider.run_id}:{record.get('post_id')}"
            self.zone.quarantine(f"{exc}", record, origin=f"crawl:{spider.source.key}", item_id=item_id)
            stats.inc_value("misinfo/quarantined")
            raise DropItem(f"invalid post from {spider.source.key}: {exc}") from None
        if spider.state.see(post):
            stats.inc_value("misinfo/items_new")
        stats.inc_value("misinfo/items")
        self.buffer.append(post)
        if len(self.buffer) >= BATCH:
            self.flush()
        return item

    def flush(self) -> None:
        if not self.buffer or self.failed:
            return
        spider = self.crawler.spider
        try:
            if self.writer is None:
                self.writer = self.zone.open_run(spider.source.platform, f"{spider.run_id}.{spider.source.key}")
            self.writer.append(self.buffer)
        except (StoreUnavailable, OSError) as exc:
            self.fail(exc)
            return
        self.buffer = []

    def fail(self, exc: Exception) -> None:
        """The landing zone cannot be written (disk full, read-only): stop the crawl and say so.

        The error goes into the crawl's health record (status "error", exit non-zero), and the
        watermark stays where it was, so the next run fetches these posts again.
        """
        spider = self.crawler.spider
        self.failed = True
        message = str(exc) if isinstance(exc, StoreUnavailable) else f"cannot write the landing zone: {exc}"
        spider.errors.append(message)
        self.crawler.stats.inc_value("misinfo/landing_errors")
        spider.logger.error("source %s: %s; stopping the crawl", spider.source.key, message)
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="landing_write_failed"))

    def close_spider(self) -> None:
        try:
            self.flush()
        finally:
            if self.writer is not None:
                self.writer.close()
