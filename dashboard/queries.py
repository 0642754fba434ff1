"""What the pages read: plain functions over the store port, and their cached wrappers.

The plain functions take a `PostStore` and return small records or frames, so they are tested
without Streamlit. The `cached_*` wrappers key every result on the query AND `store.version()`
(which changes on each write), so a new crawl or a saved review shows at once while an unchanged
store answers from the cache. Nothing here loads a whole table: counts come from the store's
aggregations, lists from one page of search, exports from `store.scan` in batches.
"""

from __future__ import annotations

import csv
import heapq
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any, BinaryIO
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from misinfo import fmt
from misinfo.accounts import NewAccount, newly_seen_accounts
from misinfo.audit import audit
from misinfo.domain import TaggedPost, utcnow
from misinfo.safe import csv_cell
from misinfo.settings import Settings
from misinfo.store.base import CountBucket, PostStore, SearchPage, SearchQuery
from misinfo.trends import TrendParams, TrendReport, compute_trends, floor_hour

CACHE_TTL = 600  # seconds; the version key already invalidates on writes, this bounds memory
EXPORT_BATCH = 1000
REVIEW_SCAN_LIMIT = 50_000  # the review queue never reads more candidates than this


# --- the store and the labels ------------------------------------------------------------------


def store_key(settings: Settings) -> str:
    """Identifies the store a cache entry came from (two dashboards, two stores, no mix-ups)."""
    if settings.store == "elasticsearch":
        return f"elasticsearch:{settings.es_url}/{settings.es_index}"
    return f"sqlite:{Path(settings.sqlite_file).resolve()}"


@st.cache_resource(show_spinner=False)
def open_cached_store(key: str, _settings: Settings) -> PostStore:
    """One store connection per server (the SQLite adapter is thread-safe); `key` is the cache key."""
    from misinfo.store import open_store

    return open_store(_settings)


@st.cache_data(show_spinner=False)
def narrative_labels(path: str) -> dict[str, str]:
    """Narrative id → Vietnamese label, from the taxonomy file (`settings.narratives`)."""
    from nlp.taxonomy import load_taxonomy

    return {n.id: n.label for n in load_taxonomy(Path(path)).narratives}


@st.cache_data(show_spinner=False)
def narrative_descriptions(path: str) -> dict[str, str]:
    from nlp.taxonomy import load_taxonomy

    return {n.id: " ".join(n.description.split()) for n in load_taxonomy(Path(path)).narratives}


@st.cache_data(show_spinner=False)
def claim_texts(path: str) -> dict[str, dict[str, str]]:
    """Claim id → its text, verdict and source, from the fact-check registry (`settings.claims`)."""
    from nlp.claims import load_registry

    return {
        c.id: {"text": " ".join(c.text.split()), "verdict": c.verdict, "source": c.source, "url": c.source_url}
        for c in load_registry(Path(path)).claims
    }


# --- time ----------------------------------------------------------------------------------------


def day_bounds(start: date, end: date, tz: str) -> tuple[datetime, datetime]:
    """Local calendar days [start, end] as a UTC half-open range, as the store filters take it."""
    zone = ZoneInfo(tz)
    lo = datetime.combine(start, time.min, zone).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time.min, zone).astimezone(UTC)
    return lo, hi


def report_end(newest: datetime | None, now: datetime | None = None) -> tuple[datetime, bool]:
    """Where the Trends page's window ends: now, or just after the newest post when nothing came since.

    A store whose crawls stopped would otherwise show an empty "last 24 hours"; the page says
    plainly that it is anchored (the bool) so nobody mistakes old numbers for today's.
    """
    now = floor_hour(now or utcnow()) + timedelta(hours=1)
    if newest is None or newest >= now - timedelta(hours=24):
        return now, False
    return floor_hour(newest) + timedelta(hours=1), True


# --- plain queries -------------------------------------------------------------------------------


def trend_report(store: PostStore, settings: Settings, at: datetime, window: timedelta) -> TrendReport:
    """The trend numbers, without top posts (`top_n=0`).

    `compute_trends` would fetch top and recent posts for every narrative and claim (two searches
    each, ~0.1 s apiece on 200,000 posts); the page fetches posts only for what it shows (rising
    narratives, claims), through the cached search, which keeps the Trends page under 2 s.
    """
    from nlp.claims import load_registry

    return compute_trends(
        store,
        at=at,
        window=window,
        baseline_days=settings.trend_baseline_days,
        params=TrendParams(threshold=settings.trend_threshold, min_count=settings.trend_min_count, top_n=0),
        labels=narrative_labels(str(settings.narratives)),
        registry=load_registry(Path(settings.claims)),
    )


