"""What goes into one day's digest: the trend report for that local day, the table against the day
before, and the daily counts of the last two weeks for the chart. Data only; no formatting here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from misinfo.domain import NARRATIVES, utcnow
from misinfo.errors import ConfigError
from misinfo.settings import Settings
from misinfo.store.base import PostStore
from misinfo.trends import NarrativeTrend, TrendParams, TrendReport, compute_trends

CHART_DAYS = 14


@dataclass(frozen=True, slots=True)
class DayRow:
    """One line of the "today vs the day before" table."""

    id: str
    label: str
    count: int
    previous: int
    score: float
    rising: bool

    @property
    def delta(self) -> int:
        return self.count - self.previous


@dataclass(frozen=True, slots=True)
class Digest:
    day: date
    tz: str
    start: datetime  # UTC, local midnight of `day`
    end: datetime  # UTC, local midnight of the next day
    report: TrendReport
    rows: tuple[DayRow, ...]
    chart_days: tuple[date, ...]
    chart_series: dict[str, tuple[int, ...]]  # narrative id → posts per local day
    labels: dict[str, str]
    dashboard_url: str
    generated_at: datetime

    @property
    def rising(self) -> tuple[NarrativeTrend, ...]:
        return self.report.rising

    @property
    def empty(self) -> bool:
        """Nothing to raise: no rising narrative, no false-claim match, no campaign."""
        return not (self.report.rising or self.report.claims or self.report.campaigns)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"MISINFO_TIMEZONE: unknown time zone {name!r}") from None


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """Local midnight to the next local midnight, in UTC."""
    z = zone(tz)
    start = datetime.combine(day, time(0), z).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), z).astimezone(UTC)
    return start, end


def default_day(tz: str, now: datetime | None = None) -> date:
    """Yesterday in the local zone: the last complete day, which a morning digest reports on."""
    return ((now or utcnow()).astimezone(zone(tz)) - timedelta(days=1)).date()


def narrative_labels(settings: Settings) -> dict[str, str]:
    from nlp.taxonomy import load_taxonomy

    taxonomy = load_taxonomy(settings.narratives)
    return {nid: taxonomy.label(nid) for nid in NARRATIVES}


def daily_series(
    store: PostStore, end: datetime, days: int, tz: str
) -> tuple[tuple[date, ...], dict[str, tuple[int, ...]]]:
    """Posts per narrative per *local* day for the `days` days before `end` (hour buckets regrouped,
    because the store's day buckets are UTC days)."""
    z = zone(tz)
    start = end - timedelta(days=days)
    first = start.astimezone(z).date()
    day_list = tuple(first + timedelta(days=i) for i in range(days))
    index = {d: i for i, d in enumerate(day_list)}
    series: dict[str, list[int]] = defaultdict(lambda: [0] * days)
    for b in store.counts("hour", start, end, NARRATIVES):
        if b.narrative is None:
            continue
        i = index.get(b.bucket.astimezone(z).date())
        if i is not None:
            series[b.narrative][i] += b.count
    return day_list, {nid: tuple(series[nid]) for nid in NARRATIVES}


def compose_digest(
    store: PostStore, settings: Settings, day: date, *, params: TrendParams | None = None
) -> Digest:
    """Everything the digest for local `day` shows, read through the store port."""
    from nlp.claims import load_registry

    start, end = day_bounds(day, settings.timezone)
    labels = narrative_labels(settings)
    params = params or TrendParams(threshold=settings.trend_threshold, min_count=settings.trend_min_count)
    report = compute_trends(
        store,
        at=end,
        window=end - start,
        baseline_days=settings.trend_baseline_days,
        params=params,
        labels=labels,
        registry=load_registry(settings.claims),
    )
    rows = tuple(
        DayRow(id=t.id, label=t.label, count=t.count, previous=t.previous, score=t.score, rising=t.rising)
        for t in sorted(report.narratives, key=lambda t: NARRATIVES.index(t.id) if t.id in NARRATIVES else 99)
    )
    chart_days, chart_series = daily_series(store, end, CHART_DAYS, settings.timezone)
    return Digest(
        day=day,
        tz=settings.timezone,
        start=start,
        end=end,
        report=report,
        rows=rows,
        chart_days=chart_days,
        chart_series=chart_series,
        labels=labels,
        dashboard_url=settings.dashboard_url,
        generated_at=utcnow(),
    )
