"""The `misinfo` command. Commands only parse arguments, call `misinfo.pipeline` and print.

Each feature adds its commands in `misinfo/commands/<name>.py` with a `register(app)` function;
every module there is registered, in name order. Expected failures (`MisinfoError`) print one line and exit non-zero.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.style import Style
from rich.table import Table
from rich.text import Text

from misinfo.errors import MisinfoError, QueryError
from misinfo.safe import json_dumps, safe_url, visible
from misinfo.settings import Settings, load_settings

app = typer.Typer(
    name="misinfo",
    help="Monitor public TikTok and Facebook pages for false narratives and online scams.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)



def settings() -> Settings:
    return load_settings()


def parse_when(value: str | None, name: str) -> datetime | None:
    """Accept YYYY-MM-DD or ISO 8601; naive times are read as UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{name}: not a date or time: {value!r} (use YYYY-MM-DD or ISO 8601)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class ImportFormat(StrEnum):
    posts = "posts"
    tiktok_research = "tiktok-research"
    meta_csv = "meta-csv"
    zeeschuimer = "zeeschuimer"


class SortOrder(StrEnum):
    newest = "newest"
    relevance = "relevance"
    engagement = "engagement"


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON lines file to import.")],
    format: Annotated[ImportFormat, typer.Option("--format", help="Input format.")] = ImportFormat.posts,
) -> None:
    """Append posts from a file to the landing zone (bad lines are quarantined, the rest imported).

    Formats: posts (JSON lines), tiktok-research (Research API video/query JSON), meta-csv (Meta
    Content Library or CrowdTangle CSV export), zeeschuimer (TikTok items captured by the
    Zeeschuimer browser extension, NDJSON as it or 4CAT exports them).
    """
    from misinfo.importers import import_export
    from misinfo.pipeline import import_posts

    s = settings()
    if format is ImportFormat.posts:
        report = import_posts(s.home, file)
    else:
        report = import_export(s.home, file, format.value)
    console.print(
        f"imported {report.imported} posts from {report.lines} lines; quarantined {report.quarantined}"
    )
    if report.quarantined:
        console.print(f"see {s.home / 'quarantine'} for the reasons")


@app.command()
def process(
    full: Annotated[bool, typer.Option("--full", help="Re-process everything, not only what is new.")] = False,
) -> None:
    """Tag what landed since the last run and index it into the configured store."""
    from misinfo.pipeline import make_stage, process_lock
    from misinfo.pipeline import process as run_process
    from misinfo.store import open_store

    s = settings()
    with process_lock(s.home):
        store = open_store(s)
        try:
            report = run_process(s.home, store, make_stage(s), full=full)
        finally:
            store.close()
    console.print(
        f"read {report.read} lines from {report.files} files; indexed {report.indexed}; "
        f"quarantined {report.quarantined}"
    )
    for narrative, n in sorted(report.per_narrative.items()):
        console.print(f"  {narrative}: {n}")


