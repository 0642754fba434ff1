"""`misinfo demo`: the whole pipeline on the bundled replay, step by step, with progress and a summary.

generate (fixed seed) → serve the replay site → write a demo sources.yaml → crawl every source with
the real spiders (a blocked one is reported, not fatal) → process (NLP) into SQLite → trends →
digest files → (optionally) the dashboard with the demo account.

Re-running is idempotent: the demo's clock (`anchor`) and seed are kept in `HOME/demo.json`, so a
second run generates the same posts, the incremental crawl re-reads only the overlap, and upserts
leave the store as it was. `--reset` starts over with today's dates.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from misinfo.crawl import CrawlReport, SourceBlocked, crawl_source
from misinfo.demo.content import SEED, DemoWorld, generate
from misinfo.domain import utcnow
from misinfo.errors import ConfigError, MisinfoError
from misinfo.landing import LandingZone, new_run_id
from misinfo.settings import PROJECT_ROOT, Settings, load_settings
from misinfo.state import read_json, write_json

STATE_FILE = "demo.json"
DEFAULT_DASHBOARD_PORT = 8501
CRAWL_WORKERS = 2  # crawls are one Scrapy process each; two at a time keep a 2-core machine busy, not swamped


@dataclass(frozen=True)
class DemoState:
    """What makes a re-run give the same data: the demo's "now", the seed, the replay port used."""

    anchor: datetime
    seed: int = SEED
    replay_port: int = 0

    @classmethod
    def load(cls, home: Path) -> DemoState | None:
        data = read_json(home / STATE_FILE, None)
        if not data:
            return None
        return cls(datetime.fromisoformat(data["anchor"]), int(data.get("seed", SEED)), int(data.get("replay_port", 0)))

    def save(self, home: Path) -> None:
        write_json(home / STATE_FILE, {"anchor": self.anchor.isoformat(), "seed": self.seed,
                                       "replay_port": self.replay_port, "note": "misinfo demo home (synthetic data)"})


@dataclass
class DemoSummary:
    """What the demo did and found; printed at the end and written to HOME/demo-summary.json."""

    home: str
    anchor: str
    sources: list[dict[str, Any]] = field(default_factory=list)  # every source: key, label, status, items, message
    posts_landed: int = 0  # distinct post keys in the landing zone
    landing_lines: int = 0
    quarantined: int = 0
    indexed: int = 0
    store_posts: int = 0
    per_narrative: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    window: str = "24h"
    rising: list[dict[str, Any]] = field(default_factory=list)
    narratives: list[dict[str, Any]] = field(default_factory=list)
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)
    digest_day: str = ""
    digest: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def crawled(self) -> list[dict[str, Any]]:
        return [s for s in self.sources if s["status"] == "ok"]

    @property
    def blocked(self) -> list[dict[str, Any]]:
        return [s for s in self.sources if s["status"] != "ok"]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------------------- pieces


def default_home(settings: Settings) -> Path:
    """The demo keeps its own data folder beside the real one: MISINFO_HOME/demo (var/demo)."""
    return settings.home / "demo"


def prepare_home(home: Path, *, reset: bool) -> None:
    """Create the home; with `reset`, empty it first, but only if it is a demo home (or empty)."""
    home = Path(home)
    if reset and home.exists() and any(home.iterdir()):
        if not (home / STATE_FILE).exists():
            raise ConfigError(f"{home} is not a demo folder (no {STATE_FILE}); not deleting it. Pick another --home")
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)


def demo_settings(home: Path, base_url: str, dashboard_port: int) -> Settings:
    """Settings for the demo: its own home and sources file, the local replay site, no throttling, SQLite.

    Everything the demo needs is overridden here, so a MISINFO_* variable meant for real use
    (an Elasticsearch store, a sources file) cannot leak into it.
    """
    home = Path(home).resolve()
    return load_settings(
        home=home,
        sources=home / "sources.yaml",
        users=None,
        store="sqlite",
        sqlite_path=None,
        tiktok_base_url=base_url,
        facebook_base_url=base_url,
        crawl_throttle=False,  # a loopback replay server, not a real site
        crawl_concurrency=8,
        crawl_delay=0.0,
        crawl_max_pages=500,
        crawl_retries=1,
        crawl_backoff=0.1,
        crawl_timeout=600,
        crawl_httpcache=False,
        retention_days=180,
        demo=True,
        dashboard_url=f"http://localhost:{dashboard_port}",
    )


