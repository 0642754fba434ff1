"""Parsers never raise on garbage: truncated, mutated, random and structurally odd pages, real ones included."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crawlers.parsers import PageResult, facebook, tiktok
from crawlers.parsers.numbers import parse_count
from misinfo.errors import InvalidRecord
from misinfo.schema import post_from_record
from tests.crawlers.real import REAL, cassette, exchange

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "crawlers"
# real captured pages (tests/fixtures/real/): the m. timeline, its for(;;) answer, a group, www 2023/2024
REAL_PAGES = [
    exchange("facebook-scraper/TestGetPosts.test_smoketest.yaml", "https://m.facebook.com/Nintendo/posts/").text(),
    next(e for e in cassette("facebook-scraper/TestGetPosts.test_smoketest.yaml") if "/page_content_list_view/" in e.url).text(),
    exchange("facebook-scraper/TestGetGroupPosts.test_get_group_posts.yaml", "https://m.facebook.com/groups/117507531664134/").text(),
    *(p.read_text(encoding="utf-8") for p in sorted((REAL / "garcon").glob("*.html"))),
]
PAGES = sorted(p.read_text(encoding="utf-8") for p in FIXTURES.iterdir()) + REAL_PAGES
# where a mutation hurts: the structures the parser reads
_MARKERS = re.compile(r'for \(;;\);|top_level_post_id|see_more_cards_id|m_more_item|"Story"|requireLazy|"require":|comet_sections|<p>|text_exposed')
SPOTS = [(i, m.start()) for i, text in enumerate(REAL_PAGES) for m in _MARKERS.finditer(text)]
AT = "2026-11-02T00:00:00+00:00"
URLS = st.sampled_from(["", "https://m.facebook.com/x", "https://www.tiktok.com/login", "not a url", "/checkpoint/1"])
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "post_id", "desc", "createTime", "creation_time", "stats", "author", "itemList",
                         "hasMore", "cursor", "statusCode", "__typename", "text", "message", "publish_time",
                         "top_level_post_id", "webapp.video-detail", "webapp.user-detail", "__DEFAULT_SCOPE__",
                         "itemInfo", "itemStruct", "userInfo", "user", "secUid", "challenges", "textExtra"]),
        inner, max_size=5),
    max_leaves=25,
)  # fmt: skip


def run_all(text: str, url: str) -> None:
    results = [
        tiktok.parse_profile(text, url, source="s", base_url="https://t", collected_at=AT),
        tiktok.parse_video(text, url, source="s", base_url="https://t", collected_at=AT),
        tiktok.parse_item_list(text, url, source="s", base_url="https://t", collected_at=AT),
        facebook.parse_page(text, url, source="s", handle="h", base_url="https://f", collected_at=AT),
    ]
    for result in results:
        assert isinstance(result, PageResult)
        for record in result.records:
            # every record either validates or is a quarantine reason, never a crash
            with contextlib.suppress(InvalidRecord):
                post_from_record(record)


@FUZZ
@given(page=st.sampled_from(PAGES), data=st.data(), url=URLS)
def test_truncated_pages(page, data, url):
    cut = data.draw(st.integers(0, len(page)))
    run_all(page[:cut], url)


@FUZZ
@given(page=st.sampled_from(PAGES), data=st.data(), junk=st.text(max_size=30), url=URLS)
def test_mutated_pages(page, data, junk, url):
    start = data.draw(st.integers(0, len(page)))
    end = data.draw(st.integers(start, min(len(page), start + 40)))
    run_all(page[:start] + junk + page[end:], url)


@FUZZ
@given(spot=st.sampled_from(SPOTS), data=st.data(), junk=st.text(max_size=30), url=URLS)
def test_real_pages_mutated_where_the_parser_reads(spot, data, junk, url):
    i, at = spot
    page = REAL_PAGES[i]
    start = max(0, at + data.draw(st.integers(-200, 200)))
    end = data.draw(st.integers(start, min(len(page), start + 60)))
    run_all(page[:start] + junk + page[end:], url)


@FUZZ
@given(text=st.text(max_size=300), url=URLS)
def test_random_text(text, url):
    run_all(text, url)


@FUZZ
@given(value=json_values)
@example(value={"id": 0, "textExtra": True})  # found by this test: hashtag lists that are not lists
@example(value={"id": 0, "challenges": True})
def test_odd_json_in_every_known_place(value):
    blob = json.dumps(value)
    wrapped = json.dumps({"__DEFAULT_SCOPE__": {"webapp.video-detail": value, "webapp.user-detail": value}})
    pages = [
        blob,
        json.dumps({"itemList": [value, value], "hasMore": True, "cursor": value, "statusCode": 0}),
        f'<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">{wrapped}</script>',
        f'<script id="SIGI_STATE" type="application/json">{json.dumps({"ItemModule": value})}</script>',
        f'<script id="__NEXT_DATA__" type="application/json">{json.dumps({"props": {"pageProps": value}})}</script>',
        '<script type="application/json">' + json.dumps({"require": [{"__typename": "Story", "post_id": 1, "x": value}]}) + "</script>",
        "<script>requireLazy([],function(m){m.handle(" + json.dumps({"require": [{"__typename": "Story", "post_id": 1,
            "comet_sections": {"content": {"story": value}, "context_layout": {"story": {"comet_sections": value}}}}]}) + ")})</script>",
        "for (;;);" + json.dumps({"payload": {"actions": [value, {"cmd": "replace", "html": value}, {"cmd": "script", "code": value}]}}),
        "<article data-ft='" + json.dumps({"top_level_post_id": value, "publish_time": value}).replace("'", "&#39;") + "'>"
        "<div class='story_body_container'><p>x</p></div><footer><span class='like_def'>1</span></footer></article>",
    ]
    for page in pages:
        run_all(page, "https://example.test/x")


@FUZZ
@given(value=st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.none(), st.booleans()))
def test_parse_count_total(value):
    result = parse_count(value)
    assert result is None or (isinstance(result, int) and result >= 0)


def test_mangled_attribute_found_by_fuzzing():
    page = (FIXTURES / "facebook_m_page.html").read_text(encoding="utf-8")
    run_all(page[:242] + page[271:], "")  # lxml raised KeyError from Selector.attrib on this
