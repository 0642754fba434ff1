"""Facebook public page or group, logged out: `/{page}/posts/` or `/groups/{id}/` (www or m layout), then m's next pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from crawlers.parsers import facebook
from crawlers.spiders.base import SourceSpider


class FacebookSpider(SourceSpider):
    name = "facebook"
    platform = "facebook"
    url_block = staticmethod(facebook.url_block)
    base_url_setting = "MISINFO_FACEBOOK_BASE_URL"

    async def start(self) -> AsyncIterator[Any]:
        yield self.request(self.base_url + facebook.page_path(self.source.handle), self.parse_page, first=True)

    def parse_page(self, response: Any) -> Iterator[Any]:
        result = facebook.parse_page(
            self.text_of(response),
            response.url,
            source=self.source.key,
            handle=self.source.handle,
            base_url=self.base_url,
            collected_at=self.collected_at,
        )
        yield from self.page(result, response, first=response.meta.get("first", False))
        if self.keep_going(result) and result.next_url:
            yield self.request(result.next_url, self.parse_page)
