"""`misinfo trends`: which narratives are rising, copy-paste campaigns, repeated false claims."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from misinfo.safe import json_dumps

if TYPE_CHECKING:
    from misinfo.trends import TrendReport


def register(app: typer.Typer) -> None:
    app.command("trends")(trends)


def trends(
    window: Annotated[str, typer.Option(help="Window length: whole hours or days (24h, 6h, 2d).")] = "24h",
    at: Annotated[str | None, typer.Option(help="End of the window (ISO 8601; default now, floored to the hour).")] = None,
    baseline_days: Annotated[int | None, typer.Option(help="Days of baseline (default MISINFO_TREND_BASELINE_DAYS).")] = None,
    threshold: Annotated[float | None, typer.Option(help="Score for rising (default MISINFO_TREND_THRESHOLD).")] = None,
    min_count: Annotated[int | None, typer.Option(help="Posts needed for rising (default MISINFO_TREND_MIN_COUNT).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Rising narratives (with their numbers and top posts), copy-paste campaigns and false claims."""
    from misinfo.cli import parse_when, settings
    from misinfo.domain import utcnow
    from misinfo.store import open_store
    from misinfo.trends import TrendParams, compute_trends, parse_window
    from nlp.claims import load_registry
    from nlp.taxonomy import load_taxonomy

    s = settings()
    span = parse_window(window)
    end = parse_when(at, "--at") or utcnow()
    taxonomy = load_taxonomy(s.narratives)
    params = TrendParams(
        threshold=threshold if threshold is not None else s.trend_threshold,
        min_count=min_count if min_count is not None else s.trend_min_count,
    )
    store = open_store(s)
    try:
        report = compute_trends(
            store,
            at=end,
            window=span,
            baseline_days=baseline_days or s.trend_baseline_days,
            params=params,
            labels={n.id: n.label for n in taxonomy.narratives},
            registry=load_registry(s.claims),
        )
    finally:
        store.close()
    if as_json:
        sys.stdout.write(json_dumps(report.to_json()) + "\n")
        return
    _print(report, s.timezone)


def _print(report: TrendReport, tz: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    from misinfo import fmt
    from misinfo.cli import console

    console.print(
        f"[bold]Xu hướng[/] {fmt.datetime_vi(report.since, tz)} → {fmt.datetime_vi(report.at, tz)} "
        f"({fmt.number(report.total)} bài; nền: {report.baseline_days} ngày trước, cùng khung giờ)"
    )
    if not report.history:
        console.print("[yellow]Chưa có dữ liệu các ngày trước: không thể đánh giá tăng bất thường.[/]")
    table = Table()
    cols: tuple[tuple[str, Literal["left", "right"]], ...] = (
        ("chủ đề", "left"), ("bài", "right"), ("nền", "right"), ("điểm", "right"),
        ("tăng", "right"), ("tương tác", "right"), ("", "left"),
    )
    for col, justify in cols:
        table.add_column(col, justify=justify)
    for t in report.narratives:
        style = "bold red" if t.rising else None
        table.add_row(escape(t.label), fmt.number(t.count), fmt.number(t.baseline, 1), fmt.number(t.score, 1),
                      fmt.percent(t.growth), fmt.number(t.engagement), "▲ tăng mạnh" if t.rising else "", style=style)
    console.print(table)
    for t in report.rising:
        console.print(f"[bold red]{escape(t.label)}[/]: bài nổi bật")
        for p in t.top_posts[:3]:
            console.print(f"  {fmt.datetime_vi(p.created_at, tz)} {escape(p.source)} "
                          f"({fmt.number(p.engagement)} tương tác) {escape(p.excerpt(120))}")
            console.print(f"    [link={p.url}]{escape(p.url)}[/link]")
    if report.campaigns:
        console.print("[bold]Nội dung sao chép hàng loạt[/]")
        for c in report.campaigns:
            sample = escape(c.top_posts[0].excerpt(100)) if c.top_posts else ""
            console.print(f"  {c.id}: {c.posts_in_window} bài, {c.accounts} tài khoản, {c.sources} nguồn, "
                          f"trong {fmt.duration_vi(c.spread_minutes)}{' [MỚI]' if c.new else ''}: {sample}")
    if report.claims:
        console.print("[bold]Tin sai đã kiểm chứng xuất hiện[/]")
        for claim in report.claims:
            console.print(f"  {'[MỚI] ' if claim.new else ''}{claim.id}: {claim.count} bài "
                          f"(trước đó {claim.previous}) {escape(claim.text[:100])}")
