"""`misinfo alerts check [--dry-run]`: evaluate the alert rules now and send what fires (once per episode);
`misinfo alerts recent`: the alerts of the last days and where each was delivered."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

alerts_app = typer.Typer(help="Early-warning alerts (rules in MISINFO_ALERTS, config/alerts.yaml).",
                         no_args_is_help=True)  # fmt: skip


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")


@alerts_app.command("check")
def check(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would fire; send and record nothing.")] = False,
    at: Annotated[str | None, typer.Option(help="The hour to evaluate (ISO 8601; default now, floored to the hour).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Evaluate every rule for the last hour, send new alerts, retry deliveries that failed before.

    The same run the misinfo_collect DAG does after processing. Exits 5 when a channel failed (the
    alert is kept and sent by the next run), 2 when only configuration was at fault.
    """
    from misinfo import jobs
    from misinfo.cli import parse_when, settings

    try:
        result = jobs.check_alerts(settings(), parse_when(at, "--at"), dry_run=dry_run)
    except (jobs.AlertsUndelivered, jobs.AlertsMisconfigured) as exc:
        _print(exc.result, as_json)
        raise
    _print(result, as_json)


def _print(result: dict[str, Any], as_json: bool) -> None:
    from rich.markup import escape

    from misinfo.cli import console

    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    verb = "would fire" if result["dry_run"] else "fired"
    console.print(f"alerts for the hour ending {result['at']}: {len(result['fired'])} {verb}")
    for a in result["fired"]:
        console.print(f"  {escape(a['id'])} → {', '.join(a['channels']) or '(no enabled channel)'}")
    for alert_id, channel, detail in result["sent"]:
        console.print(f"  sent {escape(alert_id)} → {channel}: {escape(detail)}")
    for alert_id, channel, error in result["failed"]:
        console.print(f"  [red]failed[/] {escape(alert_id)} → {channel}: {escape(error)}")
    for alert_id, channel, why in result["gave_up"]:
        console.print(f"  [yellow]gave up[/] {escape(alert_id)} → {channel}: {escape(why)}")
    if result["skipped"]:
        console.print(f"  already evaluated for this hour (nothing new decided): {', '.join(result['skipped'])}")
    for search_id, problem in result["problems"].items():
        console.print(f"  [yellow]saved search {escape(search_id)} skipped:[/] {escape(problem)}")
    if result["pending"]:
        what = "would be sent" if result["dry_run"] else "pending for the next run"
        console.print(f"  {result['pending']} deliveries {what}")


@alerts_app.command("recent")
def recent(
    days: Annotated[int, typer.Option(min=1, help="How many days back.")] = 7,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The alerts of the last days, newest first, with each channel's delivery status."""
    from datetime import timedelta

    from rich.markup import escape

    from misinfo import fmt
    from misinfo.alerts.message import title
    from misinfo.alerts.state import Alert, recent_alerts
    from misinfo.cli import console, settings
    from misinfo.domain import utcnow

    s = settings()
    alerts = recent_alerts(s.home, since=utcnow() - timedelta(days=days))
    if as_json:
        sys.stdout.write(json.dumps({"alerts": alerts}, ensure_ascii=False) + "\n")
        return
    if not alerts:
        console.print(f"no alerts in the last {days} days")
    for a in alerts:
        status = ", ".join(f"{c}: {d['status']}" for c, d in a["deliveries"].items()) or "no channel"
        when = fmt.datetime_vi(Alert.from_json(a).at, s.timezone)
        console.print(f"{when}  {escape(title(Alert.from_json(a)))}  [{escape(status)}]")
