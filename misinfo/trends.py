"""Which narratives are rising, which copy-paste campaigns grow, which known false claims spread.

Built on the store port only (`counts`, `search`, `facets`, `scan`), so SQLite and Elasticsearch
give the same report.

How a narrative is scored (Principle 6: every trend carries its numbers):

- **count**: posts tagged with the narrative in the window `[at - window, at)`.
- **baseline**: the mean count of the same-length windows ending at the same hour of day on each
  of the previous `baseline_days` days (for windows longer than a day, the step is whole days ≥ the
  window, so windows never overlap). Comparing like hours means "every evening is busier" is not a burst.
- **score**: a z-score from the *exact conditional test for two Poisson rates* (Przyborowski–Wilenski):
  given the `n` posts in the current window plus the N baseline windows, under "no change" the current
  window's share is Binomial(n, 1/(N+1)). The one-sided mid-p value of the observed count is mapped to a
  standard-normal z. Unlike `(count - mean) / sqrt(mean)` it stays honest at small counts (1 → 3 posts
  scores about 1.4, not "+200%") and accounts for the baseline itself being an estimate. When the
  baseline windows vary more than Poisson allows (sample variance > mean, e.g. a weekly rhythm whose
  busy day is in the baseline), the score is capped by the over-dispersed z
  `(count - mean) / sqrt(s² · (1 + 1/N))` (quasi-Poisson), so regular swings are not bursts.
- **rising**: score ≥ `threshold` AND count ≥ `min_count` AND the store has history in the baseline
  period (an empty history cannot say what is normal) AND the rise is carried by the crowd, not by one
  source's own topic: the window's posts come from at least `min_accounts` accounts and `min_sources`
  sources, and the score still reaches `threshold` without the busiest source's posts
  (`score_without_top_source`). A travel page's seasonal posts before Tết, some of them mis-tagged,
  are one source's rise; a hoax that many accounts on many pages repeat is not.
- **growth**: `(count - baseline) / baseline`, reported only when the baseline is at least
  `growth_min_baseline` (5 posts; None otherwise: a ratio over one or two posts means nothing).
"""

from __future__ import annotations

import dataclasses
import math
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from misinfo.domain import NARRATIVES, TaggedPost
from misinfo.errors import QueryError
from misinfo.store.base import CountBucket, PostStore, SearchQuery

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
Z_CAP = 40.0
_NORMAL = statistics.NormalDist()


@dataclass(frozen=True, slots=True)
class TrendParams:
    """The knobs of trend detection, with defaults that suit a provincial monitoring desk."""

    threshold: float = 3.0  # z-score at or above which a narrative counts as rising
    min_count: int = 5  # fewer posts than this in the window is never "rising"
    growth_min_baseline: float = 5.0  # below this baseline a growth ratio is not reported
    top_n: int = 5  # top posts kept per trend
    min_accounts: int = 3  # a rising narrative's window posts come from at least this many accounts
    min_sources: int = 2  # ... and this many sources
    campaign_min_posts: int = 3  # a copy-paste group needs this many posts in the window
    campaign_min_accounts: int = 2  # ... from at least this many distinct accounts
    max_campaigns: int = 20
    max_claims: int = 20


@dataclass(frozen=True, slots=True)
class PostSummary:
    """What a reader needs to judge a post without searching for it (no author: narratives, not people)."""

    key: str
    platform: str
    source: str
    url: str
    created_at: datetime
    engagement: int
    text: str
    narratives: tuple[str, ...]

    @classmethod
    def of(cls, tp: TaggedPost) -> PostSummary:
        p = tp.post
        return cls(
            key=p.key,
            platform=p.platform,
            source=p.source,
            url=p.url,
            created_at=p.created_at,
            engagement=p.metrics.engagement,
            text=p.text,
            narratives=tp.narratives,
        )

    def excerpt(self, limit: int = 220) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

    def to_json(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "source": self.source,
            "url": self.url,
            "created_at": self.created_at.isoformat(),
            "engagement": self.engagement,
            "excerpt": self.excerpt(),
            "narratives": list(self.narratives),
        }


