"""`misinfo crawl` and `misinfo sources`: run crawls per source and show what the sources file holds."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def crawl(
        source: Annotated[list[str] | None, typer.Option("--source", "-s", help="Source key (repeatable).")] = None,
        all_: Annotated[bool, typer.Option("--all", help="Every enabled source.")] = False,
    ) -> None:
        """Crawl sources (each in its own process); exits non-zero naming each blocked source."""
        from rich.markup import escape
        from rich.table import Table

        from misinfo.cli import console, err_console, settings
        from misinfo.crawl import crawl_all
        from misinfo.errors import CrawlBlocked, QueryError

        if not source and not all_:
            raise QueryError("say which sources: --source KEY (repeatable) or --all")
        reports = crawl_all(settings(), keys=None if all_ else source)
        table = Table(title="crawl")
        for col in ("source", "status", "mode", "pages", "posts", "new", "blocks", "parse errors", "http errors"):
            table.add_column(col)
        for r in reports:
            blocks = ", ".join(f"{k}: {v}" for k, v in r.blocks.items()) or "-"
            table.add_row(
                escape(r.source), r.status, r.mode or "-", str(r.pages), str(r.items), str(r.new_items), blocks,
                str(r.parse_errors), str(r.http_errors),
            )  # fmt: skip
        console.print(table)
        bad = [r for r in reports if not r.ok]
        for r in bad:
            err_console.print(f"[bold red]{r.status}:[/] {escape(r.message)}", soft_wrap=True)
        if bad:
            raise CrawlBlocked(f"{len(bad)} of {len(reports)} sources blocked or failed (see {settings().home}/crawl_runs.jsonl)")

    @app.command()
    def sources() -> None:
        """Validate the sources file and list each source with its last crawl."""
        from rich.markup import escape
        from rich.table import Table

        from misinfo.cli import console, settings
        from misinfo.crawl import read_crawl_runs
        from misinfo.sources import load_sources

        s = settings()
        last = {r.source: r for r in read_crawl_runs(s.home)}
        table = Table(title=str(s.sources))
        for col in ("key", "platform", "watches", "mode", "enabled", "robots", "last run", "status"):
            table.add_column(col)
        for src in load_sources(s.sources):
            run = last.get(src.key)
            table.add_row(
                src.key, src.platform, escape(src.target), src.mode if src.platform == "tiktok" else "http",
                "yes" if src.enabled else "no",
                "obeyed" if src.obey_robots else f"ignored ({escape(src.permission or '')})",
                run.finished_at[:16] if run else "-", escape(run.message) if run else "-",
            )  # fmt: skip
        console.print(table)
