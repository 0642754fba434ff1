"""Saved searches: an analyst's query with filters, kept with its owner, optionally attached to an alert rule.

Stored in `HOME/saved_searches.json` (written atomically under a lock, so two dashboard sessions
never lose each other's change). The dashboard checks who may change what and writes the audit
record (`dashboard.actions`); this module only keeps the file.
"""

from __future__ import annotations

import uuid
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from misinfo.domain import utcnow
from misinfo.errors import ConfigError
from misinfo.state import file_lock, read_json, write_json
from misinfo.store.base import PostStore, SearchQuery


class SavedSearch(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    name: str = Field(min_length=1, max_length=120)
    owner: str
    created_at: datetime
    text: str = Field(default="", max_length=500)
    narratives: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    review_statuses: tuple[str, ...] = ()
    aigc: bool = False  # only videos the platform labels AI-generated
    alert_rule: str | None = None
    attached_at: datetime | None = None
    baseline: tuple[str, ...] = ()  # posts matching when it was attached: never "new" for the rule

    def query(self, **kw: Any) -> SearchQuery:
        """The search with its filters; `kw` adds since/until/sort/size."""
        return SearchQuery(text=self.text, narratives=self.narratives, platforms=self.platforms,
                           sources=self.sources, review_statuses=self.review_statuses, aigc=self.aigc, **kw)  # fmt: skip


def saved_path(home: Path) -> Path:
    return Path(home) / "saved_searches.json"


def _lock(home: Path) -> AbstractContextManager[None]:
    return file_lock(Path(home) / "state" / "saved_searches.lock")


def load_saved(home: Path) -> list[SavedSearch]:
    """Every saved search, oldest first; a damaged file is one ConfigError naming it."""
    path = saved_path(home)
    data = read_json(path, {"searches": []})
    try:
        return [SavedSearch.model_validate(item) for item in data.get("searches", [])]
    except (ValidationError, AttributeError) as exc:
        raise ConfigError(f"saved searches file {path} is damaged: {exc}") from None


def _write(home: Path, searches: list[SavedSearch]) -> None:
    write_json(saved_path(home), {"searches": [s.model_dump(mode="json") for s in searches]})


def current_matches(store: PostStore, query: SearchQuery, lookback: timedelta, limit: int = 5000) -> tuple[str, ...]:
    """Keys of the posts a search matches now within `lookback`: what the analyst has already seen,
    so attaching the search to a rule alerts only on what arrives afterwards."""
    since = utcnow() - lookback
    keys = []
    for tp in store.scan(replace(query, since=since, until=None, sort="newest")):
        keys.append(tp.post.key)
        if len(keys) >= limit:
            break
    return tuple(keys)


def add_saved(home: Path, owner: str, name: str, query: SearchQuery, alert_rule: str | None = None,
              baseline: tuple[str, ...] = ()) -> SavedSearch:  # fmt: skip
    """Save `query`'s text and filters (not its dates, sort or page) under `name` for `owner`;
    `baseline` (with `alert_rule`): the keys it matches now (`current_matches`)."""
    now = utcnow()
    try:
        search = SavedSearch(
            id=uuid.uuid4().hex[:10], name=name.strip(), owner=owner, created_at=now, text=query.text.strip(),
            narratives=query.narratives, platforms=query.platforms, sources=query.sources,
            review_statuses=query.review_statuses, aigc=query.aigc, alert_rule=alert_rule or None,
            attached_at=now if alert_rule else None, baseline=baseline if alert_rule else (),
        )  # fmt: skip
    except ValidationError as exc:
        raise ConfigError(f"cannot save the search: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}") from None
    with _lock(home):
        _write(home, [*load_saved(home), search])
    return search


def get_saved(home: Path, search_id: str) -> SavedSearch:
    found = next((s for s in load_saved(home) if s.id == search_id), None)
    if found is None:
        raise ConfigError(f"no saved search {search_id!r}")
    return found


def attach(home: Path, search_id: str, rule_id: str | None, baseline: tuple[str, ...] = ()) -> SavedSearch:
    """Attach the search to an alert rule (None detaches); the `baseline` posts (those it matches now)
    are never new for the rule."""
    with _lock(home):
        searches = load_saved(home)
        out = []
        changed: SavedSearch | None = None
        for s in searches:
            if s.id == search_id:
                s = s.model_copy(update={"alert_rule": rule_id or None, "attached_at": utcnow() if rule_id else None,
                                         "baseline": baseline if rule_id else ()})
                changed = s
            out.append(s)
        if changed is None:
            raise ConfigError(f"no saved search {search_id!r}")
        _write(home, out)
    return changed


def remove_saved(home: Path, search_id: str) -> SavedSearch:
    with _lock(home):
        searches = load_saved(home)
        gone = next((s for s in searches if s.id == search_id), None)
        if gone is None:
            raise ConfigError(f"no saved search {search_id!r}")
        _write(home, [s for s in searches if s.id != search_id])
    return gone
