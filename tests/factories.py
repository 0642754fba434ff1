"""Builders for test data, so tests state only what matters to them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from misinfo.domain import ClaimMatch, Metrics, Post, Tag, TaggedPost, Transcript

T0 = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


def make_post(
    post_id: str | int = "1",
    text: str = "Bài đăng thử nghiệm",
    *,
    platform: str = "tiktok",
    source: str = "src-a",
    author: str = "user_a",
    created_at: datetime | None = None,
    hours: float = 0,
    likes: int | None = 0,
    comments: int | None = 0,
    shares: int | None = 0,
    views: int | None = None,
    hashtags: tuple[str, ...] = (),
    transcript: str | Transcript | None = None,
    aigc: bool = False,
    location_created: str = "",
) -> Post:
    return Post(
        platform=platform,
        post_id=str(post_id),
        source=source,
        url=f"https://example.test/{platform}/{post_id}",
        author=author,
        author_name=author.replace("_", " ").title(),
        text=text,
        created_at=created_at or T0 + timedelta(hours=hours),
        collected_at=T0 + timedelta(days=30),
        metrics=Metrics(views=views, likes=likes, comments=comments, shares=shares),
        hashtags=hashtags,
        transcript=Transcript(transcript, "vie-VN", "ASR") if isinstance(transcript, str) else transcript,
        aigc=aigc,
        aigc_description="Nội dung do AI tạo ra" if aigc else "",
        location_created=location_created,
    )


def make_tagged(
    post_id: str | int = "1",
    text: str = "Bài đăng thử nghiệm",
    *,
    narratives: tuple[str, ...] = (),
    claims: tuple[str, ...] = (),
    dup_group: str | None = None,
    **kwargs: Any,
) -> TaggedPost:
    return TaggedPost(
        post=make_post(post_id, text, **kwargs),
        tags=tuple(Tag(n, 0.9) for n in narratives),
        claims=tuple(ClaimMatch(c, 0.8) for c in claims),
        dup_group=dup_group,
        model_version="test",
    )
