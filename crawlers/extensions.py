"""Crawl health: one record per source per run in HOME/crawl_runs.jsonl, built from the crawl's stats
and the spider's outcome (blocks, errors, which mode produced the posts)."""

from __future__ import annotations

from typing import Any

from scrapy import signals

from misinfo.crawl import health_record, write_crawl_run


class CrawlHealth:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlHealth:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Any, reason: str) -> None:
        if not hasattr(spider, "source"):
            return
        record = health_record(
            run_id=spider.run_id,
            source=spider.source,
            started_at=spider.started_at,
            stats=self.crawler.stats.get_stats(),
            blocks=spider.blocks,
            errors=spider.errors,
            finish_reason=reason,
            mode=spider.mode,
            fallback=f"{spider.fallback.kind}: {spider.fallback.detail}" if spider.fallback else "",
        )
        write_crawl_run(spider.home, record)
