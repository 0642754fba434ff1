"""The alert rules file (`config/alerts.yaml`): channels (who gets an alert) and rules (what fires one).

Validated on load like the other config files; any problem is one `ConfigError` line naming the
file, the rule (or channel) and the field. Secrets never live here: a webhook names the environment
variable (or Airflow Connection) that holds its signing secret or its token-bearing URL.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from misinfo.configfile import read_yaml
from misinfo.domain import NARRATIVES
from misinfo.errors import ConfigError
from misinfo.trends import TrendParams

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
ENV_PATTERN = r"^[A-Z_][A-Z0-9_]*$"
_DURATION_RE = re.compile(r"^\s*(\d+)\s*([hd])\s*$", re.IGNORECASE)
SECRET_KEYS = ("secret", "token", "password", "api_key", "bot_token")


def parse_duration(value: Any) -> timedelta:
    """`12h`, `2d`, `0h` → timedelta; whole hours, because rules are evaluated once an hour."""
    if isinstance(value, timedelta):
        return value
    m = _DURATION_RE.match(str(value)) if isinstance(value, str | int) else None
    if not m:
        raise ValueError(f"{value!r} is not a duration: use whole hours or days such as 6h, 12h or 2d")
    amount = int(m.group(1))
    return timedelta(hours=amount) if m.group(2).lower() == "h" else timedelta(days=amount)


def _within(low: timedelta, high: timedelta) -> AfterValidator:
    def check(value: timedelta) -> timedelta:
        if not low <= value <= high:
            raise ValueError(f"must be between {low.total_seconds() / 3600:g}h and {high.days}d")
        return value

    return AfterValidator(check)


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
Window = Annotated[timedelta, BeforeValidator(parse_duration), _within(timedelta(hours=1), timedelta(days=7))]
Lookback = Annotated[timedelta, BeforeValidator(parse_duration), _within(timedelta(hours=1), timedelta(days=30))]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ----------------------------------------------------------------------------------------- channels


class EmailChannel(_Strict):
    """Email through the digest's SMTP settings (`MISINFO_SMTP_*` or the `misinfo_smtp` Connection)."""

    id: str = Field(pattern=ID_PATTERN)
    type: Literal["email"]
    to: tuple[str, ...] = ()  # empty: MISINFO_DIGEST_TO
    enabled: bool = True

    @field_validator("to", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [a.strip() for a in value.split(",") if a.strip()] if isinstance(value, str) else value

    @field_validator("to")
    @classmethod
    def _addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [a for a in value if "@" not in a]
        if bad:
            raise ValueError(f"not an email address: {', '.join(bad)}")
        return value


class WebhookChannel(_Strict):
    """A JSON POST, HMAC-SHA256 signed, retried with backoff; `format: telegram` posts a Bot API
    `sendMessage` body instead (the bot token is in the URL, so that URL comes from `url_env`)."""

    id: str = Field(pattern=ID_PATTERN)
    type: Literal["webhook"]
    format: Literal["json", "telegram"] = "json"
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    url_env: str | None = Field(default=None, pattern=ENV_PATTERN)
    secret_env: str | None = Field(default=None, pattern=ENV_PATTERN)
    connection: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]+$")
    chat_id: str | None = None
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    retries: int = Field(default=3, ge=0, le=10)
    backoff_seconds: float = Field(default=2.0, ge=0, le=300)
    enabled: bool = True

    @model_validator(mode="before")
    @classmethod
    def _no_secrets(cls, data: Any) -> Any:
        if isinstance(data, dict):
            found = [k for k in SECRET_KEYS if k in data]
            if found:
                raise ValueError(
                    f"{found[0]}: secrets are never read from the rules file; put it in an environment "
                    "variable named by secret_env (or url_env), or in the Airflow Connection named by connection"
                )
            if "api.telegram.org/bot" in str(data.get("url", "")):
                raise ValueError("url: a Telegram URL holds the bot token; put it in an environment variable named by url_env")
        return data

    @field_validator("chat_id", mode="before")
    @classmethod
    def _chat_id_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @model_validator(mode="after")
    def _complete(self) -> WebhookChannel:
        if not (self.url or self.url_env or self.connection):
            raise ValueError("url: set url, url_env or connection")
        if self.format == "json" and not (self.secret_env or self.connection):
            raise ValueError("secret_env: a json webhook is signed; name the variable holding the secret (or a connection)")
        if self.format == "telegram" and not self.chat_id:
            raise ValueError("chat_id: a telegram webhook needs the chat id")
        return self


Channel = Annotated[EmailChannel | WebhookChannel, Field(discriminator="type")]


# -------------------------------------------------------------------------------------------- rules


