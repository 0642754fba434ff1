"""A spider that asks one site for `n` pages at once (run with `scrapy runspider` under the project's
settings): only the settings can keep those requests apart, which is what the politeness tests check.
Not collected by pytest (no `test_` prefix)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy


class BurstSpider(scrapy.Spider):
    name = "burst"
    custom_settings = {"ITEM_PIPELINES": {}}  # it lands nothing; every politeness setting stays the project's

    def __init__(self, base: str = "", n: str = "5", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base.rstrip("/")
        self.n = int(n)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for i in range(self.n):
            yield scrapy.Request(f"{self.base}/page/{i}", callback=self.parse, dont_filter=True)

    def parse(self, response: Any) -> None:
        return None
