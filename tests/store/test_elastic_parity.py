"""The same 1,000 posts in SQLite and in Elasticsearch give the same hits, totals, counts and facets.

Elasticsearch here is osmem-server over real HTTP (and also the real cluster when
MISINFO_TEST_ES_URL is set). Orders are compared exactly where both stores define them (newest,
engagement; timestamps are distinct); relevance is compared as sets, because BM25 scores differ
between engines (FTS5, Lucene, osmem's bleve) by design.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from misinfo.domain import Review
from misinfo.store.base import PostStore, SearchQuery
from misinfo.store.elastic import ElasticStore
from misinfo.store.sqlite import SqliteStore
from tests.factories import T0, make_tagged
from tests.store.conftest import REAL_ES_URL, es_settings

pytestmark = pytest.mark.integration  # talks to osmem-server (or a real cluster) over HTTP

N = 1000
PHRASES = [
    "Đồng Nai sáp nhập với Bình Phước", "danh sách 63 tỉnh còn 34", "tỉnh mới tên gì", "trụ sở tỉnh mới",
    "sốt đất sau sáp nhập", "giả danh công an gọi video", "lừa đảo đầu tư tiền ảo", "ghép mặt tống tiền",
    "mua bán tài khoản ngân hàng", "đường link lạ", "Đại hội Đảng bộ tỉnh", "danh sách nhân sự giả",
    "bôi nhọ cán bộ", "chuyến công tác nước ngoài", "chi phí đoàn đi Mỹ", "Đại hội thể dục thể thao",
    "sáp nhập ngân hàng", "cảnh báo của Công an tỉnh", "Bộ Công an khuyến cáo", "ĐẮK LẮK", "đ đ Đ",
    "snake_case_word", "v1.2 bản cập nhật", "giá 1.000.000đ", "#tin_giả", "e-mail: a@b.vn", "cà phê ☕",
]
NARRATIVES = ["province_merger", "leadership_travel_spending", "party_congress_smear", "scam_extortion"]
QUERIES = [
    "", "sap nhap", "sáp nhập", "SÁP NHẬP", "dong nai", "Đồng Nai", "đ", "d", "dak lak", '"sap nhap ngan hang"',
    '"nhap sap"', "lua dao -video", "sap nhap -ngan -dat", '-sap -"lua dao"', "-dai", "lừa OR tống", "dai hoi OR cong tac",
    "snake_case_word", "snake", "case word", "v1.2", "v1 2", "1.000.000", "000", "tin_giả", "tin gia", "a@b.vn", "b vn",
    "cà phê", "☕", "e-mail", "mail", "tỉnh", "xyzzy", "sap* nhap^", 'NEAR(sap nhap', "OR", "- -", "___",
]


def _posts() -> list:  # type: ignore[type-arg]
    rng = random.Random(20261101)
    posts = []
    for i in range(N):
        text = " ".join(rng.sample(PHRASES, rng.randint(1, 3)))
        posts.append(make_tagged(
            i, text,
            platform=rng.choice(["tiktok", "facebook"]),
            source=rng.choice(["src-a", "src-b", "src-c", "src-đ"]),
            author=f"user_{rng.randint(0, 40)}",
            created_at=T0 + timedelta(minutes=37 * i, seconds=rng.randint(0, 59), microseconds=i),
            likes=rng.choice([None, 0, rng.randint(0, 5000)]), shares=rng.randint(0, 50),
            comments=rng.randint(0, 200) * 1000 + i,  # distinct engagement, so its order is defined
            narratives=tuple(rng.sample(NARRATIVES, rng.choice([0, 0, 1, 1, 2]))),
            claims=tuple(rng.sample(["c-merger-list", "c-police-call", "c-trip-cost"], rng.choice([0, 0, 1]))),
            dup_group=rng.choice([None, None, None, "g-1", "g-2", "g-3"]),
            hashtags=tuple(rng.sample(["sápnhập", "lừađảo", "ĐạiHội", "cảnhbáo"], rng.choice([0, 1, 2]))),
        ))
    return posts


@pytest.fixture(scope="module")
def pair(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PostStore, PostStore]]:
    """SQLite and Elasticsearch holding the same posts and reviews (built once for this module)."""
    posts = _posts()
    reviews = [Review(f"tiktok:{i}", "false", "a", T0) for i in range(0, N, 97)]
    sqlite = SqliteStore(tmp_path_factory.mktemp("parity") / "s.sqlite3")
    real = request.param == "real"
    elastic = ElasticStore.from_settings(es_settings(request, real=real))
    for store in (sqlite, elastic):
        store.upsert(posts[:600])
        store.upsert(posts[600:])
        for r in reviews:
            store.set_review(r)
    yield sqlite, elastic
    sqlite.close()
    elastic.close()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "pair" in metafunc.fixturenames:
        metafunc.parametrize("pair", ["osmem"] + (["real"] if REAL_ES_URL else []), indirect=True, scope="module")


def _keys(store: PostStore, q: SearchQuery) -> list[str]:
    return [tp.key for tp in store.scan(q, batch_size=300)]


@pytest.mark.parametrize("text", QUERIES)
def test_same_hits_and_totals(pair: tuple[PostStore, PostStore], text: str) -> None:
    sqlite, elastic = pair
    for sort in ("newest", "engagement"):
        q = SearchQuery(text=text, sort=sort, size=50)  # type: ignore[arg-type]
        a, b = sqlite.search(q), elastic.search(q)
        assert a.total == b.total, (text, sort)
        assert [h.post.key for h in a.hits] == [h.post.key for h in b.hits], (text, sort)
        assert [h.snippet for h in a.hits] == [h.snippet for h in b.hits]
        assert _keys(sqlite, q) == _keys(elastic, q)
    q = SearchQuery(text=text, sort="relevance", size=500)
    a, b = sqlite.search(q), elastic.search(q)
    assert a.total == b.total and {h.post.key for h in a.hits} == {h.post.key for h in b.hits}


def test_the_queries_are_not_trivial(pair: tuple[PostStore, PostStore]) -> None:
    """Guard the comparison itself: most queries match some posts but not all of them."""
    sqlite, _ = pair
    totals = [sqlite.search(SearchQuery(text=t, size=1)).total for t in QUERIES]
    assert sum(1 for t in totals if 0 < t < N) >= len(QUERIES) // 2


@pytest.mark.parametrize("filters", [
    {"narratives": ("province_merger",)}, {"narratives": ("scam_extortion", "party_congress_smear")},
    {"platforms": ("facebook",)}, {"sources": ("src-đ",)}, {"review_statuses": ("false",)},
    {"review_statuses": ("unreviewed",)}, {"dup_groups": ("g-2",)}, {"claim_ids": ("c-police-call",)},
    {"hashtags": ("#ĐạiHội",)}, {"tagged_only": True},
    {"since": T0 + timedelta(days=3), "until": T0 + timedelta(days=9, minutes=5)},
    {"text": "lua dao", "narratives": ("scam_extortion",), "platforms": ("tiktok",)},
])
def test_same_filtered_hits(pair: tuple[PostStore, PostStore], filters: dict) -> None:  # type: ignore[type-arg]
    sqlite, elastic = pair
    q = SearchQuery(size=100, **filters)
    a, b = sqlite.search(q), elastic.search(q)
    assert 0 < a.total == b.total
    assert [h.post.key for h in a.hits] == [h.post.key for h in b.hits]


def test_same_pages(pair: tuple[PostStore, PostStore]) -> None:
    sqlite, elastic = pair
    for page in (1, 2, 7, 40):
        q = SearchQuery(text="tinh", page=page, size=13)
        assert [h.post.key for h in sqlite.search(q).hits] == [h.post.key for h in elastic.search(q).hits]


def test_same_counts(pair: tuple[PostStore, PostStore]) -> None:
    sqlite, elastic = pair
    since, until = T0 + timedelta(hours=5, minutes=17), T0 + timedelta(days=20)
    for interval in ("hour", "day"):
        a = sqlite.counts(interval, since, until)  # type: ignore[arg-type]
        assert len(a) > 20
        assert a == elastic.counts(interval, since, until)  # type: ignore[arg-type]
    only = ["scam_extortion", "leadership_travel_spending"]
    assert sqlite.counts("day", since, until, only) == elastic.counts("day", since, until, only)
    assert sqlite.counts("day", since, until, []) == elastic.counts("day", since, until, [])


@pytest.mark.parametrize("field", ["narrative", "platform", "source", "hashtag", "dup_group", "claim", "author",
                                   "review_status"])
def test_same_facets(pair: tuple[PostStore, PostStore], field: str) -> None:
    sqlite, elastic = pair
    for q in (SearchQuery(), SearchQuery(text="sap nhap -ngan"), SearchQuery(narratives=("scam_extortion",))):
        a = sqlite.facets(q, field, size=5)  # type: ignore[arg-type]
        assert a and a == elastic.facets(q, field, size=5)  # type: ignore[arg-type]


def test_same_stats_and_posts(pair: tuple[PostStore, PostStore]) -> None:
    sqlite, elastic = pair
    a, b = sqlite.stats(), elastic.stats()
    assert (a.posts, a.tagged, a.reviewed, a.oldest, a.newest) == (b.posts, b.tagged, b.reviewed, b.oldest, b.newest)
    assert a.per_narrative == b.per_narrative and a.per_platform == b.per_platform
    for key in ("tiktok:0", "facebook:1", "tiktok:97", f"tiktok:{N - 1}", "facebook:500"):
        assert sqlite.get(key) == elastic.get(key)


def test_same_retention(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    posts = _posts()[:200]
    sqlite = SqliteStore(tmp_path / "r.sqlite3")
    elastic = ElasticStore.from_settings(es_settings(request))
    cutoff = T0 + timedelta(days=2, hours=3)
    try:
        for store in (sqlite, elastic):
            store.upsert(posts)
        assert sqlite.delete_older_than(cutoff) == elastic.delete_older_than(cutoff) > 0
        assert _keys(sqlite, SearchQuery()) == _keys(elastic, SearchQuery())
    finally:
        sqlite.close()
        elastic.close()
