"""The store contract: every backend (SQLite, Elasticsearch) must pass the very same tests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from misinfo.domain import Review
from misinfo.errors import QueryError
from misinfo.store.base import PostStore, SearchQuery
from tests.factories import T0, make_tagged


def keys(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.post.key for h in page.hits]


def q(text: str = "", **kw) -> SearchQuery:  # type: ignore[no-untyped-def]
    return SearchQuery(text=text, **kw)


@pytest.fixture
def corpus(store: PostStore) -> PostStore:
    store.upsert(
        [
            make_tagged(1, "Đồng Nai sáp nhập với Bình Phước, tỉnh mới tên gì?", narratives=("province_merger",),
                        hours=1, likes=10, source="fb-a", platform="facebook", hashtags=("sapnhap",)),
            make_tagged(2, "dong nai sap nhap roi ae oi", narratives=("province_merger",), hours=2, likes=500,
                        claims=("fake-63-to-31-list",), dup_group="g-1"),
            make_tagged(3, "Cảnh báo lừa đảo giả danh công an gọi video", narratives=("scam_extortion",),
                        hours=3, likes=50, source="src-b", dup_group="g-1"),
            make_tagged(4, "Đại hội thể dục thể thao tỉnh Đồng Tháp khai mạc", hours=4, likes=1),
            make_tagged(5, "Sáp nhập ngân hàng: hai ngân hàng lớn về chung một nhà", hours=5, likes=7,
                        source="src-b"),
        ]
    )
    return store


# --- upsert and get -------------------------------------------------------------------------------------


def test_get_returns_exactly_what_was_stored(store: PostStore) -> None:
    tp = make_tagged(9, "Nội dung có dấu: Đắk Lắk, Huế 🙂", narratives=("scam_extortion",), claims=("c-1",),
                     dup_group="g-9", views=1200, likes=None, hashtags=("lừađảo", "cảnhbáo"))
    store.upsert([tp])
    assert store.get(tp.key) == tp
    assert store.get("tiktok:does-not-exist") is None


def test_upsert_same_post_twice_gives_one_hit(store: PostStore) -> None:
    tp = make_tagged(1, "tin giả về sáp nhập tỉnh")
    store.upsert([tp])
    store.upsert([tp])
    page = store.search(q("sáp nhập"))
    assert page.total == 1
    assert keys(page) == [tp.key]


def test_edited_text_replaces_the_old_version(store: PostStore) -> None:
    store.upsert([make_tagged(1, "bản cũ nói về lừa đảo", likes=1)])
    store.upsert([make_tagged(1, "bản mới nói về sáp nhập", likes=99)])
    assert store.search(q("sap nhap")).total == 1
    assert store.search(q("lua dao")).total == 0
    got = store.get("tiktok:1")
    assert got is not None and got.post.metrics.likes == 99


def test_upsert_keeps_an_existing_review(store: PostStore) -> None:
    store.upsert([make_tagged(1, "danh sách 63 tỉnh còn 31", narratives=("province_merger",))])
    review = Review("tiktok:1", "false", "analyst1", T0, "province_merger", "danh sách giả")
    assert store.set_review(review) is True
    store.upsert([make_tagged(1, "danh sách 63 tỉnh còn 31 (cập nhật)", narratives=("province_merger",))])
    got = store.get("tiktok:1")
    assert got is not None and got.review == review
    assert store.search(q(review_statuses=("false",))).total == 1
    assert store.search(q(review_statuses=("unreviewed",))).total == 0


def test_a_post_found_by_two_sources_is_one_post_listing_both(store: PostStore) -> None:
    assert store.upsert([make_tagged(1, "tin giả sáp nhập tỉnh", source="tt-profile", likes=1)]) == 1
    assert store.upsert([make_tagged(1, "tin giả sáp nhập tỉnh", source="tt-tag", likes=5)]) == 1
    got = store.get("tiktok:1")
    assert got is not None
    assert (got.post.source, got.post.sources, got.post.metrics.likes) == ("tt-profile", ("tt-profile", "tt-tag"), 5)
    assert store.search(q("sáp nhập")).total == 1
    assert keys(store.search(q(sources=("tt-tag",)))) == ["tiktok:1"]
    assert keys(store.search(q(sources=("tt-profile",)))) == ["tiktok:1"]
    assert dict(store.facets(q(), "source")) == {"tt-profile": 1, "tt-tag": 1}
    store.upsert([make_tagged(1, "tin giả sáp nhập tỉnh", source="tt-profile", likes=6)])  # idempotent
    again = store.get("tiktok:1")
    assert again is not None and again.post.sources == ("tt-profile", "tt-tag") and again.post.source == "tt-profile"


def test_copies_of_one_post_in_a_batch_merge_their_sources(store: PostStore) -> None:
    written = store.upsert([make_tagged(2, "bản đầu", source="tt-search", likes=1),
                            make_tagged(2, "bản sau", source="tt-tag", likes=9)])  # fmt: skip
    got = store.get("tiktok:2")
    assert written == 1 and got is not None
    assert (got.post.text, got.post.source, got.post.sources) == ("bản sau", "tt-search", ("tt-search", "tt-tag"))
    assert store.search(q()).total == 1


def test_accounts_count_and_date_each_handle(store: PostStore) -> None:
    store.upsert([
        make_tagged(1, "sáp nhập tỉnh", narratives=("province_merger",), author="acc_moi", hours=5),
        make_tagged(2, "sáp nhập xã", narratives=("province_merger",), author="acc_moi", hours=9),
        make_tagged(3, "lừa đảo", narratives=("scam_extortion",), author="acc_moi", hours=1),
        make_tagged(4, "sáp nhập huyện", narratives=("province_merger",), author="acc_cu", hours=7),
        make_tagged(5, "chuyện khác", author="acc_cu", platform="facebook", hours=2),
    ])  # fmt: skip
    everyone = store.accounts(q())
    assert [(a.platform, a.author, a.posts) for a in everyone] == [
        ("tiktok", "acc_moi", 3), ("facebook", "acc_cu", 1), ("tiktok", "acc_cu", 1)]  # fmt: skip
    moi = everyone[0]
    assert (moi.first, moi.last) == (T0 + timedelta(hours=1), T0 + timedelta(hours=9))
    merger = store.accounts(q(narratives=("province_merger",)))
    assert [(a.author, a.posts, a.first) for a in merger] == [
        ("acc_moi", 2, T0 + timedelta(hours=5)), ("acc_cu", 1, T0 + timedelta(hours=7))]  # fmt: skip
    assert [a.author for a in store.accounts(q(authors=("acc_cu",), platforms=("tiktok",)))] == ["acc_cu"]
    assert len(store.accounts(q(), size=1)) == 1
    assert store.accounts(q(until=T0)) == []


def test_set_review_on_missing_post_is_false(store: PostStore) -> None:
    assert store.set_review(Review("tiktok:nope", "accurate", "a", T0)) is False


def test_version_changes_on_write(store: PostStore) -> None:
    before = store.version()
    store.upsert([make_tagged(1)])
    after = store.version()
    assert after != before
    store.set_review(Review("tiktok:1", "accurate", "a", T0))
    assert store.version() != after


# --- Vietnamese search ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sap nhap", {"facebook:1", "tiktok:2", "tiktok:5"}),
        ("sáp nhập", {"facebook:1", "tiktok:2", "tiktok:5"}),
        ("SÁP NHẬP", {"facebook:1", "tiktok:2", "tiktok:5"}),
        ("dong nai", {"facebook:1", "tiktok:2"}),
        ("Đồng Nai", {"facebook:1", "tiktok:2"}),
        ("đồng nai", {"facebook:1", "tiktok:2"}),
        ("lua dao", {"tiktok:3"}),
        ("giả danh công an", {"tiktok:3"}),
    ],
)
def test_search_is_diacritic_insensitive_both_ways(corpus: PostStore, query: str, expected: set[str]) -> None:
    page = corpus.search(q(query))
    assert set(keys(page)) == expected
    assert page.total == len(expected)


# an evaded post and a plain one: the tricks posters use against keyword filters
EVADED = "C\u1ea3nh b\u00e1o: s.\u00e1.p n.h.\u1eadp t\u200b\u1ec9\u200bnh, 1\u1eeba \u0111\u1ea30 qua \u0441\u0430\u0301\u0440 t\u0456\u0301n"


@pytest.fixture
def evasion_corpus(store: PostStore) -> PostStore:
    store.upsert([
        make_tagged(1, EVADED, hours=1),  # Cảnh báo: s.á.p n.h.ập t<ZWSP>ỉ<ZWSP>nh, 1ừa đả0 qua <Cyrillic>сáр tín
        make_tagged(2, "Tin đồn sáp nhập tỉnh và lừa đảo cáp tín dụng", hours=2),
        make_tagged(3, "Thời tiết hôm nay đẹp", hours=3),
    ])
    return store


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sáp nhập tỉnh", {"tiktok:1", "tiktok:2"}),  # a plain query finds the evaded post
        ('"lua dao"', {"tiktok:1", "tiktok:2"}),
        ("cáp", {"tiktok:1", "tiktok:2"}),
        ("s.á.p n\u200bh\u200bậ\u200bp", {"tiktok:1", "tiktok:2"}),  # an evaded query finds the plain post
        ("\u0441\u0430\u0301\u0440 1ừa", {"tiktok:1", "tiktok:2"}),  # Cyrillic сáр, leet 1ừa
        ("ｔỉｎｈ", {"tiktok:1", "tiktok:2"}),  # fullwidth letters
        ("-s.á.p", {"tiktok:3"}),
    ],
)
def test_search_sees_through_evasion_both_ways(evasion_corpus: PostStore, query: str, expected: set[str]) -> None:
    assert set(keys(evasion_corpus.search(q(query)))) == expected


def test_highlight_marks_what_the_evaded_post_wrote(evasion_corpus: PostStore) -> None:
    snippet = {h.post.key: h.snippet for h in evasion_corpus.search(q("sáp nhập lừa đảo")).hits}["tiktok:1"]
    assert "<mark>s.á.p</mark> <mark>n.h.ập</mark>" in snippet
    assert "<mark>1ừa</mark> <mark>đả0</mark>" in snippet


def test_phrase_requires_adjacent_words(corpus: PostStore) -> None:
    assert set(keys(corpus.search(q('"sap nhap ngan hang"')))) == {"tiktok:5"}
    assert set(keys(corpus.search(q('"nhap sap"')))) == set()


def test_exclusion(corpus: PostStore) -> None:
    assert set(keys(corpus.search(q("sáp nhập -ngân")))) == {"facebook:1", "tiktok:2"}
    assert set(keys(corpus.search(q('sáp nhập -"ngan hang" -binh')))) == {"tiktok:2"}


def test_only_exclusions_searches_everything_else(corpus: PostStore) -> None:
    assert set(keys(corpus.search(q("-sap -dong")))) == {"tiktok:3"}


def test_or(corpus: PostStore) -> None:
    assert set(keys(corpus.search(q("lừa OR thao")))) == {"tiktok:3", "tiktok:4"}
    assert set(keys(corpus.search(q("dong OR ngan sap")))) == {"facebook:1", "tiktok:2", "tiktok:5"}


def test_hashtags_are_searchable(corpus: PostStore) -> None:
    assert "facebook:1" in keys(corpus.search(q("sapnhap")))


ALL = {"facebook:1", "tiktok:2", "tiktok:3", "tiktok:4", "tiktok:5"}
SAP = {"facebook:1", "tiktok:2", "tiktok:5"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"unbalanced quote', set()),  # an unclosed phrase is still a phrase: no post says it
        ("-", ALL), ("- -", ALL), ("OR OR", ALL), ("OR", ALL), ("\\", ALL), ("*", ALL),  # nothing to search for
        ("sap OR", SAP), ("sap*", SAP), ("^sap", SAP), ("(sap", SAP), ("{sap}", SAP), ('sap" nhap', SAP),
        ("sap:nhap:", SAP),  # the words of a token are a phrase: "sap nhap"
        ("NEAR(sap nhap", set()), ("text:sap", set()), ("sap AND", set()), ("NOT sap", set()),  # plain words
        ("'; DROP TABLE posts; --", set()), ("a" * 400, set()),
    ],
)
def test_malformed_queries_are_read_as_plain_words(corpus: PostStore, query: str, expected: set[str]) -> None:
    page = corpus.search(q(query))
    assert set(keys(page)) == expected and page.total == len(expected)
    assert corpus.stats().posts == 5  # nothing was dropped or changed by the query


def test_operator_characters_are_plain_words(corpus: PostStore) -> None:
    assert set(keys(corpus.search(q("sap* nhap^")))) == {"facebook:1", "tiktok:2", "tiktok:5"}
    assert set(keys(corpus.search(q('"sap nhap')))) == {"facebook:1", "tiktok:2", "tiktok:5"}


def test_too_long_query_is_a_clear_error(corpus: PostStore) -> None:
    with pytest.raises(QueryError, match=r"^query too long \(1199 characters, at most 500\)$"):
        corpus.search(q("sap " * 300))
    with pytest.raises(QueryError, match=r"^too many search terms \(40, at most 32\)$"):
        corpus.search(q(" ".join(f"tu{i}" for i in range(40))))


# --- filters, sorting, paging, highlight --------------------------------------------------------------------


def test_filters(corpus: PostStore) -> None:
    assert set(keys(corpus.search(q(narratives=("province_merger",))))) == {"facebook:1", "tiktok:2"}
    assert set(keys(corpus.search(q(narratives=("province_merger", "scam_extortion"))))) == {
        "facebook:1", "tiktok:2", "tiktok:3"}
    assert set(keys(corpus.search(q(platforms=("facebook",))))) == {"facebook:1"}
    assert set(keys(corpus.search(q(sources=("src-b",))))) == {"tiktok:3", "tiktok:5"}
    assert set(keys(corpus.search(q(dup_groups=("g-1",))))) == {"tiktok:2", "tiktok:3"}
    assert set(keys(corpus.search(q(claim_ids=("fake-63-to-31-list",))))) == {"tiktok:2"}
    assert set(keys(corpus.search(q(hashtags=("#SápNhập",))))) == {"facebook:1"}
    assert corpus.search(q(tagged_only=True)).total == 3
    window = corpus.search(q(since=T0 + timedelta(hours=2), until=T0 + timedelta(hours=4)))
    assert set(keys(window)) == {"tiktok:2", "tiktok:3"}  # since inclusive, until exclusive
    combined = corpus.search(q("sap nhap", narratives=("province_merger",), platforms=("tiktok",)))
    assert keys(combined) == ["tiktok:2"]


def test_sort_orders(corpus: PostStore) -> None:
    assert keys(corpus.search(q(sort="newest"))) == ["tiktok:5", "tiktok:4", "tiktok:3", "tiktok:2", "facebook:1"]
    assert keys(corpus.search(q(sort="engagement")))[:3] == ["tiktok:2", "tiktok:3", "facebook:1"]
    # relevance: the post that says "sáp nhập" twice outranks those that say it once
    corpus.upsert([make_tagged(6, "sáp nhập sáp nhập sáp nhập tỉnh", hours=-100)])
    assert keys(corpus.search(q("sap nhap", sort="relevance")))[0] == "tiktok:6"
    assert keys(corpus.search(q("sap nhap", sort="newest")))[-1] == "tiktok:6"


def test_unknown_sort_is_a_query_error(corpus: PostStore) -> None:
    with pytest.raises(QueryError):
        corpus.search(q(sort="random"))  # type: ignore[arg-type]


def test_pagination_totals(store: PostStore) -> None:
    store.upsert([make_tagged(i, f"bài số {i} về lừa đảo", hours=i) for i in range(45)])
    pages = [store.search(q("lua dao", page=p, size=20)) for p in (1, 2, 3, 4)]
    assert [p.total for p in pages] == [45] * 4
    assert [len(p.hits) for p in pages] == [20, 20, 5, 0]
    assert pages[0].pages == 3
    seen = [k for p in pages for k in keys(p)]
    assert len(seen) == len(set(seen)) == 45


def test_bad_paging_is_a_query_error(store: PostStore) -> None:
    with pytest.raises(QueryError):
        store.search(q(page=0))
    with pytest.raises(QueryError):
        store.search(q(size=100_000))


# --- what videos say, and TikTok's AI-generated label -------------------------------------------------------


@pytest.fixture
def videos(store: PostStore) -> PostStore:
    store.upsert([
        make_tagged("v1", "Chia sẻ cho mọi người #tintuc", hashtags=("tintuc",), hours=1, location_created="VN",
                    transcript="Bà con ơi, danh sách sáp nhập tỉnh mới đã có.\nĐất sắp lên giá gấp đôi."),
        make_tagged("v2", "Cảnh báo: video giả mạo lãnh đạo", hours=2, aigc=True, narratives=("scam_extortion",),
                    transcript="Chuyển tiền ngay vào tài khoản này."),
        make_tagged("v3", "Sáp nhập tỉnh: thông tin chính thức", hours=3, aigc=True),
        make_tagged("v4", "không có lời thoại", hours=4),
    ])  # fmt: skip
    return store


def test_search_covers_the_transcript_folded_like_text(videos: PostStore) -> None:
    assert keys(videos.search(q("danh sach sap nhap tinh moi"))) == ["tiktok:v1"]
    assert set(keys(videos.search(q("sap nhap tinh")))) == {"tiktok:v1", "tiktok:v3"}
    assert keys(videos.search(q('"dat sap len gia"'))) == ["tiktok:v1"]
    assert keys(videos.search(q("chuyen tien -gia"))) == []  # `giả` is in v2's caption: the post is one text
    hit = videos.search(q("dat len gia")).hits[0]
    assert "<mark>Đất</mark>" in hit.transcript_snippet and "<mark>" not in hit.snippet
    caption_hit = next(h for h in videos.search(q("sap nhap tinh")).hits if h.post.key == "tiktok:v3")
    assert caption_hit.transcript_snippet == "" and "<mark>Sáp</mark>" in caption_hit.snippet
    assert videos.facets(q("chuyen tien"), "narrative") == [("scam_extortion", 1)]


def test_filter_by_the_ai_generated_label(videos: PostStore) -> None:
    assert set(keys(videos.search(q(aigc=True)))) == {"tiktok:v2", "tiktok:v3"}
    assert keys(videos.search(q("sap nhap", aigc=True))) == ["tiktok:v3"]
    assert videos.facets(q(aigc=True), "narrative") == [("scam_extortion", 1)]
    assert [tp.key for tp in videos.scan(q(aigc=True))] == ["tiktok:v3", "tiktok:v2"]
    assert videos.search(q()).total == 4


def test_transcripts_of_stored_posts(videos: PostStore) -> None:
    got = videos.transcripts(["tiktok:v1", "tiktok:v2", "tiktok:v4", "tiktok:nope"])
    assert set(got) == {"tiktok:v1", "tiktok:v2"} and got["tiktok:v2"].text == "Chuyển tiền ngay vào tài khoản này."
    assert (got["tiktok:v1"].language, got["tiktok:v1"].source) == ("vie-VN", "ASR")
    stored = videos.get("tiktok:v1")
    assert stored is not None and stored.post.location_created == "VN" and not stored.post.aigc
    assert videos.get("tiktok:v2").post.aigc_description == "Nội dung do AI tạo ra"  # type: ignore[union-attr]
    assert videos.transcripts([]) == {}


def test_highlight_marks_original_text(corpus: PostStore) -> None:
    hit = corpus.search(q("dong nai")).hits
    by_key = {h.post.key: h.snippet for h in hit}
    assert "<mark>Đồng</mark> <mark>Nai</mark>" in by_key["facebook:1"]
    assert "<mark>dong</mark> <mark>nai</mark>" in by_key["tiktok:2"]


def test_snippet_escapes_html(store: PostStore) -> None:
    store.upsert([make_tagged(1, 'lừa đảo <script>alert("x")</script> <a href="http://evil">bấm</a>')])
    snippet = store.search(q("lua dao")).hits[0].snippet
    assert "<script>" not in snippet and "<a href" not in snippet
    assert "&lt;script&gt;" in snippet
    assert "<mark>lừa</mark>" in snippet


def test_scan_streams_every_match_in_order(store: PostStore) -> None:
    store.upsert([make_tagged(i, f"cảnh báo lừa đảo {i}", hours=i) for i in range(130)])
    store.upsert([make_tagged(1000, "không liên quan")])
    got = [tp.key for tp in store.scan(q("lua dao"), batch_size=50)]
    assert len(got) == 130
    assert got[0] == "tiktok:129" and got[-1] == "tiktok:0"


# --- aggregations, retention, stats --------------------------------------------------------------------------


def test_counts_per_hour_and_day(store: PostStore) -> None:
    posts = [make_tagged(f"a{i}", "x", narratives=("province_merger",), hours=0.5, likes=2) for i in range(3)]
    posts += [make_tagged(f"b{i}", "x", narratives=("province_merger", "scam_extortion"), hours=1.5)
              for i in range(2)]
    posts += [make_tagged("c", "x", hours=25)]
    posts += [make_tagged("old", "x", narratives=("province_merger",), hours=-5)]
    store.upsert(posts)
    hourly = store.counts("hour", T0, T0 + timedelta(days=2))
    got = {(b.bucket, b.narrative): (b.count, b.engagement) for b in hourly}
    assert got[(T0, "province_merger")] == (3, 6)
    assert got[(T0 + timedelta(hours=1), "province_merger")] == (2, 0)
    assert got[(T0 + timedelta(hours=1), "scam_extortion")] == (2, 0)
    assert got[(T0, None)] == (3, 6)
    assert got[(T0 + timedelta(hours=25), None)] == (1, 0)
    assert all(b.bucket >= T0 for b in hourly)  # the post before `since` is not counted
    daily = store.counts("day", T0, T0 + timedelta(days=2))
    dgot = {(b.bucket, b.narrative): b.count for b in daily}
    assert dgot[(T0, "province_merger")] == 5
    assert dgot[(T0, None)] == 5
    assert dgot[(T0 + timedelta(days=1), None)] == 1
    only = store.counts("day", T0, T0 + timedelta(days=2), narratives=["scam_extortion"])
    assert {b.narrative for b in only} == {"scam_extortion", None}


def test_facets(corpus: PostStore) -> None:
    assert dict(corpus.facets(q(), "narrative")) == {"province_merger": 2, "scam_extortion": 1}
    assert corpus.facets(q(), "source", size=1) == [("src-a", 2)]  # ties: value ascending
    assert dict(corpus.facets(q("sap nhap"), "platform")) == {"tiktok": 2, "facebook": 1}
    assert dict(corpus.facets(q(), "dup_group")) == {"g-1": 2}
    assert dict(corpus.facets(q(), "claim")) == {"fake-63-to-31-list": 1}
    assert dict(corpus.facets(q(), "hashtag")) == {"sapnhap": 1}


def test_retention_deletes_only_older_posts(corpus: PostStore) -> None:
    deleted = corpus.delete_older_than(T0 + timedelta(hours=3))
    assert deleted == 2
    assert set(keys(corpus.search(q(size=50)))) == {"tiktok:3", "tiktok:4", "tiktok:5"}
    assert corpus.search(q("dong nai")).total == 0
    assert dict(corpus.facets(q(), "narrative")) == {"scam_extortion": 1}


def test_stats(corpus: PostStore) -> None:
    st = corpus.stats()
    assert (st.posts, st.tagged) == (5, 3)
    assert st.per_narrative == {"province_merger": 2, "scam_extortion": 1}
    assert st.per_platform == {"facebook": 1, "tiktok": 4}
    assert st.oldest == T0 + timedelta(hours=1) and st.newest == T0 + timedelta(hours=5)
