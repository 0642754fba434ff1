"""`misinfo dashboard`: the Streamlit dashboard, via `streamlit run` with server options for a headless host."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("dashboard")(dashboard)


def streamlit_command(port: int, host: str) -> list[str]:
    """The `streamlit run` command line: headless, no usage statistics, no file watcher on the project."""
    from misinfo.settings import PROJECT_ROOT

    return [
        sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "dashboard" / "streamlit_app.py"),
        "--server.headless=true",
        f"--server.port={port}",
        f"--server.address={host}",
        "--server.fileWatcherType=none",
        "--server.runOnSave=false",
        "--browser.gatherUsageStats=false",
        "--client.toolbarMode=minimal",
        "--theme.base=light",
    ]  # fmt: skip


def dashboard(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8501,
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0 for every interface).")] = "127.0.0.1",
) -> None:
    """Start the analysts' dashboard (Streamlit) against the configured store."""
    from misinfo.cli import console, settings

    s = settings()  # a bad setting stops here with one line, before Streamlit starts
    from dashboard import i18n

    i18n.use(s.ui_language)
    console.print(f"dashboard on http://{host}:{port} (store: {s.store}, home: {s.home})")
    if s.demo:
        console.print("[yellow]MISINFO_DEMO=1: the demo account demo/demo is enabled[/]")
    sys.stdout.flush()
    # replace this process, so stopping `misinfo dashboard` stops the server (no orphan child)
    cmd = streamlit_command(port, host)
    os.execv(cmd[0], cmd)