@app.command()
def reindex(
    backend: Annotated[str | None, typer.Option(help="sqlite or elasticsearch (default: MISINFO_STORE).")] = None,
) -> None:
    """Rebuild the store from the landing zone and the review log, then swap it in."""
    from misinfo.pipeline import make_stage, process_lock
    from misinfo.pipeline import reindex as run_reindex

    s = settings()
    with process_lock(s.home):
        report = run_reindex(s, make_stage(s), backend=backend)
    console.print(f"rebuilt {backend or s.store} store: {report.indexed} posts, quarantined {report.quarantined}")


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Words (ANDed), "exact phrase", -exclude, OR.')] = "",
    narrative: Annotated[list[str] | None, typer.Option("--narrative", "-n", help="Narrative id.")] = None,
    platform: Annotated[list[str] | None, typer.Option("--platform", "-p")] = None,
    source: Annotated[list[str] | None, typer.Option("--source", "-s")] = None,
    since: Annotated[str | None, typer.Option(help="From this date/time (inclusive).")] = None,
    until: Annotated[str | None, typer.Option(help="Before this date/time.")] = None,
    sort: Annotated[SortOrder, typer.Option()] = SortOrder.newest,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    page: Annotated[int, typer.Option(min=1)] = 1,
    aigc: Annotated[bool, typer.Option("--aigc", help="Only videos TikTok labels AI-generated.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Search the archive by keyword (captions and what videos say); with or without Vietnamese diacritics."""
    from misinfo.audit import audit
    from misinfo.store import open_store
    from misinfo.store.base import SearchQuery

    s = settings()
    q = SearchQuery(
        text=query,
        narratives=tuple(narrative or ()),
        platforms=tuple(platform or ()),
        sources=tuple(source or ()),
        since=parse_when(since, "--since"),
        until=parse_when(until, "--until"),
        sort=sort.value,
        page=page,
        size=limit,
        aigc=aigc,
    )
    store = open_store(s)
    try:
        result = store.search(q)
    finally:
        store.close()
    audit(s.home, who="cli", action="search", query=query, filters={"narrative": narrative, "source": source, "aigc": aigc})
    if as_json:
        out = {
            "total": result.total,
            "hits": [
                {
                    "key": h.post.key,
                    "platform": h.post.post.platform,
                    "source": h.post.post.source,
                    "sources": list(h.post.post.sources),
                    "url": h.post.post.url,
                    "author": h.post.post.author,
                    "text": h.post.post.text,
                    "created_at": h.post.post.created_at.isoformat(),
                    "narratives": list(h.post.narratives),
                    "snippet": h.snippet,
                    "transcript": h.post.post.transcript.to_dict() if h.post.post.transcript else None,
                    "transcript_snippet": h.transcript_snippet,
                    "aigc": h.post.post.aigc,
                    "aigc_description": h.post.post.aigc_description,
                    "location_created": h.post.post.location_created,
                }
                for h in result.hits
            ],
        }
        sys.stdout.write(json_dumps(out) + "\n")  # invisible characters written as \u escapes
        return
    console.print(f"{result.total} posts match (page {result.page}/{result.pages})")
    for h in result.hits:
        p = h.post.post
        tags = ", ".join(h.post.narratives) or "-"
        snippet = escape(h.snippet)
        snippet = snippet.replace("<mark>", "[bold yellow]").replace("</mark>", "[/bold yellow]")
        console.print(f"[bold]{p.created_at:%Y-%m-%d %H:%M}[/] {p.platform}/{escape(visible(p.source))} [dim]{tags}[/]")
        console.print(f"  {snippet}")
        if h.transcript_snippet:
            spoken = escape(h.transcript_snippet).replace("<mark>", "[bold yellow]").replace("</mark>", "[/bold yellow]")
            console.print(f"  [dim]transcript:[/] {spoken}")
        link = safe_url(p.url)  # a terminal link only to a web page; the URL is printed either way
        console.print(Text("  " + visible(p.url), style=Style(link=link) if link else ""))


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """What the store and the landing zone hold."""
    from misinfo.landing import LandingZone
    from misinfo.store import open_store

    s = settings()
    store = open_store(s)
    try:
        st = store.stats()
    finally:
        store.close()
    zone = LandingZone(s.home)
    files = zone.files()
    quarantined = sum(1 for _ in zone.iter_quarantine())
    data = {
        "backend": st.backend,
        "posts": st.posts,
        "tagged": st.tagged,
        "reviewed": st.reviewed,
        "per_narrative": st.per_narrative,
        "per_platform": st.per_platform,
        "oldest": st.oldest.isoformat() if st.oldest else None,
        "newest": st.newest.isoformat() if st.newest else None,
        "landing_files": len(files),
        "landing_bytes": sum(f.stat().st_size for f in files),
        "quarantined": quarantined,
    }
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"misinfo-monitor ({s.home})", show_header=False)
    for k, v in data.items():
        table.add_row(k, ", ".join(f"{a}: {b}" for a, b in v.items()) if isinstance(v, dict) else str(v))
    console.print(table)


def _register_commands() -> None:
    import misinfo.commands

    for info in sorted(pkgutil.iter_modules(misinfo.commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"misinfo.commands.{info.name}").register(app)


_register_commands()


def main() -> None:
    """Console entry point: one line and a non-zero exit for expected failures, never a traceback.

    Typer (standalone mode) already handles usage errors and Ctrl-C; our own errors pass through it.
    """
    try:
        app()
    except MisinfoError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
