"""The item the spiders yield: one post in the public `posts` format (so `-O file.jsonl` is importable)."""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field
from typing import Any


@dataclass
class PostItem:
    """Fields a page may not fill stay None; the pipeline's validation names what is missing."""

    platform: str
    post_id: str | None
    source: str
    url: str
    author: str
    author_name: str
    text: str
    created_at: str | None
    collected_at: str
    metrics: dict[str, int | None] = field(default_factory=dict)
    hashtags: list[str] = field(default_factory=list)
    transcript: dict[str, str] | None = None
    aigc: bool = False
    aigc_description: str = ""
    location_created: str = ""

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> PostItem:
        """Required fields the record lacks become None (validation names them); optional ones keep their default."""
        fields = cls.__dataclass_fields__
        required = [k for k, f in fields.items() if f.default is MISSING and f.default_factory is MISSING]
        return cls(**{k: record.get(k) for k in fields if k in record or k in required})  # type: ignore[arg-type]

    def to_record(self) -> dict[str, Any]:
        return asdict(self)
