"""The records the whole system passes around: plain dataclasses, no framework imports.

`to_dict`/`from_dict` give an exact JSON round trip (the landing zone and both stores rely on it);
validation of untrusted input lives in `misinfo.schema`, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

NARRATIVES: tuple[str, ...] = (
    "province_merger",
    "leadership_travel_spending",
    "party_congress_smear",
    "scam_extortion",
)
PLATFORMS: tuple[str, ...] = ("tiktok", "facebook", "other")
Verdict = Literal["false", "misleading", "accurate", "not_about"]
VERDICTS: tuple[str, ...] = ("false", "misleading", "accurate", "not_about")
EvidenceKind = Literal["phrase", "feature", "claim", "review"]
# Which part of a post a phrase matched in: its caption (text and hashtags) or its video's transcript.
# Empty for model features and claims, and for posts without a transcript (all caption then).
EvidencePart = Literal["", "caption", "transcript"]


def _dt_to_str(value: datetime) -> str:
    return value.isoformat()


def _dt_from_str(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without a UTC offset: {value!r}")
    return parsed.astimezone(UTC)


def utcnow() -> datetime:
    """Aware UTC now; the only clock the core reads."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Metrics:
    """Engagement as shown publicly at collection time; None means the page did not show it."""

    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None

    @property
    def engagement(self) -> int:
        """Interactions that take an action (likes + comments + shares); views are passive."""
        return (self.likes or 0) + (self.comments or 0) + (self.shares or 0)

    def to_dict(self) -> dict[str, int | None]:
        return {"views": self.views, "likes": self.likes, "comments": self.comments, "shares": self.shares}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Metrics:
        data = data or {}
        return cls(**{k: data.get(k) for k in ("views", "likes", "comments", "shares")})


@dataclass(frozen=True, slots=True)
class Transcript:
    """What a video says: the cue texts of a caption track (timings and repeated lines dropped).

    `language` is the track's code as the platform names it (`vie-VN`); `source` how it was made:
    `ASR` (TikTok's speech recognition of the video's own language) or `voice_to_text` (the
    Research API's field). Machine translations are never kept as a transcript.
    """

    text: str
    language: str = ""
    source: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "language": self.language, "source": self.source}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Transcript | None:
        if not data or not data.get("text"):
            return None
        return cls(text=data["text"], language=data.get("language") or "", source=data.get("source") or "")