def write_sources(path: Path, world: DemoWorld) -> Path:
    """The demo's sources.yaml: every simulated page, robots.txt obeyed (the replay allows them)."""
    header = (
        "# Demo sources: simulated pages served by `misinfo demo` on a loopback port.\n"
        "# Dữ liệu mô phỏng cho bản demo: no real account is behind any of these.\n"
    )
    body = yaml.safe_dump([s.yaml_entry() for s in world.sources], allow_unicode=True, sort_keys=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + body, encoding="utf-8")
    return path


def crawl_sources(settings: Settings, keys: list[str], on_done: Callable[[CrawlReport], None]) -> list[CrawlReport]:
    """Every source through the real spider (`crawl_source`, one Scrapy process each), two at a time.

    Like `crawl_all`, one run id for the run and a blocked source is recorded and reported, not
    raised; unlike it, sources run side by side, which halves the demo's crawl time.
    """
    run_id = new_run_id()

    def one(key: str) -> CrawlReport:
        try:
            return crawl_source(settings, key, run_id=run_id)
        except SourceBlocked as exc:
            return exc.report

    reports: dict[str, CrawlReport] = {}
    with ThreadPoolExecutor(max_workers=CRAWL_WORKERS) as pool:
        futures = {pool.submit(one, key): key for key in keys}
        for future in as_completed(futures):
            report = future.result()
            reports[futures[future]] = report
            on_done(report)
    return [reports[k] for k in keys]


def digest_day(anchor: datetime, tz: str) -> date:
    """The local day the digest reports on: today once the morning has begun, else yesterday."""
    from misinfo.digest.compose import zone

    local = anchor.astimezone(zone(tz))
    return local.date() if local.hour >= 6 else local.date() - timedelta(days=1)


def distinct_landed(home: Path) -> tuple[int, int]:
    """(distinct post keys, lines) in the landing zone: a re-crawl appends, the keys stay the same."""
    keys: set[str] = set()
    lines = 0
    for line in LandingZone(home).iter_posts():
        lines += 1
        if line.post is not None:
            keys.add(line.post.key)
    return len(keys), lines


# --------------------------------------------------------------------------------------- the run


