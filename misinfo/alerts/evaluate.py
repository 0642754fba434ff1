"""What each rule sees at one hour, read through the store port (so SQLite and Elasticsearch agree).

Two shapes of rule:

- **conditions** (`narrative_burst`, `campaign`): per subject (a narrative, a copy-paste group), does
  the condition hold now? `misinfo.alerts.state` turns "holds" into "fires once per episode".
- **new posts** (`claim`, `saved_search`): per subject (a claim, a saved search), every matching post
  created in the lookback; the state remembers which were already alerted, so only new ones count.

Bursts and campaigns use `misinfo.trends`' own public functions and thresholds, so an alert and the
Trends page never disagree about what is rising.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from misinfo.alerts.rules import CampaignRule, ClaimRule, NarrativeBurstRule, SavedSearchRule
from misinfo.alerts.saved import SavedSearch
from misinfo.domain import NARRATIVES
from misinfo.errors import QueryError
from misinfo.store.base import PostStore, SearchQuery
from misinfo.trends import PostSummary, TrendParams, compute_trends, find_campaigns, floor_hour

TOP_POSTS = 3
MAX_NEW_SCAN = 2000  # matches read per subject and run; a saved search broader than this is capped


@dataclass(frozen=True, slots=True)
class Finding:
    """A condition that holds now for one subject, with the numbers and posts an alert would carry."""

    subject: str
    title: str
    numbers: dict[str, Any]
    posts: tuple[PostSummary, ...]  # the top posts, most engaging first
    keys: tuple[str, ...]  # every post the alert points to


@dataclass(frozen=True, slots=True)
class Matches:
    """Posts matching one subject of a new-posts rule, created within its lookback."""

    subject: str
    title: str
    posts: dict[str, PostSummary]  # key → post
    details: dict[str, Any] = field(default_factory=dict)
    known: frozenset[str] = frozenset()  # never new (what a saved search matched when it was attached)


def _hours(span: timedelta) -> int:
    return int(span.total_seconds() // 3600)


def burst_findings(
    store: PostStore, rule: NarrativeBurstRule, at: datetime, labels: Mapping[str, str]
) -> list[Finding]:
    """Narratives rising now by the rule's own threshold, minimum and window (see `misinfo.trends`)."""
    narratives = rule.narratives or NARRATIVES
    report = compute_trends(
        store, at=at, window=rule.window, baseline_days=rule.baseline_days,
        params=TrendParams(threshold=rule.threshold, min_count=rule.min_posts, min_accounts=rule.min_accounts,
                           min_sources=rule.min_sources, top_n=TOP_POSTS),
        narratives=narratives, labels=labels,
    )  # fmt: skip
    out = []
    for t in report.narratives:
        if not t.rising:
            continue
        numbers = {"count": t.count, "baseline": round(t.baseline, 2), "score": round(t.score, 2),
                   "growth": None if t.growth is None else round(t.growth, 3), "engagement": t.engagement,
                   "window_hours": _hours(rule.window), "threshold": rule.threshold,
                   "accounts": t.accounts, "sources": t.sources}  # fmt: skip
        keys = tuple(dict.fromkeys(p.key for p in (*t.top_posts, *t.recent_posts)))
        out.append(Finding(t.id, t.label, numbers, t.top_posts, keys))
    return out


def campaign_findings(store: PostStore, rule: CampaignRule, at: datetime) -> list[Finding]:
    """Copy-paste groups with ≥ min_accounts accounts (and ≥ min_posts posts) in the window."""
    until = floor_hour(at)
    since = until - rule.window
    params = TrendParams(campaign_min_posts=rule.min_posts, campaign_min_accounts=rule.min_accounts,
                         max_campaigns=100, top_n=TOP_POSTS)  # fmt: skip
    out = []
    for c in find_campaigns(store, since, until, since - timedelta(days=7), params):
        numbers = {"posts": c.posts_in_window, "accounts": c.accounts, "sources": c.sources,
                   "spread_minutes": round(c.spread_minutes, 1), "window_hours": _hours(rule.window),
                   "narratives": list(c.narratives), "new": c.new}  # fmt: skip
        title = c.top_posts[0].excerpt(100) if c.top_posts else c.id
        in_window = _scan(store, SearchQuery(dup_groups=(c.id,), since=since, until=until, sort="newest"))
        out.append(Finding(c.id, title, numbers, c.top_posts, tuple(in_window)))
    return out


def _scan(store: PostStore, query: SearchQuery) -> dict[str, PostSummary]:
    out: dict[str, PostSummary] = {}
    for tp in store.scan(query):
        out[tp.post.key] = PostSummary.of(tp)
        if len(out) >= MAX_NEW_SCAN:
            break
    return out


def claim_matches(store: PostStore, rule: ClaimRule, at: datetime, registry: Any = None) -> list[Matches]:
    """Per registry claim matched in the lookback: its posts (the rule's claims only, if it lists some)."""
    until = floor_hour(at)
    since = until - rule.lookback
    matched = store.facets(SearchQuery(since=since, until=until), "claim", size=500)
    out = []
    for claim_id, _n in matched:
        if rule.claims and claim_id not in rule.claims:
            continue
        claim = registry.get(claim_id) if registry is not None else None
        posts = _scan(store, SearchQuery(claim_ids=(claim_id,), since=since, until=until, sort="newest"))
        details = {"claim_text": " ".join(claim.text.split()) if claim else "",
                   "verdict": claim.verdict if claim else "", "source": claim.source if claim else "",
                   "source_url": claim.source_url if claim else ""}  # fmt: skip
        out.append(Matches(claim_id, details["claim_text"] or claim_id, posts, details))
    return out


def saved_matches(
    store: PostStore, rule: SavedSearchRule, at: datetime, searches: Sequence[SavedSearch]
) -> tuple[list[Matches], dict[str, str]]:
    """Per saved search attached to this rule: its matches in the lookback; and searches that failed
    (a query the store cannot run: its message, so one bad search never stops the others)."""
    until = floor_hour(at)
    since = until - rule.lookback
    out, failed = [], {}
    for s in searches:
        if s.alert_rule != rule.id:
            continue
        try:
            posts = _scan(store, s.query(since=since, until=until, sort="newest"))
        except QueryError as exc:
            failed[s.id] = str(exc)
            continue
        out.append(Matches(s.id, s.name, posts, {"search_name": s.name, "query": s.text,
                                                  "narratives": list(s.narratives)},
                           known=frozenset(s.baseline)))  # fmt: skip
    return out, failed