def record_json(record: Any, **digits: int) -> dict[str, Any]:
    """A trend record as JSON, every field in order: posts by key (the report lists them once),
    times in ISO 8601, floats rounded (3 places unless `digits` says otherwise per field)."""
    return {f.name: _json_value(getattr(record, f.name), digits.get(f.name, 3)) for f in dataclasses.fields(record)}


def _json_value(value: Any, digits: int) -> Any:
    if isinstance(value, PostSummary):
        return value.key
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, tuple):
        return [_json_value(v, digits) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class NarrativeTrend:
    id: str
    label: str
    count: int
    engagement: int
    baseline: float
    baseline_counts: tuple[int, ...]
    score: float
    growth: float | None
    rising: bool
    previous: int  # the same window one step (a day) earlier
    top_posts: tuple[PostSummary, ...] = ()
    recent_posts: tuple[PostSummary, ...] = ()
    accounts: int = 0  # distinct, in the window (counted only when the score passes the threshold)
    sources: int = 0  # distinct, in the window (idem)
    score_without_top_source: float | None = None  # the score without the busiest source's window posts

    def to_json(self) -> dict[str, Any]:
        return record_json(self, score=2, score_without_top_source=2)


@dataclass(frozen=True, slots=True)
class Campaign:
    """A near-duplicate group that grew in the window: the same text pushed by several accounts."""

    id: str
    posts: int  # in the lookback period (window + baseline)
    posts_in_window: int
    accounts: int  # distinct, in the window
    sources: int  # distinct, in the window
    first_seen: datetime
    last_seen: datetime
    spread_minutes: float  # first to last post within the window
    median_gap_minutes: float | None  # between consecutive posts within the window
    new: bool  # first seen inside the window
    narratives: tuple[str, ...]
    engagement: int
    top_posts: tuple[PostSummary, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return record_json(self, spread_minutes=1, median_gap_minutes=1)


@dataclass(frozen=True, slots=True)
class ClaimTrend:
    """A fact-check registry claim repeated in the window."""

    id: str
    text: str
    verdict: str
    source: str
    source_url: str
    count: int
    previous: int  # matches in the baseline period
    new: bool  # no match in the baseline period
    top_posts: tuple[PostSummary, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return record_json(self)


@dataclass(frozen=True, slots=True)
class TrendReport:
    at: datetime
    window: timedelta
    baseline_days: int
    params: TrendParams
    total: int  # all posts in the window, tagged or not
    history: bool  # the store holds posts in the baseline period
    narratives: tuple[NarrativeTrend, ...]
    campaigns: tuple[Campaign, ...] = ()
    claims: tuple[ClaimTrend, ...] = ()

    @property
    def since(self) -> datetime:
        return self.at - self.window

    @property
    def rising(self) -> tuple[NarrativeTrend, ...]:
        return tuple(sorted((n for n in self.narratives if n.rising), key=lambda n: -n.score))

    def posts(self) -> dict[str, PostSummary]:
        """Every post the report points to, by key."""
        out: dict[str, PostSummary] = {}
        groups = [*(n.top_posts + n.recent_posts for n in self.narratives),
                  *(c.top_posts for c in self.campaigns), *(c.top_posts for c in self.claims)]
        for posts in groups:
            for p in posts:
                out.setdefault(p.key, p)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "window": format_window(self.window),
            "at": self.at.isoformat(),
            "since": self.since.isoformat(),
            "baseline_days": self.baseline_days,
            "threshold": self.params.threshold,
            "min_count": self.params.min_count,
            "total": self.total,
            "history": self.history,
            "narratives": [n.to_json() for n in self.narratives],
            "campaigns": [c.to_json() for c in self.campaigns],
            "claims": [c.to_json() for c in self.claims],
            "posts": {k: p.to_json() for k, p in self.posts().items()},
        }


# --- window and time helpers ---------------------------------------------------------------------

_WINDOW_RE = re.compile(r"^\s*(\d+)\s*([hd])\s*$", re.IGNORECASE)


def parse_window(text: str) -> timedelta:
    """`24h`, `6h`, `2d` → timedelta; whole hours only, because counts come in hourly buckets."""
    m = _WINDOW_RE.match(text or "")
    if not m or int(m.group(1)) == 0:
        raise QueryError(f"window {text!r} not understood: use whole hours or days such as 24h, 6h or 2d")
    amount, unit = int(m.group(1)), m.group(2).lower()
    window = timedelta(hours=amount) if unit == "h" else timedelta(days=amount)
    if window > timedelta(days=30):
        raise QueryError(f"window {text!r} is too long: at most 30d")
    return window


def format_window(window: timedelta) -> str:
    hours = int(window.total_seconds() // 3600)
    return f"{hours // 24}d" if hours % 24 == 0 and hours >= 48 else f"{hours}h"


def floor_hour(value: datetime) -> datetime:
    """Counts come in UTC hour buckets, so a report ends on a whole hour (the digest's local midnight does)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.replace(minute=0, second=0, microsecond=0)


def baseline_step(window: timedelta) -> timedelta:
    """Whole days, at least the window: baseline windows keep the hour of day and never overlap."""
    return DAY * max(1, math.ceil(window / DAY))


# --- the score -----------------------------------------------------------------------------------


def _log_binom_pmf(k: int, n: int, lg_n1: float, log_p: float, log_q: float) -> float:
    return lg_n1 - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * log_p + (n - k) * log_q


def binom_mid_p(k: int, n: int, p: float) -> float:
    """One-sided mid-p value P(X > k) + P(X = k)/2 for X ~ Binomial(n, p).

    A few lines of log-space summation (stopping once terms are negligible) instead of
    `scipy.stats.binom`: importing scipy costs more than half the one-second budget of
    `misinfo trends`. Tested against scipy in tests/misinfo/test_trends.py.
    """
    if n <= 0 or k > n:
        return 0.0 if k > n else 0.5
    if p <= 0.0:
        return 0.5 if k == 0 else 0.0
    if p >= 1.0:
        return 0.5 if k == n else (1.0 if k < n else 0.0)
    lg_n1, log_p, log_q = math.lgamma(n + 1), math.log(p), math.log1p(-p)
    at_k = math.exp(_log_binom_pmf(k, n, lg_n1, log_p, log_q))

    def tail(start: int, stop: int, step: int) -> float:
        total = 0.0
        for j in range(start, stop, step):
            term = math.exp(_log_binom_pmf(j, n, lg_n1, log_p, log_q))
            total += term
            if term == 0.0 or term < 1e-17 * total:  # terms only shrink from here
                break
        return total

    # above the mean the upper tail shrinks from k on: sum it; below, take 1 - the (shrinking) lower tail
    above = tail(k + 1, n + 1, 1) if k >= n * p else max(0.0, 1.0 - tail(k, -1, -1))
    return min(1.0, above + at_k / 2)


def z_from_p(p: float) -> float:
    """Standard-normal z with upper-tail probability p, capped at ±Z_CAP."""
    if p <= 0.0:
        return Z_CAP
    if p >= 1.0:
        return -Z_CAP
    z = -_NORMAL.inv_cdf(p) if p < 0.5 else _NORMAL.inv_cdf(1.0 - p)
    return max(-Z_CAP, min(Z_CAP, z))


def burst_score(count: int, baseline_counts: Iterable[int]) -> float:
    """The score described in the module docstring: exact Poisson-rate test, capped under over-dispersion."""
    base = list(baseline_counts)
    if not base:
        return 0.0
    n_windows = len(base)
    total = count + sum(base)
    score = z_from_p(binom_mid_p(count, total, 1.0 / (n_windows + 1)))
    mean = sum(base) / n_windows
    if n_windows >= 2:
        var = statistics.variance(base)
        if var > mean:
            z_disp = (count - mean) / math.sqrt(var * (1 + 1 / n_windows))
            score = min(score, z_disp)
    return score


def growth_ratio(count: int, baseline: float, min_base: float) -> float | None:
    """Relative growth, or None when the baseline is too small for a ratio to mean anything."""
    if baseline < max(min_base, 1e-9):
        return None
    return (count - baseline) / baseline


# --- the report ----------------------------------------------------------------------------------


def compute_trends(
    store: PostStore,
    *,
    at: datetime,
    window: timedelta = DAY,
    baseline_days: int = 7,
    params: TrendParams | None = None,
    narratives: Iterable[str] = NARRATIVES,
    labels: Mapping[str, str] | None = None,
    registry: Any = None,
) -> TrendReport:
    """The trend report for the window ending at `at` (floored to the hour).

    `labels` maps narrative ids to display names; `registry` (an `nlp.claims.Registry`) adds each
    claim's text, verdict and source.
    """
    params = params or TrendParams()
    if window < HOUR or window % HOUR:
        raise QueryError("the window must be a whole number of hours")
    if baseline_days < 1:
        raise QueryError("baseline_days must be at least 1")
    at = floor_hour(at)
    since = at - window
    step = baseline_step(window)
    ids = tuple(narratives)
    labels = labels or {}
    lookback = since - step * baseline_days

    buckets = store.counts("hour", lookback, at, ids)
    windows = [(since - step * k, at - step * k) for k in range(baseline_days + 1)]  # 0 = current
    counts, engagement = _window_sums(buckets, windows)
    history = any(counts[None][k] for k in range(1, baseline_days + 1))

    trends = []
    for nid in ids:
        per = counts[nid]
        count, base = per[0], tuple(per[1:])
        mean = sum(base) / len(base)
        score = burst_score(count, base)
        rising = history and score >= params.threshold and count >= params.min_count
        spread = _spread(store, SearchQuery(narratives=(nid,), since=since, until=at), count, base) if rising else None
        if spread is not None:
            rising = (spread.accounts >= params.min_accounts and spread.sources >= params.min_sources
                      and spread.score_without_top >= params.threshold)
        top, recent = _top_posts(store, SearchQuery(narratives=(nid,), since=since, until=at), params.top_n, count)
        trends.append(
            NarrativeTrend(
                id=nid,
                label=labels.get(nid, nid),
                count=count,
                engagement=engagement[nid][0],
                baseline=mean,
                baseline_counts=base,
                score=score,
                growth=growth_ratio(count, mean, params.growth_min_baseline),
                rising=rising,
                previous=per[1],
                top_posts=top,
                recent_posts=recent,
                accounts=spread.accounts if spread else 0,
                sources=spread.sources if spread else 0,
                score_without_top_source=spread.score_without_top if spread else None,
            )
        )
    trends.sort(key=lambda t: (not t.rising, -t.score, t.id))
    return TrendReport(
        at=at,
        window=window,
        baseline_days=baseline_days,
        params=params,
        total=counts[None][0],
        history=history,
        narratives=tuple(trends),
        campaigns=tuple(find_campaigns(store, since, at, lookback, params)),
        claims=tuple(find_claims(store, since, at, lookback, params, registry)),
    )


@dataclass(frozen=True, slots=True)
class _Spread:
    accounts: int
    sources: int
    score_without_top: float


def _spread(store: PostStore, query: SearchQuery, count: int, base: tuple[int, ...]) -> _Spread:
    """Who carries a rise: distinct accounts and sources, and the score without the busiest source."""
    sources = store.facets(query, "source", size=1000)
    accounts = store.facets(query, "author", size=1000)
    top = sources[0][1] if sources else 0
    return _Spread(len(accounts), len(sources), burst_score(count - top, base))


def _window_sums(
    buckets: list[CountBucket], windows: list[tuple[datetime, datetime]]
) -> tuple[dict[str | None, list[int]], dict[str | None, list[int]]]:
    """Sum hourly buckets into each window: counts[narrative][k], engagement[narrative][k]."""
    counts: dict[str | None, list[int]] = defaultdict(lambda: [0] * len(windows))
    eng: dict[str | None, list[int]] = defaultdict(lambda: [0] * len(windows))
    for b in buckets:
        for k, (lo, hi) in enumerate(windows):
            if lo <= b.bucket < hi:
                counts[b.narrative][k] += b.count
                eng[b.narrative][k] += b.engagement
                break
    return counts, eng


def _top_posts(
    store: PostStore, query: SearchQuery, n: int, count: int | None = None
) -> tuple[tuple[PostSummary, ...], tuple[PostSummary, ...]]:
    """Top posts by engagement and the most recent ones, so nobody has to search for them.

    `count` (posts matching, when known) saves queries: none for 0, one when all fit in a page.
    """
    if n <= 0 or count == 0:
        return (), ()
    page = store.search(replace(query, sort="engagement", size=n))
    top = tuple(PostSummary.of(h.post) for h in page.hits)
    if page.total <= n:
        return top, tuple(sorted(top, key=lambda p: (p.created_at, p.key), reverse=True))
    newest = store.search(replace(query, sort="newest", size=n)).hits
    return top, tuple(PostSummary.of(h.post) for h in newest)


def find_campaigns(
    store: PostStore, since: datetime, until: datetime, lookback: datetime, params: TrendParams
) -> list[Campaign]:
    """Near-duplicate groups with enough posts and accounts in the window, most accounts first."""
    window_q = SearchQuery(since=since, until=until)
    groups = store.facets(window_q, "dup_group", size=max(50, params.max_campaigns * 3))
    out = []
    for group, n_window in groups:
        if n_window < params.campaign_min_posts:
            break  # facets come most frequent first
        posts = list(store.scan(SearchQuery(dup_groups=(group,), since=lookback, until=until, sort="newest")))
        in_window = [tp for tp in posts if tp.post.created_at >= since]
        if not in_window:
            continue
        accounts = {tp.post.author for tp in in_window}
        if len(accounts) < params.campaign_min_accounts:
            continue
        times = sorted(tp.post.created_at for tp in in_window)
        gaps = [(b - a).total_seconds() / 60 for a, b in zip(times, times[1:], strict=False)]
        first_seen = min(tp.post.created_at for tp in posts)
        narratives: dict[str, int] = defaultdict(int)
        for tp in in_window:
            for nid in tp.narratives:
                narratives[nid] += 1
        ranked = sorted(in_window, key=lambda tp: (-tp.post.metrics.engagement, tp.post.created_at))
        out.append(
            Campaign(
                id=group,
                posts=len(posts),
                posts_in_window=len(in_window),
                accounts=len(accounts),
                sources=len({src for tp in in_window for src in tp.post.sources}),
                first_seen=first_seen,
                last_seen=times[-1],
                spread_minutes=(times[-1] - times[0]).total_seconds() / 60,
                median_gap_minutes=statistics.median(gaps) if gaps else None,
                new=first_seen >= since,
                narratives=tuple(sorted(narratives, key=lambda n: (-narratives[n], n))),
                engagement=sum(tp.post.metrics.engagement for tp in in_window),
                top_posts=tuple(PostSummary.of(tp) for tp in ranked[: params.top_n]),
            )
        )
    out.sort(key=lambda c: (-c.accounts, -c.posts_in_window, c.spread_minutes, c.id))
    return out[: params.max_campaigns]


def find_claims(
    store: PostStore,
    since: datetime,
    until: datetime,
    lookback: datetime,
    params: TrendParams,
    registry: Any = None,
) -> list[ClaimTrend]:
    """Registry claims matched in the window, with counts, whether they are new, and top posts."""
    matched = store.facets(SearchQuery(since=since, until=until), "claim", size=params.max_claims)
    if not matched:
        return []
    before = dict(store.facets(SearchQuery(since=lookback, until=since), "claim", size=500))
    out = []
    for claim_id, n in matched:
        claim = registry.get(claim_id) if registry is not None else None
        top, _ = _top_posts(store, SearchQuery(claim_ids=(claim_id,), since=since, until=until), params.top_n, n)
        out.append(
            ClaimTrend(
                id=claim_id,
                text=" ".join(claim.text.split()) if claim else "",
                verdict=claim.verdict if claim else "",
                source=claim.source if claim else "",
                source_url=claim.source_url if claim else "",
                count=n,
                previous=before.get(claim_id, 0),
                new=claim_id not in before,
                top_posts=top,
            )
        )
    return out