class Steps:
    """Rich progress for each step, and how long each took."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.timings: dict[str, float] = {}

    @contextmanager
    def step(self, name: str, title: str, total: float | None = None) -> Iterator[Callable[..., None]]:
        """A step with a bar (when `total` is known) or a spinner; yields `advance(n=1, note="")`."""
        columns: list[Any] = [SpinnerColumn(), TextColumn("[bold]{task.description}")]
        if total is not None:
            columns += [BarColumn(), MofNCompleteColumn()]
        columns += [TextColumn("{task.fields[note]}"), TimeElapsedColumn()]
        start = time.perf_counter()
        if not self.console.is_terminal:  # a log file or a pipe: one line per step, no redraws
            yield lambda n=1, note="": None
        else:
            with Progress(*columns, console=self.console, transient=True) as progress:
                task = progress.add_task(title, total=total, note="")

                def advance(n: float = 1, note: str = "") -> None:
                    progress.update(task, advance=n, note=note)

                yield advance
        self.timings[name] = round(time.perf_counter() - start, 2)
        self.console.print(f"[green]✓[/] {title} [dim]({self.timings[name]:.1f} s)[/]")


def run_demo(home: Path, *, console: Console, dashboard_port: int = DEFAULT_DASHBOARD_PORT,
             reset: bool = False, keep_server: bool = False) -> tuple[DemoSummary, Any]:
    """Run every step; return the summary and the still-running replay server if `keep_server`."""
    from misinfo.demo.site import serve

    started = time.perf_counter()
    home = Path(home).resolve()
    prepare_home(home, reset=reset)
    state = DemoState.load(home) or DemoState(anchor=utcnow().replace(second=0, microsecond=0))
    steps = Steps(console)
    if utcnow() - state.anchor > timedelta(days=1):
        console.print(f"[yellow]The demo data in {home} is dated {state.anchor:%Y-%m-%d %H:%M} UTC; "
                      "run with --reset for today's dates.[/]")

    with steps.step("generate", "Generating synthetic posts (fixed seed)"):
        world = generate(state.anchor, state.seed)
    server = None
    try:
        with steps.step("serve", "Serving the replay site on a loopback port"):
            server = _serve(world, state.replay_port, serve)
        state = DemoState(state.anchor, state.seed, server.port)
        state.save(home)
        settings = demo_settings(home, server.url, dashboard_port)
        write_sources(settings.sources, world)
        console.print(f"  replay site {server.url}, {len(world.sources)} sources, "
                      f"{len(world.all_posts):,} posts over 14 days, data as of {state.anchor:%Y-%m-%d %H:%M} UTC")

        summary = DemoSummary(home=str(home), anchor=state.anchor.isoformat())
        keys = [s.key for s in world.sources]
        with steps.step("crawl", "Crawling every source with the real spiders", total=len(keys)) as advance:
            reports = crawl_sources(settings, keys, lambda r: advance(1, f"{r.source}: {r.status}"))
        for report in reports:
            src = world.source(report.source)
            summary.sources.append({"key": src.key, "label": src.name, "platform": src.platform,
                                    "layout": src.layout, "status": report.status, "items": report.items,
                                    "new_items": report.new_items, "pages": report.pages,
                                    "message": report.message})
        summary.posts_landed, summary.landing_lines = distinct_landed(home)

        _process(settings, steps, summary)
        _trends(settings, steps, summary, state.anchor)
        with steps.step("digest", "Writing the daily digest"):
            from misinfo.digest.send import write_digest

            day = digest_day(state.anchor, settings.timezone)
            paths = write_digest(settings, day, home / f"digest-{day.isoformat()}.eml")
            summary.digest_day, summary.digest = day.isoformat(), [str(p) for p in paths]
    except BaseException:
        if server is not None:
            server.stop()
        raise
    summary.timings = {**steps.timings, "total": round(time.perf_counter() - started, 2)}
    write_json(home / "demo-summary.json", summary.to_json())
    if not keep_server:
        server.stop()
        server = None
    return summary, server


def _serve(world: DemoWorld, port: int, serve: Callable[..., Any]) -> Any:
    """The port of the last run when it is free (post links stay the same), else any free port."""
    if port:
        try:
            return serve(world, port)
        except OSError:
            pass
    return serve(world, 0)


def _process(settings: Settings, steps: Steps, summary: DemoSummary) -> None:
    from misinfo.pipeline import make_stage, process
    from misinfo.store import open_store

    zone = LandingZone(settings.home)
    files = zone.files()
    sizes = {f: f.stat().st_size for f in files}
    with steps.step("nlp_load", "Loading the NLP stage (tagger model, word segmenter)"):
        stage = make_stage(settings)
    store = open_store(settings)
    try:
        total_kb = max(1, sum(sizes.values()) // 1024)
        with steps.step("process", "Tagging narratives, grouping copies, matching claims → SQLite",
                        total=total_kb) as advance:
            for path in files:
                report = process(settings.home, store, stage, files=[path], progress=False)
                summary.indexed += report.indexed
                summary.quarantined += report.quarantined
                advance(sizes[path] // 1024, f"{summary.indexed:,} posts")
        stats = store.stats()
        summary.store_posts = stats.posts
        summary.per_narrative = dict(sorted(stats.per_narrative.items()))
    finally:
        store.close()
        close = getattr(stage, "close", None)
        if close:
            close()


def _trends(settings: Settings, steps: Steps, summary: DemoSummary, anchor: datetime) -> None:
    from misinfo.store import open_store
    from misinfo.trends import DAY, TrendParams, compute_trends, format_window
    from nlp.claims import load_registry
    from nlp.taxonomy import load_taxonomy

    with steps.step("trends", "Finding rising narratives, copy-paste campaigns, false claims"):
        labels = {n.id: n.label for n in load_taxonomy(settings.narratives).narratives}
        store = open_store(settings)
        try:
            report = compute_trends(
                store, at=anchor, window=DAY, baseline_days=settings.trend_baseline_days,
                params=TrendParams(threshold=settings.trend_threshold, min_count=settings.trend_min_count),
                labels=labels, registry=load_registry(settings.claims),
            )
        finally:
            store.close()
    summary.labels = labels
    summary.window = format_window(report.window)
    summary.narratives = [n.to_json() for n in report.narratives]
    summary.rising = [n.to_json() for n in report.rising]
    summary.campaigns = [
        {**c.to_json(), "sample": c.top_posts[0].excerpt(160) if c.top_posts else ""} for c in report.campaigns
    ]
    summary.claims = [
        {**c.to_json(), "sample": c.top_posts[0].excerpt(160) if c.top_posts else ""} for c in report.claims
    ]


# --------------------------------------------------------------------------------------- output


def print_summary(summary: DemoSummary, console: Console) -> None:
    """The summary a newcomer reads: what was crawled, what was found, where the digest is."""
    from rich.markup import escape

    total = len(summary.sources)
    fetched = sum(s["items"] for s in summary.crawled)
    console.rule("[bold]misinfo-monitor demo: summary")
    console.print(f"Data as of {summary.anchor[:16].replace('T', ' ')} UTC, home {summary.home}")
    console.print(f"[bold]Sources crawled:[/] {len(summary.crawled)} of {total} ({fetched:,} posts fetched)")
    for s in summary.crawled:
        console.print(f"  {s['key']:<16} {s['platform']:<8} {s['layout']:<4} {s['items']:>5,} posts  "
                      f"{escape(s['label'])}")
    for s in summary.blocked:
        console.print(f"[bold red]Blocked source:[/] {s['key']} ({escape(s['label'])}): {escape(s['message'])}")
    console.print(f"[bold]Posts landed:[/] {summary.posts_landed:,} distinct ({summary.landing_lines:,} lines in "
                  f"the landing zone; {summary.quarantined} quarantined); {summary.store_posts:,} in the store")
    console.print("[bold]Posts per narrative:[/]")
    for nid, n in summary.per_narrative.items():
        console.print(f"  {nid:<28} {n:>5,}  {escape(summary.labels.get(nid, ''))}")
    if summary.rising:
        console.print(f"[bold]Rising narratives (last {summary.window}):[/]")
        for t in summary.rising:
            console.print(f"  [red]▲ {t['id']}[/] ({escape(summary.labels.get(t['id'], ''))}): {t['count']} posts vs "
                          f"baseline {t['baseline']:.1f}, score {t['score']:.1f}")
    else:
        console.print(f"[bold]Rising narratives (last {summary.window}):[/] none")
    console.print(f"[bold]Copy-paste campaigns (last {summary.window}):[/] {len(summary.campaigns)}")
    for c in summary.campaigns[:5]:
        console.print(f"  {c['id']}: {c['posts_in_window']} posts, {c['accounts']} accounts, "
                      f"{c['sources']} sources within {c['spread_minutes']:.0f} min: "
                      f"[italic]{escape(c['sample'][:110])}[/]")
    console.print(f"[bold]False-claim matches (last {summary.window}):[/] {len(summary.claims)} claims")
    for c in summary.claims:
        console.print(f"  {c['id']} ({c['verdict']}): {c['count']} posts; {escape(c['source'])}")
    console.print(f"[bold]Digest for {summary.digest_day}:[/] {', '.join(summary.digest)}")
    steps = ", ".join(f"{k} {v:.1f}s" for k, v in summary.timings.items() if k != "total")
    console.print(f"[dim]Took {summary.timings.get('total', 0):.1f} s ({steps})[/]")


# --------------------------------------------------------------------------------------- dashboard


def dashboard_command(port: int) -> list[str]:
    """How `misinfo dashboard` starts Streamlit, bound to loopback."""
    from misinfo.commands.dashboard import streamlit_command

    return streamlit_command(port, "127.0.0.1")


def start_dashboard(settings: Settings, port: int, *, timeout: float = 90.0) -> subprocess.Popen[bytes]:
    """Start the dashboard with the demo account (MISINFO_DEMO=1) and wait until it answers."""
    from misinfo.crawl import settings_env

    env = {**os.environ, **settings_env(settings), "MISINFO_DEMO": "1"}
    log = settings.home / "logs" / "dashboard.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(dashboard_command(port), cwd=PROJECT_ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise MisinfoError(f"the dashboard stopped at start (exit {proc.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise MisinfoError(f"the dashboard did not answer on port {port} within {timeout:.0f} s; see {log}")


def wait_for(proc: subprocess.Popen[bytes]) -> None:
    """Block until Ctrl-C or the dashboard exits; then stop it."""
    try:
        proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
