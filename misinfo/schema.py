"""Validation of untrusted records (imports, crawled items, landing-zone lines) into domain objects.

The public `posts` format (README) is one JSON object per line; pydantic checks it and names the
field that is wrong, which becomes the quarantine reason. Records are written by strangers, so size
is bounded too: a text longer than any platform allows (Facebook's limit is 63,206 characters) or
JSON nested deeper than any real record is quarantined with the reason, never parsed into a crash.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from misinfo.domain import Metrics, Post, Transcript, utcnow
from misinfo.errors import InvalidRecord
from misinfo.text import nfc

MAX_TEXT_CHARS = 70_000
MAX_JSON_DEPTH = 32  # real records nest 3 levels (record → metrics → count)
_JSON_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS_RE = re.compile(r"[\[\]{}]")


class MetricsIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    views: int | None = Field(default=None, ge=0)
    likes: int | None = Field(default=None, ge=0)
    comments: int | None = Field(default=None, ge=0)
    shares: int | None = Field(default=None, ge=0)


class TranscriptIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str = Field(default="", max_length=MAX_TEXT_CHARS)
    language: str = Field(default="", max_length=32)
    source: str = Field(default="", max_length=32)


class PostIn(BaseModel):
    """The public `posts` import format; `collected_at` defaults to the time of import."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    platform: str = Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")
    post_id: str = Field(min_length=1, max_length=256)
    source: str = Field(default="import", min_length=1, max_length=256)
    url: str = Field(default="", max_length=4096)
    author: str = Field(default="", max_length=256)
    author_name: str = Field(default="", max_length=512)
    text: str = Field(default="", max_length=MAX_TEXT_CHARS)
    created_at: AwareDatetime
    collected_at: AwareDatetime | None = None
    metrics: MetricsIn = Field(default_factory=MetricsIn)
    hashtags: list[str] = Field(default_factory=list)
    sources: list[Annotated[str, Field(min_length=1, max_length=256)]] = Field(default_factory=list, max_length=100)
    transcript: TranscriptIn | None = None
    aigc: bool = False
    aigc_description: str = Field(default="", max_length=1000)
    location_created: str = Field(default="", max_length=16)

    @field_validator("post_id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @field_validator("hashtags")
    @classmethod
    def _clean_hashtags(cls, value: list[str]) -> list[str]:
        seen: dict[str, None] = {}
        for tag in value:
            tag = nfc(tag).strip().lstrip("#")
            if tag:
                seen.setdefault(tag, None)
        return list(seen)

    def to_post(self, collected_at: datetime | None = None) -> Post:
        return Post(
            platform=self.platform,
            post_id=self.post_id,
            source=self.source,
            url=self.url,
            author=self.author,
            author_name=nfc(self.author_name),
            text=nfc(self.text),
            created_at=self.created_at,
            collected_at=self.collected_at or collected_at or utcnow(),
            metrics=Metrics(**self.metrics.model_dump()),
            hashtags=tuple(self.hashtags),
            sources=tuple(self.sources),
            transcript=self._transcript(),
            aigc=self.aigc,
            aigc_description=nfc(self.aigc_description),
            location_created=self.location_created,
        )

    def _transcript(self) -> Transcript | None:
        t = self.transcript
        if t is None or not t.text.strip():
            return None
        return Transcript(text=nfc(t.text), language=t.language, source=t.source)


def _reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def _depth(value: Any) -> int:
    """How deeply lists and dicts nest in a decoded value (stops counting past MAX_JSON_DEPTH)."""
    deepest, level = 0, [(value, 1)]
    while level:
        item, depth = level.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:
                level.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def _text_depth(line: str) -> int:
    """How deeply a JSON text nests, counted without parsing it (strings skipped)."""
    depth = deepest = 0
    for bracket in _BRACKETS_RE.findall(_JSON_STRING_RE.sub("", line)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def post_from_record(record: Any, collected_at: datetime | None = None) -> Post:
    """Validate one decoded record; raise `InvalidRecord` with a one-line reason."""
    if not isinstance(record, dict):
        raise InvalidRecord(f"expected a JSON object, got {type(record).__name__}")
    if _depth(record) > MAX_JSON_DEPTH:
        raise InvalidRecord(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return PostIn.model_validate(record).to_post(collected_at)
    except ValidationError as exc:
        raise InvalidRecord(_reason(exc)) from None


def post_from_line(line: bytes | str, collected_at: datetime | None = None) -> Post:
    """Decode and validate one JSON line (bytes may be invalid UTF-8: that is a reason, not a crash)."""
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidRecord(f"invalid UTF-8 at byte {exc.start}") from None
    if _text_depth(line) > MAX_JSON_DEPTH:
        raise InvalidRecord(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidRecord(f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    return post_from_record(record, collected_at)
