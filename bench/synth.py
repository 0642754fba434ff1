"""Synthetic Vietnamese-like posts for benchmarks: deterministic, varied, fast to generate.

Word frequencies follow a Zipf law over a few thousand syllables, as real text does, and topic
phrases appear in roughly the share of posts a monitored feed would carry (a few percent per
narrative), so search selectivity resembles an archive rather than a bag of the same 100 words.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from misinfo.domain import NARRATIVES, ClaimMatch, Metrics, Post, Tag, TaggedPost

_ONSETS = ["", "b", "c", "ch", "d", "đ", "g", "gi", "h", "kh", "l", "m", "n", "ng", "nh", "ph", "qu", "r", "s",
           "t", "th", "tr", "v", "x"]
_RHYMES = ["a", "ai", "am", "an", "ang", "anh", "ao", "at", "ay", "ăn", "âm", "ân", "âu", "e", "em", "en", "ê",
           "i", "im", "in", "inh", "o", "oa", "oai", "oan", "ong", "ô", "ôi", "ông", "ơ", "ơi", "u", "ui", "um",
           "un", "ung", "ư", "ưa", "ươi", "ương", "ước", "iêu", "iên", "uyên", "uôn"]
_TONES = {"a": "aàáảãạ", "ă": "ăằắẳẵặ", "â": "âầấẩẫậ", "e": "eèéẻẽẹ", "ê": "êềếểễệ", "i": "iìíỉĩị",
          "o": "oòóỏõọ", "ô": "ôồốổỗộ", "ơ": "ơờớởỡợ", "u": "uùúủũụ", "ư": "ưừứửữự"}
_TOPIC = {
    "province_merger": ["sáp nhập tỉnh", "trung tâm hành chính mới", "danh sách tỉnh mới", "sáp nhập xã"],
    "leadership_travel_spending": ["đoàn cán bộ đi nước ngoài", "chi phí chuyến công tác", "tiền tỷ đi Mỹ"],
    "party_congress_smear": ["nhân sự đại hội đảng", "xuyên tạc đại hội", "danh sách bộ chính trị giả"],
    "scam_extortion": ["lừa đảo chuyển khoản", "giả danh công an", "video ghép mặt tống tiền", "mã OTP"],
}
_SOURCES = [f"src-{i:02d}" for i in range(12)]


def _vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        rhyme = rng.choice(_RHYMES)
        vowel = next((i for i, ch in enumerate(rhyme) if ch in _TONES), 0)
        toned = rhyme[:vowel] + _TONES.get(rhyme[vowel], rhyme[vowel])[rng.randrange(6)] + rhyme[vowel + 1 :]
        words.add(rng.choice(_ONSETS) + toned)
    ordered = sorted(words)
    rng.shuffle(ordered)  # frequent words anywhere in the alphabet
    return ordered


def synth_posts(n: int, *, days: int = 30, end: datetime | None = None, seed: int = 7) -> Iterator[TaggedPost]:
    """`n` tagged posts spread over `days` days before `end`; a few percent per narrative."""
    rng = random.Random(seed)
    end = end or datetime(2026, 11, 1, tzinfo=UTC)
    vocab = _vocabulary(rng)
    cum = list(accumulate(1.0 / (rank + 1) for rank in range(len(vocab))))
    span = days * 86_400
    for i in range(n):
        words = rng.choices(vocab, cum_weights=cum, k=rng.randint(12, 60))
        narratives = [nar for nar in NARRATIVES if rng.random() < 0.06]
        for nar in narratives:
            words.insert(rng.randrange(len(words) + 1), rng.choice(_TOPIC[nar]))
        created = end - timedelta(seconds=rng.random() * span)
        platform = "tiktok" if i % 3 else "facebook"
        yield TaggedPost(
            post=Post(
                platform=platform,
                post_id=str(i),
                source=rng.choice(_SOURCES),
                url=f"https://example.test/{platform}/{i}",
                author=f"user{rng.randint(0, 5000)}",
                author_name="Người dùng",
                text=" ".join(words),
                created_at=created,
                collected_at=end,
                metrics=Metrics(views=rng.randint(0, 10**6), likes=rng.randint(0, 10**4),
                                comments=rng.randint(0, 500), shares=rng.randint(0, 300)),
                hashtags=tuple(rng.sample(["sapnhap", "canhbao", "luadao", "tintuc", "xuhuong"], k=rng.randint(0, 2))),
            ),
            tags=tuple(Tag(nar, round(rng.uniform(0.5, 1.0), 3)) for nar in narratives),
            claims=(ClaimMatch("fake-63-to-31-list", 0.8),) if narratives and rng.random() < 0.1 else (),
            dup_group=f"g-{rng.randint(0, 2000)}" if rng.random() < 0.05 else None,
            model_version="bench",
        )
