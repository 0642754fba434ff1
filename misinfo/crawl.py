"""Running crawls: one source per process, crawl-health records, and reading them back.

Each source runs `scrapy crawl <platform> -a source=KEY` in its own subprocess, so Twisted's reactor
is never reused and one source's crash cannot take down the others (or an Airflow worker). The
spider's `CrawlHealth` extension writes one record per source per run to HOME/crawl_runs.jsonl;
`crawl_source` reads it back and raises `CrawlBlocked` when the source was blocked or failed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from misinfo.domain import utcnow
from misinfo.errors import ConfigError, CrawlBlocked
from misinfo.landing import new_run_id
from misinfo.settings import PROJECT_ROOT, Settings
from misinfo.sources import Source, get_source, load_sources
from misinfo.state import append_jsonl, read_jsonl, trim_jsonl

ROBOTS_HINT = "set obey_robots: false with a permission: note only if the site has allowed this crawl"


@dataclass
class CrawlReport:
    """Health of one source in one run (one line of crawl_runs.jsonl)."""

    run_id: str
    source: str
    platform: str
    started_at: str
    finished_at: str
    status: str  # ok | blocked | error
    message: str
    items: int = 0
    new_items: int = 0
    pages: int = 0
    blocks: dict[str, int] = field(default_factory=dict)
    parse_errors: int = 0
    http_errors: int = 0
    quarantined: int = 0
    mode: str = ""  # which mode produced the posts: http or browser (empty in records older than browser mode)
    fallback: str = ""  # why auto mode left plain HTTP for the browser, when it did
    # caption tracks: fetched, and those not read this run (expired, failed, broken, robots, refused);
    # every one not read is tried again by the next crawl, up to its last try (gave_up)
    transcripts: dict[str, int] = field(default_factory=dict)
    log: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CrawlReport:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


class SourceBlocked(CrawlBlocked):
    """A source was blocked or its crawl failed; carries the report that was recorded."""

    def __init__(self, report: CrawlReport) -> None:
        super().__init__(report.message)
        self.report = report


def crawl_runs_path(home: Path) -> Path:
    return Path(home) / "crawl_runs.jsonl"


def health_record(
    *,
    run_id: str,
    source: Source,
    started_at: datetime,
    stats: dict[str, Any],
    blocks: list[Any],
    errors: list[str],
    finish_reason: str,
    mode: str = "http",
    fallback: str = "",
) -> dict[str, Any]:
    """One crawl-health record from the Scrapy stats; status is ok only when nothing went wrong."""
    blocks_by_kind = {k.rsplit("/", 1)[1]: int(v) for k, v in stats.items() if k.startswith("misinfo/blocks/")}
    transcripts = {k.rsplit("/", 1)[1]: int(v) for k, v in stats.items() if k.startswith("misinfo/transcripts/")}
    pages = int(stats.get("misinfo/pages", 0))
    items = int(stats.get("misinfo/items", 0))
    new_items = int(stats.get("misinfo/items_new", 0))
    quarantined = int(stats.get("misinfo/quarantined", 0))
    exceptions = int(stats.get("spider_exceptions/count", 0))
    via = ""
    if mode == "browser":
        via = " in the browser" + (f" (plain HTTP got: {fallback})" if fallback else "")
    if blocks:
        first = blocks[0]
        more = f" (+{len(blocks) - 1} more)" if len(blocks) > 1 else ""
        hint = f"; {ROBOTS_HINT}" if first.kind == "robots" else ""
        status, message = "blocked", f"{source.key}: blocked ({first.kind}){via}: {first.message}{more}{hint}"
    elif errors:
        status, message = "error", f"{source.key}: {errors[0]}"
    elif finish_reason != "finished":
        status, message = "error", f"{source.key}: crawl ended early ({finish_reason})"
    elif pages == 0:
        status, message = "error", f"{source.key}: fetched no pages"
    else:
        status = "ok"
        message = f"{source.key}: {items} posts ({new_items} new) from {pages} pages{via}"
        if quarantined or exceptions:
            message += f"; {quarantined + exceptions} parse errors"
        if transcripts:
            message += "; " + transcript_summary(transcripts)
    return CrawlReport(
        run_id=run_id,
        source=source.key,
        platform=source.platform,
        started_at=started_at.isoformat(),
        finished_at=utcnow().isoformat(),
        status=status,
        message=message,
        items=items,
        new_items=new_items,
        pages=pages,
        blocks=blocks_by_kind,
        parse_errors=quarantined + exceptions,
        http_errors=int(stats.get("misinfo/http_errors", 0)) + int(stats.get("misinfo/network_errors", 0)),
        quarantined=quarantined,
        mode=mode,
        fallback=fallback,
        transcripts=transcripts,
    ).to_dict()


def transcript_summary(counts: dict[str, int]) -> str:
    """`transcripts: 3 fetched, 2 to retry (expired 1, broken 1)` for a crawl-health message."""
    fetched = counts.get("fetched", 0)
    missed = {k: v for k, v in sorted(counts.items()) if k not in ("fetched", "gave_up")}
    text = f"transcripts: {fetched} fetched"
    if missed:
        text += f", {sum(missed.values()) - counts.get('gave_up', 0)} to retry ("
        text += ", ".join(f"{k} {v}" for k, v in missed.items()) + ")"
    if counts.get("gave_up"):
        text += f", {counts['gave_up']} given up"
    return text


def write_crawl_run(home: Path, record: dict[str, Any]) -> None:
    append_jsonl(crawl_runs_path(home), record)


def read_crawl_runs(home: Path, source: str | None = None) -> list[CrawlReport]:
    """Every recorded source run, oldest first (the dashboard's Sources page)."""
    runs = [CrawlReport.from_dict(r) for r in read_jsonl(crawl_runs_path(home)) if "run_id" in r and "source" in r]
    return [r for r in runs if source is None or r.source == source]


def trim_crawl_runs(home: Path, cutoff: datetime) -> int:
    """Retention for the crawl-health log: drop records of runs started before `cutoff`."""
    return trim_jsonl(crawl_runs_path(home), cutoff, "started_at")


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as MISINFO_* variables for the crawl subprocess (paths made absolute, no secrets)."""
    env: dict[str, str] = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if value is None or isinstance(value, SecretStr):
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, Path):
            text = str(value.resolve())
        else:
            text = str(value)
        env[f"MISINFO_{name.upper()}"] = text
    return env


def crawl_source(settings: Settings, key: str, *, run_id: str | None = None) -> CrawlReport:
    """Crawl one source in its own process; raise `CrawlBlocked` (a `SourceBlocked`) unless it went ok."""
    source = get_source(load_sources(settings.sources), key)
    run_id = run_id or new_run_id()
    home = settings.home.resolve()
    log = home / "logs" / "crawl" / f"{run_id}.{key}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "scrapy", "crawl", source.platform,
        "-a", f"source={key}", "-a", f"run_id={run_id}", "-s", f"LOG_FILE={log}",
    ]  # fmt: skip
    env = {**os.environ, **settings_env(settings), "SCRAPY_SETTINGS_MODULE": "crawlers.settings"}
    started = utcnow()
    failure = ""
    try:
        proc = subprocess.run(
            cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=settings.crawl_timeout
        )
        if proc.returncode != 0:
            lines = [ln for ln in (proc.stderr or "").splitlines() if ln.strip()]
            failure = f"crawler exited with {proc.returncode}: {lines[-1] if lines else 'no output'}"
    except subprocess.TimeoutExpired:
        failure = f"crawl took longer than MISINFO_CRAWL_TIMEOUT={settings.crawl_timeout}s and was stopped"
    record = next((r for r in reversed(read_crawl_runs(home, key)) if r.run_id == run_id), None)
    if record is None:
        record = CrawlReport(
            run_id=run_id, source=key, platform=source.platform, started_at=started.isoformat(),
            finished_at=utcnow().isoformat(), status="error",
            message=f"{key}: {failure or 'crawler wrote no health record'}",
        )  # fmt: skip
        record.log = str(log)
        write_crawl_run(home, record.to_dict())
    record.log = str(log)
    if not record.ok:
        raise SourceBlocked(record)
    return record


def crawl_all(settings: Settings, keys: Iterable[str] | None = None, *, progress: bool = True) -> list[CrawlReport]:
    """Crawl the given sources (default: every enabled one), going on past blocked ones; then report."""
    from tqdm import tqdm

    sources = load_sources(settings.sources)
    if keys is not None:
        selected = [get_source(sources, k) for k in keys]
    else:
        selected = [s for s in sources if s.enabled]
    if not selected:
        raise ConfigError(f"no enabled sources in {settings.sources}")
    run_id = new_run_id()
    reports: list[CrawlReport] = []
    for source in tqdm(selected, desc="crawl", unit="source", disable=not progress, leave=False):
        try:
            reports.append(crawl_source(settings, source.key, run_id=run_id))
        except SourceBlocked as exc:
            reports.append(exc.report)
    return reports
