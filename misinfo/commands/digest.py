"""`misinfo digest`: compose the daily digest and send it (once per date) or write it to a file."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("digest")(digest)


def digest(
    day: Annotated[str | None, typer.Option("--date", help="Local date YYYY-MM-DD (default: yesterday).")] = None,
    send: Annotated[bool, typer.Option("--send", help="Send it by SMTP to MISINFO_DIGEST_TO.")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write an .eml file (and the .html) instead.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Send even if this date was already sent.")] = False,
) -> None:
    """The daily digest: rising narratives, false claims, campaigns, a 14-day chart. Without --send or
    --out, prints the plain-text version."""
    from misinfo import fmt
    from misinfo.cli import console, settings
    from misinfo.digest.compose import default_day
    from misinfo.errors import QueryError

    s = settings()
    if send and out:
        raise QueryError("use either --send or --out, not both")
    if day:
        try:
            when = date.fromisoformat(day)
        except ValueError:
            raise QueryError(f"--date: not a date: {day!r} (use YYYY-MM-DD)") from None
    else:
        when = default_day(s.timezone)

    if send:
        from misinfo.digest.send import send_digest

        result = send_digest(s, when, force=force)
        if not result.sent:
            prev = result.previous or {}
            console.print(
                f"digest for {fmt.date_vi(when)} was already sent at {prev.get('sent_at', '?')} "
                f"(Message-ID {result.message_id}); use --force to send it again"
            )
            return
        console.print(f"sent digest for {fmt.date_vi(when)} to {', '.join(result.recipients)} ({result.message_id})")
        if result.refused:
            console.print(f"[yellow]refused by the server:[/] {', '.join(result.refused)}")
        return
    if out:
        from misinfo.digest.send import write_digest

        paths = write_digest(s, when, out)
        console.print("wrote " + ", ".join(str(p) for p in paths))
        return

    from misinfo.digest.compose import compose_digest
    from misinfo.digest.render import render_digest
    from misinfo.store import open_store

    store = open_store(s)
    try:
        subject, _html, text, _png = render_digest(compose_digest(store, s, when))
    finally:
        store.close()
    typer.echo(subject + "\n\n" + text)
