"""One Settings object, read from `MISINFO_*` environment variables at entry points only.

Library code takes what it needs as arguments; only the CLI, DAG tasks and the dashboard call
`load_settings()`. A bad value raises `ConfigError` naming the variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, FilePath, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from misinfo.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"


class Settings(BaseSettings):
    """Every knob, with the default that makes a fresh checkout work on one machine."""

    model_config = SettingsConfigDict(env_prefix="MISINFO_", extra="ignore", frozen=True)

    # data and config
    home: Path = Field(default=Path("var"), description="Data folder: landing zone, store, models, logs.")
    sources: Path = Field(default=CONFIG_DIR / "sources.yaml", description="Sources to crawl.")
    narratives: Path = Field(default=CONFIG_DIR / "narratives.yaml", description="Narrative taxonomy.")
    claims: Path = Field(default=CONFIG_DIR / "claims.yaml", description="Fact-check registry.")
    alerts: Path = Field(default=CONFIG_DIR / "alerts.yaml", description="Alert rules and channels.")
    labelled_data: Path = Field(
        default=PROJECT_ROOT.parent / "shared" / "data" / "narratives-dev.jsonl",
        description="Labelled texts (JSON lines with text and labels) the tagger trains and is evaluated on.",
    )
    users: Path | None = Field(default=None, description="Dashboard users file (default HOME/users.yaml).")
    retention_days: int = Field(default=180, ge=1, description="Raw and indexed data older than this is deleted.")
    timezone: str = Field(default="Asia/Ho_Chi_Minh", description="Time zone for dates shown to people.")
    demo: bool = Field(default=False, description="1 enables the demo account demo/demo on the dashboard.")
    login_max_failures: int = Field(
        default=5, ge=1, description="Wrong passwords in a row after which a dashboard user name is locked out."
    )
    login_lockout_minutes: float = Field(
        default=15.0, gt=0, description="How long that lockout lasts (failures older than this are forgotten)."
    )
    ui_language: str = Field(
        default="vi", description="Dashboard language: a file dashboard/locales/<code>.yaml (vi ships)."
    )

    # store
    store: Literal["sqlite", "elasticsearch"] = Field(default="sqlite", description="Which store to use.")
    sqlite_path: Path | None = Field(default=None, description="SQLite file (default HOME/store.sqlite3).")
    es_url: str = Field(default="http://localhost:9200", description="Elasticsearch URL.")
    es_api_key: SecretStr | None = Field(default=None, description="Elasticsearch API key.")
    es_username: str | None = Field(default=None, description="Elasticsearch user (with ES_PASSWORD).")
    es_password: SecretStr | None = Field(default=None, description="Elasticsearch password.")
    es_ca_certs: Path | None = Field(default=None, description="CA certificate file for HTTPS.")
    es_index: str = Field(default="misinfo-posts", description="Alias that reads and writes go through.")
    es_compat_json: bool = Field(
        default=False, description="Send plain application/json (OpenSearch-API servers and Elasticsearch 8)."
    )

    # crawling
    tiktok_base_url: str = Field(default="https://www.tiktok.com", description="TikTok base URL.")
    facebook_base_url: str = Field(default="https://www.facebook.com", description="Facebook base URL.")
    user_agent: str = Field(
        default="misinfo-monitor/0.1 (+public-interest monitoring; contact: set MISINFO_USER_AGENT)",
        description="Honest User-Agent sent by the crawlers.",
    )
    crawl_throttle: bool = Field(
        default=True, description="AutoThrottle and a download delay; 0 only against a local replay server."
    )
    crawl_delay: float = Field(default=2.0, ge=0, description="Seconds between requests to one site (throttled).")
    crawl_concurrency: int = Field(default=1, ge=1, le=8, description="Parallel requests per site.")
    crawl_retries: int = Field(default=3, ge=0, le=10, description="Retries of a 429/5xx/timeout before giving up.")
    crawl_backoff: float = Field(
        default=5.0, ge=0, description="First retry wait in seconds; doubles each retry (Retry-After wins)."
    )
    crawl_max_pages: int = Field(default=50, ge=1, description="Most list pages fetched per source per run.")
    crawl_overlap_hours: float = Field(
        default=48.0, ge=0, description="Re-read posts this much older than the newest seen, to refresh counts."
    )
    crawl_timeout: int = Field(default=1800, ge=10, description="Seconds one source's crawl may take.")
    crawl_httpcache: bool = Field(default=False, description="Scrapy HTTP cache (development only).")
    crawl_browser_path: str = Field(
        default="/usr/bin/chromium",
        description="Chromium that browser-mode crawls drive (Debian's; Playwright never downloads one).",
    )
    crawl_browser_wait: float = Field(
        default=20.0, gt=0, description="Seconds browser mode waits for the page to fetch its next video list."
    )
    crawl_media_hosts: str = Field(
        default="*.tiktokcdn.com,*.tiktokcdn-us.com,*.tiktokv.com,*.fbcdn.net",
        description="Host patterns media (caption tracks, images) may come from, comma-separated; "
        "besides these the crawlers only reach the platform's own hosts.",
    )
    crawl_max_page_mb: int = Field(
        default=32, ge=1, le=1024, description="A page or file larger than this many MB is not downloaded."
    )

    # digest
    smtp_host: str = Field(default="localhost", description="SMTP server.")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP port.")
    smtp_security: Literal["none", "starttls", "ssl"] = Field(default="none", description="SMTP security.")
    smtp_user: str | None = Field(default=None, description="SMTP user.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_ca_cert: FilePath | None = Field(
        default=None, description="CA certificate (PEM) of a private CA that signed the SMTP server's certificate."
    )
    digest_from: str = Field(default="misinfo-monitor@localhost", description="Digest sender.")
    digest_to: str = Field(default="", description="Digest recipients, comma-separated.")
    dashboard_url: str = Field(default="http://localhost:8501", description="Link in the digest.")

    # trends
    trend_threshold: float = Field(
        default=3.0, gt=0, description="Burst score (z) at or above which a narrative is rising."
    )
    trend_min_count: int = Field(
        default=5, ge=1, description="Fewer posts than this in the window is never rising."
    )
    trend_baseline_days: int = Field(
        default=7, ge=1, le=60, description="Days of same-hour windows the baseline is taken from."
    )

    # Airflow schedules (read by the DAG files when they are parsed; restart the DAG processor to apply)
    collect_schedule: str = Field(
        default="0 * * * *", description="Cron (UTC) of the misinfo_collect DAG; each run covers the interval before it."
    )
    digest_schedule: str = Field(
        default="0 7 * * *", description="Cron, in MISINFO_TIMEZONE, of the misinfo_daily_digest DAG."
    )
    maintenance_schedule: str = Field(
        default="30 2 * * *", description="Cron, in MISINFO_TIMEZONE, of the misinfo_maintenance DAG."
    )

    @property
    def sqlite_file(self) -> Path:
        return self.sqlite_path or self.home / "store.sqlite3"

    @property
    def users_file(self) -> Path:
        return self.users or self.home / "users.yaml"

    @property
    def media_host_patterns(self) -> list[str]:
        return [p.strip().lower() for p in self.crawl_media_hosts.split(",") if p.strip()]

    @property
    def digest_recipients(self) -> list[str]:
        return [a.strip() for a in self.digest_to.split(",") if a.strip()]


def load_settings(**overrides: object) -> Settings:
    """Read the environment; turn a validation error into one line naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = "MISINFO_" + "_".join(str(p) for p in err["loc"]).upper()
            problems.append(f"{name}: {err['msg']}")
        raise ConfigError("bad setting " + "; ".join(problems)) from None