@dataclass(frozen=True, slots=True)
class Post:
    """One public post as collected; identity is `key` = `platform:post_id`.

    `source` is the source that found it first; `sources` every source that has found it (a profile
    and a hashtag, say), sorted, `source` included. Stores merge `sources` on upsert.

    `transcript` is what the video says (fetched once, when a video is first collected; a later
    copy without one keeps the earlier one, see `keeping_transcript`). `aigc` is the platform's own
    "AI-generated" label with its description; `location_created` the country code the platform
    gives for where the video was made. Fields left at their default are not written to JSON.
    """

    platform: str
    post_id: str
    source: str
    url: str
    author: str
    author_name: str
    text: str
    created_at: datetime
    collected_at: datetime
    metrics: Metrics = field(default_factory=Metrics)
    hashtags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    transcript: Transcript | None = None
    aigc: bool = False
    aigc_description: str = ""
    location_created: str = ""

    def __post_init__(self) -> None:
        found_by = tuple(sorted({self.source, *self.sources}))
        if found_by != self.sources:
            object.__setattr__(self, "sources", found_by)
        for name in ("created_at", "collected_at"):
            value = getattr(self, name)
            if value.tzinfo is None:
                raise ValueError(f"Post.{name} must be timezone-aware")
            if value.tzinfo is not UTC:
                object.__setattr__(self, name, value.astimezone(UTC))

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.post_id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "post_id": self.post_id,
            "source": self.source,
            "url": self.url,
            "author": self.author,
            "author_name": self.author_name,
            "text": self.text,
            "created_at": _dt_to_str(self.created_at),
            "collected_at": _dt_to_str(self.collected_at),
            "metrics": self.metrics.to_dict(),
            "hashtags": list(self.hashtags),
            "sources": list(self.sources),
            **self._video_fields(),
        }

    def _video_fields(self) -> dict[str, Any]:
        """The video-only fields that are set (older lines and other platforms' posts have none)."""
        out: dict[str, Any] = {}
        if self.transcript is not None:
            out["transcript"] = self.transcript.to_dict()
        if self.aigc or self.aigc_description:
            out["aigc"] = self.aigc
            out["aigc_description"] = self.aigc_description
        if self.location_created:
            out["location_created"] = self.location_created
        return out

    @property
    def matching_text(self) -> str:
        """Everything search matches on: caption and hashtags, then the transcript on its own line."""
        caption = self.text + " " + " ".join(self.hashtags)
        return caption if self.transcript is None else caption + "\n" + self.transcript.text

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Post:
        return cls(
            platform=data["platform"],
            post_id=str(data["post_id"]),
            source=data["source"],
            url=data["url"],
            author=data["author"],
            author_name=data["author_name"],
            text=data["text"],
            created_at=_dt_from_str(data["created_at"]),
            collected_at=_dt_from_str(data["collected_at"]),
            metrics=Metrics.from_dict(data.get("metrics")),
            hashtags=tuple(data.get("hashtags") or ()),
            sources=tuple(data.get("sources") or ()),  # landing-zone lines written before `sources` have none
            transcript=Transcript.from_dict(data.get("transcript")),
            aigc=bool(data.get("aigc", False)),
            aigc_description=data.get("aigc_description") or "",
            location_created=data.get("location_created") or "",
        )

    def keeping_transcript(self, earlier: Transcript | None) -> Post:
        """This post with an earlier copy's transcript when it has none (a count refresh fetches none)."""
        if self.transcript is not None or earlier is None:
            return self
        return replace(self, transcript=earlier)

    def found_also_by(self, first: str, sources: tuple[str, ...]) -> Post:
        """This post as stored after an earlier finder `first`: first finder kept, every finder listed."""
        if first == self.source and set(sources) <= set(self.sources):
            return self
        return replace(self, source=first, sources=(*self.sources, *sources))


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a tag was given: a matched phrase, a model feature with its weight, a claim, a review."""

    kind: EvidenceKind
    value: str
    weight: float = 1.0
    part: EvidencePart = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "value": self.value, "weight": self.weight}
        if self.part:
            out["part"] = self.part
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        return cls(kind=data["kind"], value=data["value"], weight=float(data["weight"]), part=data.get("part") or "")


@dataclass(frozen=True, slots=True)
class Tag:
    """"This post is about narrative X" with a score in 0..1 and the evidence for it."""

    narrative: str
    score: float
    evidence: tuple[Evidence, ...] = ()

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"tag score must be in 0..1, got {self.score}")

    def to_dict(self) -> dict[str, Any]:
        return {"narrative": self.narrative, "score": self.score, "evidence": [e.to_dict() for e in self.evidence]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tag:
        return cls(
            narrative=data["narrative"],
            score=float(data["score"]),
            evidence=tuple(Evidence.from_dict(e) for e in data.get("evidence", ())),
        )


@dataclass(frozen=True, slots=True)
class ClaimMatch:
    """A post repeats a verified false/misleading claim of the fact-check registry."""

    claim_id: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "score": self.score}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClaimMatch:
        return cls(claim_id=data["claim_id"], score=float(data["score"]))


@dataclass(frozen=True, slots=True)
class Review:
    """An analyst's verdict on a post (optionally for one narrative), the other way a post counts as false."""

    post_key: str
    verdict: str
    reviewer: str
    reviewed_at: datetime
    narrative: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, got {self.verdict!r}")
        if self.reviewed_at.tzinfo is None:
            raise ValueError("Review.reviewed_at must be timezone-aware")
        if self.reviewed_at.tzinfo is not UTC:
            object.__setattr__(self, "reviewed_at", self.reviewed_at.astimezone(UTC))

    def to_dict(self) -> dict[str, Any]:
        return {
            "post_key": self.post_key,
            "verdict": self.verdict,
            "reviewer": self.reviewer,
            "reviewed_at": _dt_to_str(self.reviewed_at),
            "narrative": self.narrative,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Review:
        return cls(
            post_key=data["post_key"],
            verdict=data["verdict"],
            reviewer=data["reviewer"],
            reviewed_at=_dt_from_str(data["reviewed_at"]),
            narrative=data.get("narrative"),
            note=data.get("note") or "",
        )


@dataclass(frozen=True, slots=True)
class TaggedPost:
    """A post after the NLP stage: what the stores index and the dashboard explains."""

    post: Post
    tags: tuple[Tag, ...] = ()
    claims: tuple[ClaimMatch, ...] = ()
    dup_group: str | None = None
    review: Review | None = None
    model_version: str = ""

    @property
    def key(self) -> str:
        return self.post.key

    @property
    def narratives(self) -> tuple[str, ...]:
        return tuple(t.narrative for t in self.tags)

    @property
    def review_status(self) -> str:
        """`unreviewed` or the verdict; the value stores filter on."""
        return self.review.verdict if self.review else "unreviewed"

    def with_review(self, review: Review | None) -> TaggedPost:
        return replace(self, review=review)

    def to_dict(self) -> dict[str, Any]:
        return {
            "post": self.post.to_dict(),
            "tags": [t.to_dict() for t in self.tags],
            "claims": [c.to_dict() for c in self.claims],
            "dup_group": self.dup_group,
            "review": self.review.to_dict() if self.review else None,
            "model_version": self.model_version,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaggedPost:
        return cls(
            post=Post.from_dict(data["post"]),
            tags=tuple(Tag.from_dict(t) for t in data.get("tags", ())),
            claims=tuple(ClaimMatch.from_dict(c) for c in data.get("claims", ())),
            dup_group=data.get("dup_group"),
            review=Review.from_dict(data["review"]) if data.get("review") else None,
            model_version=data.get("model_version", ""),
        )