def count_frame(
    buckets: Sequence[CountBucket],
    interval: str,
    since: datetime,
    until: datetime,
    labels: dict[str, str],
    tz: str,
    narratives: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Counts per narrative per bucket, zero-filled (a gap is "no posts", not a line drawn across it).

    Hourly store buckets are summed into local days for `interval="day"`, so a day on the chart is
    a Vietnamese calendar day, not a UTC one.
    """
    ids = list(narratives) if narratives is not None else list(labels)
    zone = ZoneInfo(tz)
    step = timedelta(hours=1) if interval == "hour" else timedelta(days=1)

    def bucket_of(t: datetime) -> datetime:
        local = t.astimezone(zone)
        if interval == "day":
            local = local.replace(hour=0, minute=0, second=0, microsecond=0)
        else:
            local = local.replace(minute=0, second=0, microsecond=0)
        return local.replace(tzinfo=None)

    first, last = bucket_of(since), bucket_of(until - timedelta(microseconds=1))
    slots = []
    cur = first
    while cur <= last:
        slots.append(cur)
        cur += step
    counts: dict[tuple[datetime, str], int] = {}
    for b in buckets:
        if b.narrative is None or b.narrative not in ids:
            continue
        k = (bucket_of(b.bucket), b.narrative)
        counts[k] = counts.get(k, 0) + b.count
    rows = [
        {"time": s, "narrative": labels.get(n, n), "count": counts.get((s, n), 0)} for s in slots for n in ids
    ]
    return pd.DataFrame(rows, columns=["time", "narrative", "count"])


def window_totals(buckets: Sequence[CountBucket], at: datetime) -> dict[str, int]:
    """All posts (tagged or not) in the last 24 h, the 24 h before, and the last 7 days."""
    out = {"24h": 0, "prev_24h": 0, "7d": 0}
    for b in buckets:
        if b.narrative is not None:
            continue
        age = at - b.bucket
        if timedelta(0) < age <= timedelta(hours=24):
            out["24h"] += b.count
        elif timedelta(hours=24) < age <= timedelta(hours=48):
            out["prev_24h"] += b.count
        if timedelta(0) < age <= timedelta(days=7):
            out["7d"] += b.count
    return out


def review_queue(
    store: PostStore, narratives: tuple[str, ...] = (), since: datetime | None = None, limit: int = 20
) -> tuple[int, list[TaggedPost]]:
    """Tagged, unreviewed posts, highest tag score first: (how many wait, the first `limit`).

    The store sorts by time or engagement, not by tag score, so the candidates are streamed
    (`scan`, batches) and the best kept in a bounded heap: memory stays at `limit` posts.
    """
    query = SearchQuery(
        narratives=narratives, review_statuses=("unreviewed",), tagged_only=True, since=since, sort="newest"
    )
    total = store.search(replace(query, size=1)).total
    candidates = _take(store.scan(query, batch_size=EXPORT_BATCH), REVIEW_SCAN_LIMIT)

    def best_score(tp: TaggedPost) -> tuple[float, float]:
        scores = [t.score for t in tp.tags if not narratives or t.narrative in narratives]
        return (max(scores, default=0.0), tp.post.created_at.timestamp())

    return total, heapq.nlargest(limit, candidates, key=best_score)


def _take(items: Iterator[TaggedPost], n: int) -> Iterator[TaggedPost]:
    for i, item in enumerate(items):
        if i >= n:
            return
        yield item


CSV_FIELDS = (
    "key", "platform", "source", "url", "created_at", "narratives", "scores", "claims", "dup_group",
    "review_status", "review_note", "views", "likes", "comments", "shares", "text", "transcript", "aigc",
    "location_created",
)  # fmt: skip


def csv_row(tp: TaggedPost, tz: str) -> list[Any]:
    p = tp.post
    return [
        p.key,
        p.platform,
        "; ".join(p.sources),  # every source that found it, the first finder among them
        p.url,
        fmt.local(p.created_at, tz).strftime("%Y-%m-%d %H:%M"),
        "; ".join(tp.narratives),
        "; ".join(f"{t.score:.2f}" for t in tp.tags),
        "; ".join(c.claim_id for c in tp.claims),
        tp.dup_group or "",
        tp.review_status,
        tp.review.note if tp.review else "",
        p.metrics.views,
        p.metrics.likes,
        p.metrics.comments,
        p.metrics.shares,
        p.text,
        p.transcript.text if p.transcript else "",
        (p.aigc_description or "AI") if p.aigc else "",
        p.location_created,
    ]


def write_csv(store: PostStore, query: SearchQuery, out: IO[str], tz: str, header: Sequence[str]) -> int:
    """Every post matching `query` (all pages), streamed from `store.scan` in batches; returns rows.

    Each cell goes through `csv_cell`: a post beginning with `=`, `+`, `-` or `@` is text in Excel,
    never a formula, and invisible controls are gone.
    """
    writer = csv.writer(out)
    writer.writerow(header)
    n = 0
    for tp in store.scan(query, batch_size=EXPORT_BATCH):
        writer.writerow([csv_cell(v) for v in csv_row(tp, tz)])
        n += 1
    return n


def export_file(
    store: PostStore, query: SearchQuery, *, home: Path, who: str, tz: str, header: Sequence[str]
) -> BinaryIO:
    """The CSV of all matching posts as a file object, written batch by batch to a temporary file.

    Called by `st.download_button` only when the analyst clicks (deferred data), on its own
    thread; the export is audited with its row count. UTF-8 with a BOM so Excel shows Vietnamese.
    """
    raw = tempfile.TemporaryFile()  # noqa: SIM115  (returned open: Streamlit reads and closes it)
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    rows = write_csv(store, query, text, tz, header)
    text.flush()
    text.detach()
    raw.seek(0)
    audit(home, who=who, action="export", rows=rows, **query_details(query))
    return raw


def query_details(query: SearchQuery) -> dict[str, Any]:
    """What the audit log records of a search: the text and the filters, never the results."""
    return {
        "query": query.text,
        "filters": {
            "narratives": list(query.narratives),
            "platforms": list(query.platforms),
            "sources": list(query.sources),
            "review_statuses": list(query.review_statuses),
            "since": query.since.isoformat() if query.since else None,
            "until": query.until.isoformat() if query.until else None,
        },
        "sort": query.sort,
        "page": query.page,
    }


# --- alerts and saved searches -------------------------------------------------------------------

ALERT_POSTS = 50  # posts shown for one alert


def recent_alerts(home: Path, days: int | None = None, alert_id: str | None = None) -> list[dict[str, Any]]:
    """Alerts from the sent-alert log, newest first, each with its per-channel delivery status."""
    from misinfo.alerts.state import recent_alerts as read

    return read(home, since=utcnow() - timedelta(days=days) if days else None, alert_id=alert_id)


def alert_record(data: dict[str, Any]) -> Any:
    from misinfo.alerts.state import Alert

    return Alert.from_json(data)


def alert_title(alert: Any) -> str:
    from misinfo.alerts.message import title

    return title(alert)


def alert_details(alert: Any) -> list[str]:
    from misinfo.alerts.message import details

    return details(alert)


def alert_posts(store: PostStore, keys: Sequence[str]) -> tuple[list[TaggedPost], int]:
    """The alert's posts still in the store (newest first), and how many are gone (retention)."""
    found = [tp for tp in (store.get(k) for k in keys[:ALERT_POSTS]) if tp is not None]
    found.sort(key=lambda tp: tp.post.created_at, reverse=True)
    return found, min(len(keys), ALERT_POSTS) - len(found)


def saved_searches(home: Path) -> list[Any]:
    from misinfo.alerts.saved import load_saved

    return load_saved(home)


def saved_search_rules(path: str) -> dict[str, str]:
    """The saved-search rules of the rules file a search may be attached to: id → label."""
    from misinfo.alerts.rules import load_rules

    return {r.id: r.label or r.id for r in load_rules(Path(path)).saved_search_rules()}


# --- sources -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceHealth:
    key: str
    label: str
    platform: str
    enabled: bool
    configured: bool
    last_run: datetime | None
    status: str  # ok | blocked | error | never
    items: int
    new_items: int
    blocks: int
    block_kinds: str
    errors: int
    last_ok: datetime | None
    failing_runs: int  # consecutive latest runs that were not ok
    message: str
    mode: str = ""  # how the last run fetched: http or browser ("" before browser mode existed)
    transcripts_fetched: int = 0  # caption tracks read in the last run
    transcripts_missed: int = 0  # tracks not read (expired, failed, broken…): the next crawl tries again

    @property
    def failing(self) -> bool:
        return self.status in ("blocked", "error")


def _parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def source_health(sources: Sequence[Any], runs: Sequence[Any]) -> list[SourceHealth]:
    """One row per configured source (and per source seen in the log but no longer configured).

    `sources` are `misinfo.sources.Source`, `runs` `misinfo.crawl.CrawlReport`, oldest first.
    """
    by_source: dict[str, list[Any]] = {}
    for r in runs:
        by_source.setdefault(r.source, []).append(r)
    rows = []
    configured = {s.key: s for s in sources}
    keys = list(configured) + [k for k in by_source if k not in configured]
    for key in keys:
        src = configured.get(key)
        history = by_source.get(key, [])
        last = history[-1] if history else None
        failing = 0
        for r in reversed(history):
            if r.status == "ok":
                break
            failing += 1
        last_ok = next((r for r in reversed(history) if r.status == "ok"), None)
        rows.append(
            SourceHealth(
                key=key,
                label=(src.label or src.target) if src else key,
                platform=src.platform if src else (last.platform if last else ""),
                enabled=bool(src.enabled) if src else False,
                configured=src is not None,
                last_run=_parse_time(last.finished_at or last.started_at) if last else None,
                status=last.status if last else "never",
                items=last.items if last else 0,
                new_items=last.new_items if last else 0,
                blocks=sum(last.blocks.values()) if last else 0,
                block_kinds=", ".join(f"{k} × {v}" for k, v in sorted(last.blocks.items())) if last else "",
                errors=(last.parse_errors + last.http_errors) if last else 0,
                last_ok=_parse_time(last_ok.finished_at) if last_ok else None,
                failing_runs=failing,
                message=last.message if last else "",
                mode=getattr(last, "mode", "") if last else "",
                transcripts_fetched=last.transcripts.get("fetched", 0) if last else 0,
                transcripts_missed=sum(v for k, v in last.transcripts.items() if k not in ("fetched", "gave_up"))
                if last else 0,
            )
        )
    rows.sort(key=lambda r: (not r.failing, not r.configured, r.key))
    return rows


def runs_frame(runs: Sequence[Any], tz: str, days: int = 14, now: datetime | None = None) -> pd.DataFrame:
    """New items per run per source over the last `days`, for the Sources chart."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    rows = []
    for r in runs:
        when = _parse_time(r.finished_at or r.started_at)
        if when is None or when < cutoff:
            continue
        rows.append(
            {
                "time": fmt.local(when, tz).replace(tzinfo=None),
                "source": r.source,
                "new_items": r.new_items,
                "status": r.status,
            }
        )
    return pd.DataFrame(rows, columns=["time", "source", "new_items", "status"])


# --- cached wrappers (keyed on the query and the store version) ----------------------------------


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def cached_newest(_store: PostStore, key: str, version: str) -> tuple[datetime | None, int]:
    """When the newest post was created, and how many posts the store holds (one indexed query)."""
    page = _store.search(SearchQuery(sort="newest", size=1))
    return (page.hits[0].post.post.created_at if page.hits else None), page.total


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def cached_trends(
    _store: PostStore, _settings: Settings, key: str, version: str, at: datetime, window_hours: int,
    config: tuple[str, str, float, int, int],
) -> TrendReport:  # fmt: skip
    return trend_report(_store, _settings, at, timedelta(hours=window_hours))


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def cached_counts(
    _store: PostStore, key: str, version: str, interval: str, since: datetime, until: datetime,
    narratives: tuple[str, ...] | None,
) -> list[CountBucket]:  # fmt: skip
    return _store.counts(interval, since, until, narratives)  # type: ignore[arg-type]


@st.cache_data(ttl=CACHE_TTL, max_entries=256, show_spinner=False)
def cached_search(_store: PostStore, key: str, version: str, query: SearchQuery) -> SearchPage:
    return _store.search(query)


@st.cache_data(ttl=CACHE_TTL, max_entries=256, show_spinner=False)
def cached_facets(
    _store: PostStore, key: str, version: str, query: SearchQuery, field: str, size: int
) -> list[tuple[str, int]]:
    return _store.facets(query, field, size)  # type: ignore[arg-type]


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def cached_new_accounts(
    _store: PostStore, key: str, version: str, narratives: tuple[str, ...], since: datetime, until: datetime, limit: int
) -> dict[str, list[NewAccount]]:
    """Newly seen accounts per narrative (those with none left out)."""
    found = {n: newly_seen_accounts(_store, n, since, until, limit) for n in narratives}
    return {n: accounts for n, accounts in found.items() if accounts}


@st.cache_data(ttl=CACHE_TTL, max_entries=64, show_spinner=False)
def cached_review_queue(
    _store: PostStore, key: str, version: str, narratives: tuple[str, ...], since: datetime | None, limit: int
) -> tuple[int, list[TaggedPost]]:
    return review_queue(_store, narratives, since, limit)