class _Rule(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    channels: tuple[str, ...] = Field(min_length=1)
    enabled: bool = True
    label: str = ""  # shown in messages; the rule id when empty


class NarrativeBurstRule(_Rule):
    """A narrative rising by `misinfo.trends`' test: burst score ≥ threshold with ≥ min_posts in the window,
    carried by ≥ min_accounts accounts on ≥ min_sources sources (and not by its busiest source alone)."""

    kind: Literal["narrative_burst"]
    narratives: tuple[str, ...] = ()  # empty: all four
    threshold: float = Field(default=3.0, gt=0)
    min_posts: int = Field(default=5, ge=1)
    min_accounts: int = Field(default=TrendParams().min_accounts, ge=1)  # the rise is carried by this many accounts
    min_sources: int = Field(default=TrendParams().min_sources, ge=1)  # ... on this many sources
    window: Window = timedelta(hours=3)
    baseline_days: int = Field(default=7, ge=1, le=60)
    cooldown: Duration = timedelta(hours=12)

    @field_validator("narratives")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [n for n in value if n not in NARRATIVES]
        if unknown:
            raise ValueError(f"unknown narrative {unknown[0]!r} (known: {', '.join(NARRATIVES)})")
        return value


class CampaignRule(_Rule):
    """A copy-paste (near-duplicate) group posted by ≥ min_accounts distinct accounts within the window."""

    kind: Literal["campaign"]
    min_accounts: int = Field(default=3, ge=2)
    min_posts: int = Field(default=3, ge=2)
    window: Window = timedelta(hours=6)
    cooldown: Duration = timedelta(hours=12)


class _NewPostsRule(_Rule):
    min_new_posts: int = Field(default=1, ge=1)
    lookback: Lookback = timedelta(hours=48)  # posts created longer ago than this are never "new"
    cooldown: Duration = timedelta(0)


class ClaimRule(_NewPostsRule):
    """Posts newly matched to a fact-check registry claim: one alert per claim per batch of new posts."""

    kind: Literal["claim"]
    claims: tuple[str, ...] = ()  # empty: every claim of the registry


class SavedSearchRule(_NewPostsRule):
    """A saved search (attached to this rule on the dashboard) gaining ≥ min_new_posts new matches."""

    kind: Literal["saved_search"]
    min_new_posts: int = Field(default=3, ge=1)


Rule = Annotated[NarrativeBurstRule | CampaignRule | ClaimRule | SavedSearchRule, Field(discriminator="kind")]
RULE_KINDS = ("narrative_burst", "campaign", "claim", "saved_search")


class AlertsConfig(_Strict):
    version: int = 1
    give_up_after: Duration = timedelta(hours=48)  # an alert still undelivered after this is dropped (logged)
    channels: tuple[Channel, ...] = ()
    rules: tuple[Rule, ...] = ()

    def channel(self, channel_id: str) -> EmailChannel | WebhookChannel | None:
        return next((c for c in self.channels if c.id == channel_id), None)

    def rule(self, rule_id: str) -> NarrativeBurstRule | CampaignRule | ClaimRule | SavedSearchRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    @property
    def active_rules(self) -> tuple[NarrativeBurstRule | CampaignRule | ClaimRule | SavedSearchRule, ...]:
        return tuple(r for r in self.rules if r.enabled)

    def saved_search_rules(self) -> tuple[SavedSearchRule, ...]:
        return tuple(r for r in self.rules if isinstance(r, SavedSearchRule) and r.enabled)


AnyRule = NarrativeBurstRule | CampaignRule | ClaimRule | SavedSearchRule


# --------------------------------------------------------------------------------------- loading


def _entry_name(data: Any, section: str, index: int) -> str:
    """`rule 'merger-burst'` (or `rule #3` when the entry has no usable id)."""
    what = section[:-1]
    try:
        entry = data[section][index]
        if isinstance(entry, dict) and entry.get("id"):
            return f"{what} {str(entry['id'])!r}"
    except (TypeError, KeyError, IndexError):
        pass
    return f"{what} #{index + 1}"


def _problem(data: Any, err: Any) -> str:
    """One error as `rule 'x': field: message`, without pydantic's union-branch names."""
    loc = list(err["loc"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    where = ""
    if len(loc) >= 2 and loc[0] in ("rules", "channels") and isinstance(loc[1], int):
        where = _entry_name(data, str(loc[0]), loc[1])
        rest = loc[2:]
        if rest and rest[0] in (*RULE_KINDS, "email", "webhook"):
            rest = rest[1:]  # the discriminated-union branch
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            rest = ["kind" if loc[0] == "rules" else "type"]
        field = ".".join(str(p) for p in rest)
        if not field and ":" in msg.split(" ", 1)[0]:
            return f"{where}: {msg}"  # the message names the field itself
        return f"{where}: {field}: {msg}" if field else f"{where}: {msg}"
    field = ".".join(str(p) for p in loc) or "file"
    return f"{field}: {msg}"


def _cross_check(config: AlertsConfig) -> list[str]:
    """What a single model cannot see: unique ids, and rules naming channels that exist."""
    problems = []
    for section, items in (("channel", config.channels), ("rule", config.rules)):
        ids = [i.id for i in items]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            problems.append(f"{section} {dup!r}: id: used more than once")
    known = {c.id for c in config.channels}
    for rule in config.rules:
        for ch in rule.channels:
            if ch not in known:
                problems.append(
                    f"rule {rule.id!r}: channels: unknown channel {ch!r} (defined: {', '.join(sorted(known)) or 'none'})"
                )
    return problems


def parse_rules(data: Any, path: Path) -> AlertsConfig:
    """Validate a parsed rules document; any problem is one line naming the file, entry and field."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with channels: and rules:")
    try:
        config = AlertsConfig.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(data, err) for err in exc.errors()[:3]]
        raise ConfigError(f"{path}: " + "; ".join(problems)) from None
    problems = _cross_check(config)
    if problems:
        raise ConfigError(f"{path}: " + "; ".join(problems[:3]))
    return config


def load_rules(path: Path) -> AlertsConfig:
    """The rules file; a missing file is a config error (an empty file is no rules)."""
    path = Path(path)
    return parse_rules(read_yaml(path, "alert rules", hint=" (set MISINFO_ALERTS)"), path)
