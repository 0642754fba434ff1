"""The sources file (`MISINFO_SOURCES`): which public pages to crawl, validated with clear errors.

A source that turns off robots.txt must say whose permission allows it (`permission:`), so the
exception is written down next to the source rather than decided silently in code. TikTok sources
may also watch a hashtag (`kind: hashtag`) or a keyword search (`kind: search`, `query:`), and say
how to fetch (`mode`): plain HTTP, a browser that captures the page's own API answers, or `auto`
(HTTP first, the browser when the site refuses plain requests).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from misinfo.configfile import read_yaml
from misinfo.errors import ConfigError
from misinfo.text import nfc

Kind = Literal["profile", "hashtag", "search"]
Mode = Literal["http", "browser", "auto"]

_FACEBOOK_GROUP_RE = re.compile(r"groups/[A-Za-z0-9._-]+")


class Source(BaseModel):
    """One public TikTok profile, hashtag or keyword search, Facebook page, or public Facebook group
    (`groups/<id or name>`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", description="Stable id, used in file names.")
    platform: Literal["tiktok", "facebook"]
    kind: Kind = "profile"
    handle: str = Field(default="", min_length=1, max_length=200)
    query: str | None = Field(default=None, min_length=1, max_length=200)
    mode: Mode = "auto"
    enabled: bool = True
    obey_robots: bool = True
    permission: str | None = None
    label: str | None = None

    @field_validator("handle", mode="before")
    @classmethod
    def _strip_hash(cls, value: object) -> object:
        """`#sapnhaptinh` names the hashtag `sapnhaptinh` (a profile handle never starts with #)."""
        return value.strip().lstrip("#") if isinstance(value, str) else value

    @field_validator("query")
    @classmethod
    def _clean_query(cls, value: str | None) -> str | None:
        return nfc(" ".join(value.split())) if value is not None else None

    @field_validator("handle")
    @classmethod
    def _clean_handle(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip().lstrip("@").strip("/")
        if info.data.get("platform") == "facebook" and _FACEBOOK_GROUP_RE.fullmatch(value):
            return value
        if not value or any(c in value for c in "/?#& \t\n"):
            raise ValueError("must be a bare profile or page name (no URL, no spaces), or groups/<id or name> for a public Facebook group")
        return value

    @model_validator(mode="after")
    def _kind_fits(self) -> Source:
        if self.platform != "tiktok" and (self.kind != "profile" or self.mode == "browser"):
            raise ValueError("hashtag and search sources, and browser mode, are for TikTok only")
        if self.kind == "search":
            if not (self.query and self.query.strip()) or self.handle:
                raise ValueError("query: required for a search source (and no handle)")
        elif not self.handle:
            raise ValueError(f"handle: Field required for a {self.kind} source")
        elif self.query is not None:
            raise ValueError(f"query: only for search sources, not {self.kind}")
        return self

    @property
    def target(self) -> str:
        """What the source watches, as a person would write it: @handle, #tag or the search words."""
        if self.kind == "search":
            return self.query or ""
        return ("#" if self.kind == "hashtag" else "@" if self.platform == "tiktok" else "") + self.handle

    @model_validator(mode="after")
    def _permission_when_ignoring_robots(self) -> Source:
        if not self.obey_robots and not (self.permission and self.permission.strip()):
            raise ValueError("permission: required when obey_robots is false (say who allowed this crawl)")
        return self


def _entry_errors(index: int, entry: Any, exc: ValidationError) -> str:
    key = entry.get("key") if isinstance(entry, dict) else None
    where = f"entry {index}" + (f" (key {key!r})" if key else "")
    parts = []
    for err in exc.errors()[:3]:
        field = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{field}: {msg}" if field else msg)
    return f"{where}: " + "; ".join(parts)


def load_sources(path: Path) -> list[Source]:
    """Read and validate the sources file; any problem is one `ConfigError` naming the entry and field."""
    path = Path(path)
    data = read_yaml(path, "sources", hint=" (set MISINFO_SOURCES)")
    if data is None:
        return []
    if isinstance(data, dict) and "sources" in data:
        data = data["sources"] or []
    if not isinstance(data, list):
        raise ConfigError(f"{path}: expected a list of sources (or a 'sources:' list)")
    sources: list[Source] = []
    seen: set[str] = set()
    for i, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: entry {i}: expected a mapping with key, platform, handle")
        try:
            source = Source.model_validate(entry)
        except ValidationError as exc:
            raise ConfigError(f"{path}: {_entry_errors(i, entry, exc)}") from None
        if source.key in seen:
            raise ConfigError(f"{path}: entry {i}: duplicate key {source.key!r}")
        seen.add(source.key)
        sources.append(source)
    return sources


def get_source(sources: list[Source], key: str) -> Source:
    """The source with this key, or a `ConfigError` listing the keys that exist."""
    for source in sources:
        if source.key == key:
            return source
    known = ", ".join(s.key for s in sources) or "none"
    raise ConfigError(f"unknown source {key!r} (known: {known})")
