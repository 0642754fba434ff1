"""What the dashboard writes: reviews (review log first, then the store) and audit records."""

from __future__ import annotations

from pathlib import Path

from dashboard.auth import NotAllowed, User
from dashboard.queries import query_details
from misinfo.audit import audit
from misinfo.domain import VERDICTS, Review, utcnow
from misinfo.pipeline import record_review
from misinfo.store.base import PostStore, SearchQuery


def save_review(
    home: Path, store: PostStore, user: User, post_key: str, verdict: str, narrative: str | None, note: str
) -> bool:
    """Record an analyst's verdict; True when the post was in the store (it is logged either way).

    Goes through `misinfo.pipeline.record_review`, so the review survives a reindex and feeds
    `misinfo nlp train`; the audit log gets who, when, which post and what verdict.
    """
    if not user.can_review:
        raise NotAllowed(f"user {user.username!r} ({user.role}) may not review posts")
    if verdict not in VERDICTS:
        raise NotAllowed(f"unknown verdict {verdict!r}")
    review = Review(
        post_key=post_key,
        verdict=verdict,
        reviewer=user.username,
        reviewed_at=utcnow(),
        narrative=narrative or None,
        note=(note or "").strip()[:2000],
    )
    found = record_review(home, store, review)
    audit(home, who=user.username, action="review", post=post_key, verdict=verdict, narrative=narrative,
          note=review.note, found=found)  # fmt: skip
    return found


def audit_search(home: Path, user: User, query: SearchQuery, total: int) -> None:
    audit(home, who=user.username, action="search", total=total, **query_details(query))
