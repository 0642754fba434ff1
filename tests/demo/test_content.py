"""The demo's synthetic posts: repeatable, realistic in shape, and carrying everything the demo shows."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import timedelta

from misinfo.demo.content import CLAIM_PARAPHRASES, DAYS, SOURCES, generate, strip_diacritics
from misinfo.settings import CONFIG_DIR
from misinfo.text import fold
from nlp.claims import load_registry
from tests.demo.conftest import ANCHOR


def test_same_clock_and_seed_give_the_same_posts(world) -> None:
    again = generate(ANCHOR)
    assert [p.to_dict() for p in again.all_posts] == [p.to_dict() for p in world.all_posts]
    other = generate(ANCHOR, seed=7)
    assert [p.text for p in other.all_posts][:50] != [p.text for p in world.all_posts][:50]


def test_about_ten_sources_both_platforms_both_facebook_layouts_one_blocked(world) -> None:
    assert 8 <= len(world.sources) <= 12
    assert {s.platform for s in SOURCES} == {"tiktok", "facebook"}
    assert {s.layout for s in SOURCES if s.platform == "facebook"} == {"m", "www"}
    assert [s.key for s in world.blocked] == ["tin-nong-tt"]
    assert len({s.key for s in SOURCES}) == len(SOURCES) and len({s.handle for s in SOURCES}) == len(SOURCES)
    # clearly synthetic: every name says "mô phỏng", every handle "mophong"
    assert all("(mô phỏng)" in s.name and "mophong" in s.handle for s in SOURCES)


def test_two_to_five_thousand_posts_over_the_last_fourteen_days(world) -> None:
    posts = world.all_posts
    assert 2000 <= len(posts) <= 5000
    assert len({p.key for p in posts}) == len(posts)
    assert all(ANCHOR - timedelta(days=DAYS) <= p.created_at < ANCHOR for p in posts)
    days = Counter((ANCHOR - p.created_at).days for p in posts)
    assert set(range(DAYS)) <= set(days)  # every day has posts
    assert all(unicodedata.is_normalized("NFC", p.text) for p in posts)
    # TikTok ids carry their creation time in the top bits, as TikTok's do
    tt = [p for p in posts if p.platform == "tiktok"]
    assert all(int(p.post_id) >> 32 == int(p.created_at.timestamp()) for p in tt)
    assert all(p.metrics.views is None for p in posts if p.platform == "facebook")


def test_natural_variety_with_and_without_diacritics_shorthand_and_hashtags(world) -> None:
    texts = [p.text for p in world.all_posts]
    plain = [t for t in texts if t == strip_diacritics(t)]
    assert 0.1 < len(plain) / len(texts) < 0.4  # many typed without tone marks, most with
    words = Counter(w for t in texts for w in re.findall(r"\w+", t.lower()))
    for short in ("ko", "dc", "vs", "ae", "mn"):
        assert words[short] >= 3, short
    assert sum(1 for p in world.all_posts if p.hashtags) / len(texts) > 0.4
    assert all(f"#{h}" in p.text for p in world.all_posts for h in p.hashtags)
    # 3,000 posts that do not read like 20: almost all texts distinct, few share an opening
    assert len(set(texts)) / len(texts) > 0.97
    openings = Counter(" ".join(fold(t).split()[:8]) for t in texts)
    assert openings.most_common(1)[0][1] < 25


def test_everyday_posts_dominate_and_hard_negatives_are_present(world) -> None:
    roles = world.role_counts()
    assert roles["everyday"] / len(world.all_posts) > 0.5
    negatives = [p.text for p in world.all_posts if world.roles[p.key] == "negative"]
    folded = [fold(t) for t in negatives]
    assert any("ngan hang" in t and ("sap nhap" in t or "hop nhat" in t) for t in folded)  # bank merger
    assert any("dai hoi the" in t for t in folded)  # sports "Đại hội"
    assert any("doan cong tac" in t for t in folded)  # official trip, no word on cost
    for narrative in ("province_merger", "leadership_travel_spending", "party_congress_smear", "scam_extortion"):
        assert roles[f"narrative:{narrative}"] >= 40, narrative


def test_a_province_merger_hoax_bursts_in_the_last_day(world) -> None:
    burst = [p for p in world.all_posts if world.roles[p.key] == "burst"]
    assert len(burst) >= 100
    assert all(ANCHOR - p.created_at < timedelta(hours=24) for p in burst)
    assert len({p.source for p in burst}) >= 5
    assert all(re.search(r"nhap|tinh|hanh chinh", fold(p.text)) for p in burst)  # about provinces, every one
    assert sum("sap nhap" in fold(p.text) for p in burst) > len(burst) / 2
    # ramping up: more in the last 8 hours than in the 8 before
    recent = sum(1 for p in burst if ANCHOR - p.created_at < timedelta(hours=8))
    assert recent > sum(1 for p in burst if timedelta(hours=8) <= ANCHOR - p.created_at < timedelta(hours=16))
    # against a background of a dozen province-merger posts a day
    background = [p for p in world.all_posts if world.roles[p.key] == "narrative:province_merger"]
    assert len(burst) > 5 * len(background) / DAYS


def test_a_copy_paste_campaign_several_accounts_within_minutes(world) -> None:
    campaign = sorted((p for p in world.all_posts if world.roles[p.key] == "campaign"), key=lambda p: p.created_at)
    visible = [p for p in campaign if not world.source(p.source).blocked]
    assert len({p.author for p in visible}) >= 4
    assert campaign[-1].created_at - campaign[0].created_at <= timedelta(minutes=15)
    assert ANCHOR - campaign[0].created_at < timedelta(hours=24)
    middles = {re.search(r"nha nuoc ho tro.*ma otp", fold(p.text)).group(0) for p in campaign}  # type: ignore[union-attr]
    assert len(middles) == 1  # the same text, small edits at the start and end
    assert len({p.text for p in campaign}) >= len(campaign) - 1  # but not byte-identical
    assert len({p.hashtags for p in campaign}) > 1


def test_claims_are_repeated_in_other_words_not_copied(world) -> None:
    registry = load_registry(CONFIG_DIR / "claims.yaml")
    ids = {c.id for c in registry.claims}
    for claim_id, texts in CLAIM_PARAPHRASES.items():
        assert claim_id in ids
        claim = fold(registry.get(claim_id).text)
        for text in texts:
            assert fold(text)[:60] not in claim
    repeated = Counter(world.roles[p.key] for p in world.all_posts if world.roles[p.key].startswith("claim:"))
    assert len(repeated) == len(CLAIM_PARAPHRASES)
    recent = [p for p in world.all_posts if world.roles[p.key].startswith("claim:")
              and ANCHOR - p.created_at < timedelta(hours=24)]
    assert len(recent) >= len(CLAIM_PARAPHRASES)


def test_strip_diacritics_keeps_case_and_folds_d() -> None:
    assert strip_diacritics("Đường Nguyễn Trãi ĐÔNG") == "Duong Nguyen Trai DONG"
