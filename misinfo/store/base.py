"""The store port: what every backend implements, and the query/result records they share.

The contract suite in `tests/store/test_contract.py` runs against every adapter, so a behaviour
described here is a behaviour tested on SQLite and Elasticsearch alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

from misinfo.domain import Review, TaggedPost, Transcript

Sort = Literal["newest", "relevance", "engagement"]
Interval = Literal["hour", "day"]
FacetField = Literal["narrative", "platform", "source", "hashtag", "dup_group", "claim", "author", "review_status"]
SORTS: tuple[str, ...] = ("newest", "relevance", "engagement")
MAX_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A search: the user's text (shared syntax, see `misinfo.query`) plus filters, sort and page.

    Filters combine with AND; values within one filter with OR. `since` is inclusive, `until`
    exclusive, both on `created_at`. `page` starts at 1. `sources` matches any source that found a
    post (`Post.sources`), `authors` the account handles. The text matches a post's caption, hashtags
    and transcript; `aigc` keeps only videos the platform labels AI-generated.
    """

    text: str = ""
    narratives: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    review_statuses: tuple[str, ...] = ()
    dup_groups: tuple[str, ...] = ()
    claim_ids: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    tagged_only: bool = False
    aigc: bool = False
    since: datetime | None = None
    until: datetime | None = None
    sort: Sort = "newest"
    page: int = 1
    size: int = 20


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One result: the stored post, a snippet (HTML-escaped text with `<mark>` around matches), a score.

    `transcript_snippet` is the same for the video's transcript when the words are there, else "".
    """

    post: TaggedPost
    snippet: str
    score: float = 0.0
    transcript_snippet: str = ""


@dataclass(frozen=True, slots=True)
class SearchPage:
    total: int
    hits: list[SearchHit]
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size)) if self.size else 1


@dataclass(frozen=True, slots=True)
class CountBucket:
    """Posts per narrative per time bucket; `narrative` None is all posts, tagged or not."""

    bucket: datetime
    narrative: str | None
    count: int
    engagement: int


@dataclass(frozen=True, slots=True)
class AccountStats:
    """One account among the posts matching a query: how many, and its oldest and newest post's time."""

    platform: str
    author: str
    posts: int
    first: datetime
    last: datetime


def merge_found(posts: Iterable[TaggedPost], stored: Mapping[str, tuple[str, tuple[str, ...]]]) -> list[TaggedPost]:
    """The posts of one upsert as they will be stored: one per key, the first finder kept, every finder listed.

    `stored` maps the keys already in the store to their `(source, sources)`; copies of one post in the
    batch merge in order (later fields win, as a later upsert's would).
    """
    merged: dict[str, TaggedPost] = {}
    for tp in posts:
        before = merged.get(tp.key)
        first, found = (before.post.source, before.post.sources) if before else stored.get(tp.key, (tp.post.source, ()))
        post = tp.post.found_also_by(first, found)
        merged[tp.key] = tp if post is tp.post else replace(tp, post=post)
    return list(merged.values())


@dataclass(frozen=True, slots=True)
class StoreStats:
    backend: str
    posts: int
    tagged: int
    per_narrative: dict[str, int] = field(default_factory=dict)
    per_platform: dict[str, int] = field(default_factory=dict)
    reviewed: int = 0
    oldest: datetime | None = None
    newest: datetime | None = None


@runtime_checkable
class PostStore(Protocol):
    """Where tagged posts are indexed and searched. Writes are upserts keyed on `platform:post_id`."""

    backend: str

    def upsert(self, posts: Iterable[TaggedPost]) -> int:
        """Insert or replace each post, keeping a stored review and merging `sources` (`merge_found`);
        returns the distinct posts written."""
        ...

    def get(self, key: str) -> TaggedPost | None: ...

    def transcripts(self, keys: Iterable[str]) -> dict[str, Transcript]:
        """The stored transcripts of those posts among `keys` that have one (`process` keeps them over
        later copies of a post that come without one, such as count refreshes)."""
        ...

    def search(self, query: SearchQuery) -> SearchPage:
        """One page of hits and the exact total; raises `QueryError` for a query it cannot run."""
        ...

    def scan(self, query: SearchQuery, batch_size: int = 1000) -> Iterator[TaggedPost]:
        """Every post matching the query in its sort order, streamed (exports; ignores page/size)."""
        ...

    def counts(
        self, interval: Interval, since: datetime, until: datetime, narratives: Iterable[str] | None = None
    ) -> list[CountBucket]:
        """Per narrative and for all posts (narrative None), buckets aligned to UTC hours or days."""
        ...

    def facets(self, query: SearchQuery, field: FacetField, size: int = 10) -> list[tuple[str, int]]:
        """The most frequent values of `field` among posts matching `query`, most frequent first."""
        ...

    def accounts(self, query: SearchQuery, size: int = 100) -> list[AccountStats]:
        """Accounts among posts matching `query`: most posts first (then handle), at most `size`."""
        ...

    def set_review(self, review: Review) -> bool:
        """Attach an analyst's review to a stored post; False if the post is not in the store."""
        ...

    def delete_older_than(self, cutoff: datetime) -> int:
        """Retention: delete posts created before `cutoff`; returns how many."""
        ...

    def stats(self) -> StoreStats: ...

    def version(self) -> str:
        """Changes whenever the content changes; cache keys include it."""
        ...

    def close(self) -> None: ...
