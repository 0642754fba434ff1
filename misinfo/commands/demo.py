"""`misinfo demo`: the whole system on a bundled replay of simulated pages, then the dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    no_dashboard: Annotated[
        bool, typer.Option("--no-dashboard", help="Stop after the pipeline and print a summary.")
    ] = False,
    home: Annotated[
        Path | None, typer.Option("--home", help="Demo data folder (default: MISINFO_HOME/demo).")
    ] = None,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Dashboard port.")] = 8501,
    reset: Annotated[
        bool, typer.Option("--reset", help="Delete the demo folder first and start with today's dates.")
    ] = False,
) -> None:
    """Generate synthetic posts, serve them as TikTok/Facebook pages, crawl them with the real spiders,
    tag, index, find trends, write the digest; then open the dashboard (login demo/demo)."""
    from misinfo.cli import console, settings
    from misinfo.demo.run import default_home, print_summary, run_demo, start_dashboard, wait_for

    target = home or default_home(settings())
    summary, server = run_demo(target, console=console, dashboard_port=port, reset=reset,
                               keep_server=not no_dashboard)
    print_summary(summary, console)
    if no_dashboard:
        return
    from misinfo.demo.run import demo_settings

    try:
        s = demo_settings(Path(summary.home), server.url, port)
        with console.status("Starting the dashboard…"):
            proc = start_dashboard(s, port)
        console.rule("[bold green]Dashboard ready")
        console.print(f"Open [bold]http://localhost:{port}[/] and log in as [bold]demo[/] / [bold]demo[/]")
        console.print(f"(the replay site stays up at {server.url} so post links open; Ctrl-C stops both)")
        wait_for(proc)
    finally:
        server.stop()
