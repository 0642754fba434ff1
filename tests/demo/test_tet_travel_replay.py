"""Trends are not moved by noise: ordinary travel posts surging before Tết raise no travel-spending alarm.

A replay through the real NLP stage (the shipped model and config/narratives.yaml) and the real SQLite
store: the demo's simulated world (with its province-merger hoax bursting in the last 24 hours) plus
a surge of ordinary pre-Tết travel posts written for this test (synthetic, like the demo's posts):
family trips, ticket prices, tours, passports, company trips, from a travel page and from many
people in two community groups. The merger burst must still be rising; travel spending must not.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from misinfo.demo.content import DemoWorld
from misinfo.domain import Metrics, Post
from misinfo.settings import Settings
from misinfo.store.sqlite import SqliteStore
from misinfo.trends import compute_trends
from nlp.stage import NlpStage
from tests.demo.conftest import ANCHOR

pytestmark = [pytest.mark.slow]

PLACES = ["Thái Lan", "Nhật Bản", "Hàn Quốc", "Singapore", "Đà Lạt", "Phú Quốc", "Sa Pa", "Đài Loan", "Bali", "Hội An"]
TRAVEL = [
    "Tết này cả nhà mình đi {p} 5 ngày, chi phí hết khoảng {n} triệu cho 4 người, ai cần lịch trình thì hỏi nhé",
    "Vé máy bay đi {p} dịp Tết tăng gấp đôi, săn mãi mới được vé {n} triệu khứ hồi",
    "Xếp hàng từ 5 giờ sáng ở phòng xuất nhập cảnh để làm hộ chiếu kịp đi {p} trước Tết",
    "Công ty cho cả phòng đi du lịch {p} cuối năm, sếp bao vé máy bay, tụi mình tự lo tiền ăn",
    "Tour {p} Tết giá từ {n} triệu/người đã gồm khách sạn 4 sao, còn ít chỗ, inbox page để giữ chỗ",
    "Lần đầu đưa bố mẹ đi nước ngoài ăn Tết ở {p}, tốn kém chút nhưng ông bà vui lắm",
    "Du học sinh ở {p} không về quê ăn Tết được, vé về nhà mùa này đắt quá {n} triệu",
    "Chia sẻ chi phí chuyến đi {p} Tết: vé máy bay {n} triệu, khách sạn 3 đêm, ăn uống thoải mái",
    "Ca sĩ nổi tiếng đón Tết ở {p} cùng gia đình, khoe ảnh resort sang chảnh",
    "Đoàn khách du lịch đầu tiên của năm mới đến {p}, hướng dẫn viên phát lì xì cho từng người",
    "Đi công tác {p} sát Tết, tranh thủ mua ít quà về cho vợ con",
    "Ai đi {p} dịp Tết cho mình hỏi đổi tiền ở đâu tỷ giá tốt, cần mang bao nhiêu tiền mặt",
]


def travel_surge(world: DemoWorld, n: int = 240, seed: int = 15) -> list[Post]:
    """Ordinary travel posts in the 24 hours before the anchor: a travel page and two community groups."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        source, author = ("du-lich-tet-tt", "dulichtet") if i % 3 == 0 else (
            rng.choice(["cong-dong-du-lich-fb", "hoi-san-ve-fb"]), f"nguoi_{rng.randrange(120)}")
        text = rng.choice(TRAVEL).format(p=rng.choice(PLACES), n=rng.randrange(4, 60))
        created = ANCHOR - timedelta(minutes=rng.randrange(10, 23 * 60))
        platform = "tiktok" if source.endswith("-tt") else "facebook"
        out.append(Post(platform=platform, post_id=f"tet-{i}", source=source, url=f"https://example.test/tet/{i}",
                        author=author, author_name=author, text=text + " (mô phỏng)", created_at=created,
                        collected_at=ANCHOR, metrics=Metrics(likes=rng.randrange(200), shares=rng.randrange(20))))
    return out


@pytest.mark.xfail(strict=True, reason=(
    "issue 15 left open: the model is sure (p > 0.9) that 'đưa bố mẹ đi nước ngoài … tốn kém' and 'đi công "
    "tác … mua quà cho vợ con' are travel spending, so 2 of the 12 wordings (~40 posts from 35 accounts on "
    "7 sources) are tagged and the spread rule rightly sees a crowd; gating travel harder cost 0.01-0.02 "
    "held-out macro-F1"))
def test_tet_travel_surge_raises_no_travel_alarm_while_the_merger_burst_does(tmp_path: Path, world: DemoWorld):
    settings = Settings(home=tmp_path)
    stage = NlpStage(settings, persist=False)
    store = SqliteStore(tmp_path / "store.sqlite3")
    surge = travel_surge(world)
    try:
        posts = world.all_posts + surge
        for start in range(0, len(posts), 500):
            store.upsert(stage(posts[start : start + 500]))
        report = compute_trends(store, at=ANCHOR)
    finally:
        stage.close()
        store.close()
    by_id = {t.id: t for t in report.narratives}
    merger, travel = by_id["province_merger"], by_id["leadership_travel_spending"]
    assert merger.rising and merger.accounts >= 3 and merger.sources >= 2
    assert not travel.rising, (travel.count, travel.baseline, travel.score, travel.sources, travel.score_without_top_source)
    # the surge really is in the window, and the tagger leaves nearly all of it alone
    tagged = [tp for tp in stage.tagger.tag_texts([p.text for p in surge]) if any(t.narrative == "leadership_travel_spending" for t in tp)]
    assert len(tagged) <= len(surge) * 0.05
