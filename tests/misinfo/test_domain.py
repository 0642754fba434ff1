"""Domain records: exact JSON round trip (property-based), invariants."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from misinfo.domain import ClaimMatch, Evidence, Metrics, Post, Review, Tag, TaggedPost

aware = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=7)), timezone(timedelta(hours=-3, minutes=-30))]),
)
counts = st.none() | st.integers(min_value=0, max_value=10**12)
text = st.text(max_size=200)
posts = st.builds(
    Post,
    platform=st.sampled_from(["tiktok", "facebook"]),
    post_id=st.text(min_size=1, max_size=30),
    source=text, url=text, author=text, author_name=text, text=text,
    created_at=aware, collected_at=aware,
    metrics=st.builds(Metrics, views=counts, likes=counts, comments=counts, shares=counts),
    hashtags=st.lists(text, max_size=5).map(tuple),
)
tags = st.builds(
    Tag,
    narrative=st.sampled_from(["province_merger", "scam_extortion"]),
    score=st.floats(min_value=0, max_value=1),
    evidence=st.lists(
        st.builds(Evidence, kind=st.sampled_from(["phrase", "feature"]), value=text,
                  weight=st.floats(allow_nan=False, allow_infinity=False)),
        max_size=4,
    ).map(tuple),
)
reviews = st.builds(
    Review, post_key=text, verdict=st.sampled_from(["false", "misleading", "accurate", "not_about"]),
    reviewer=text, reviewed_at=aware, narrative=st.none() | st.just("province_merger"), note=text,
)
tagged = st.builds(
    TaggedPost, post=posts, tags=st.lists(tags, max_size=3).map(tuple),
    claims=st.lists(st.builds(ClaimMatch, claim_id=text, score=st.floats(0, 1)), max_size=2).map(tuple),
    dup_group=st.none() | text, review=st.none() | reviews, model_version=text,
)


@settings(max_examples=200, deadline=None)
@given(tagged)
def test_tagged_post_json_round_trip_is_exact(tp: TaggedPost) -> None:
    wire = json.dumps(tp.to_dict(), ensure_ascii=False)
    back = TaggedPost.from_dict(json.loads(wire))
    assert back == tp
    assert back.post.created_at == tp.post.created_at
    assert back.post.created_at.tzinfo is UTC


def test_times_are_stored_in_utc() -> None:
    local = datetime(2026, 11, 1, 7, 0, tzinfo=timezone(timedelta(hours=7)))
    p = Post("tiktok", "1", "s", "u", "a", "A", "t", local, local)
    assert p.created_at == datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
    assert p.created_at.tzinfo is UTC
    assert p.key == "tiktok:1"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Post("tiktok", "1", "s", "u", "a", "A", "t", datetime(2026, 1, 1), datetime(2026, 1, 1))


def test_tag_score_is_bounded() -> None:
    with pytest.raises(ValueError):
        Tag("province_merger", 1.5)


def test_review_verdict_is_checked() -> None:
    with pytest.raises(ValueError, match="verdict"):
        Review("tiktok:1", "fake", "a", datetime.now(UTC))


def test_engagement_ignores_views_and_missing_counts() -> None:
    assert Metrics(views=10_000, likes=3, comments=None, shares=2).engagement == 5
