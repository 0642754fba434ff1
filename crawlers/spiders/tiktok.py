"""TikTok profile: the profile page gives the `secUid`, then the list API is paged by cursor."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

from crawlers.parsers import Block, tiktok
from crawlers.spiders.base import SourceSpider

PAGE_SIZE = 15


class TikTokSpider(SourceSpider):
    name = "tiktok"
    platform = "tiktok"
    url_block = staticmethod(tiktok.url_block)
    base_url_setting = "MISINFO_TIKTOK_BASE_URL"

    async def start(self) -> AsyncIterator[Any]:
        yield self.request(f"{self.base_url}/@{self.source.handle}", self.parse_profile)

    def _kw(self) -> dict[str, str]:
        return {"source": self.source.key, "base_url": self.base_url, "collected_at": self.collected_at}

    def list_url(self, sec_uid: str, cursor: str) -> str:
        query = urlencode({"secUid": sec_uid, "count": PAGE_SIZE, "cursor": cursor})
        return f"{self.base_url}/api/creator/item_list/?{query}"

    def parse_profile(self, response: Any) -> Iterator[Any]:
        result = tiktok.parse_profile(self.text_of(response), response.url, **self._kw())
        yield from self.page(result, response, first=False)
        sec_uid = result.info.get("secUid")
        if result.block is None and not sec_uid and not result.records:
            self.block(Block("layout_changed", "profile page without secUid"), response)
        if result.block is None and sec_uid:
            yield self.request(self.list_url(sec_uid, "0"), self.parse_list, sec_uid=sec_uid, first=True)

    def parse_list(self, response: Any) -> Iterator[Any]:
        result = tiktok.parse_item_list(self.text_of(response), response.url, **self._kw())
        yield from self.page(result, response, first=response.meta.get("first", False))
        if self.keep_going(result) and result.next_cursor:
            sec_uid = response.meta["sec_uid"]
            yield self.request(self.list_url(sec_uid, result.next_cursor), self.parse_list, sec_uid=sec_uid)
