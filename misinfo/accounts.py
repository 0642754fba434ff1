"""Newly seen accounts per narrative: which handles the archive first met in a window, and how often
they posted about the narrative there. Accounts, not people: the handle, its platform, the time of its
first public post in the archive and a count; nothing beyond the public posts.

Used by the dashboard (Trends and Sources pages) to surface accounts that hashtag and keyword
sources discover, e.g. many new TikTok accounts pushing one hoax at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from misinfo.domain import PLATFORMS
from misinfo.store.base import PostStore, SearchQuery

CANDIDATES = 200  # accounts with the most posts about the narrative in the window that are looked at


@dataclass(frozen=True, slots=True)
class NewAccount:
    platform: str
    handle: str
    first_seen: datetime  # its earliest post in the archive
    posts: int  # its posts about the narrative in the window


def newly_seen_accounts(
    store: PostStore, narrative: str, since: datetime, until: datetime, limit: int = 10
) -> list[NewAccount]:
    """Accounts posting about `narrative` in [since, until) whose earliest archived post is in that window.

    Two aggregations: the window's accounts for the narrative, then all their posts before `until`
    (any narrative), so an old account posting about it for the first time is not "new".
    """
    recent = store.accounts(SearchQuery(narratives=(narrative,), since=since, until=until), size=CANDIDATES)
    if not recent:
        return []
    handles = tuple(sorted({a.author for a in recent}))
    history = store.accounts(SearchQuery(authors=handles, until=until), size=len(handles) * len(PLATFORMS))
    first = {(a.platform, a.author): a.first for a in history}
    new = [
        NewAccount(a.platform, a.author, first.get((a.platform, a.author), a.first), a.posts)
        for a in recent
        if first.get((a.platform, a.author), a.first) >= since
    ]
    new.sort(key=lambda a: (-a.posts, -a.first_seen.timestamp(), a.handle))
    return new[:limit]
