"""The pure parsers on saved-page fixtures (real structure, no Scrapy)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.parsers import facebook, tiktok
from crawlers.parsers.numbers import parse_count
from misinfo.schema import post_from_record

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "crawlers"
AT = "2026-11-02T00:00:00+00:00"
TT = {"source": "src", "base_url": "https://www.tiktok.com", "collected_at": AT}
FB = {"source": "src", "handle": "baotintinh", "base_url": "https://m.facebook.com", "collected_at": AT}


def page(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,2 N lượt thích", 1_200),
        ("34 bình luận", 34),
        ("5 lượt chia sẻ", 5),
        ("3.456", 3_456),
        ("1.234.567 lượt xem", 1_234_567),
        ("12K", 12_000),
        ("1.5K likes", 1_500),
        ("1,5 Tr", 1_500_000),
        ("2 triệu lượt xem", 2_000_000),
        ("15,3 N", 15_300),
        ("1,234 comments", 1_234),
        ("1.2M views", 1_200_000),
        ("3 nghìn", 3_000),
        ("1 tỷ", 1_000_000_000),
        ("Chia sẻ", None),
        ("", None),
        (None, None),
        (42, 42),
        (-3, None),
        ("bình luận", None),
    ],
)
def test_parse_count_vietnamese_and_english(text, expected):
    assert parse_count(text) == expected


def test_tiktok_video_universal_every_field():
    result = tiktok.parse_video(page("tiktok_video_universal.html"), "https://www.tiktok.com/@congan.tinh/video/1", **TT)
    assert result.block is None and len(result.records) == 1
    post = post_from_record(result.records[0])
    assert post.post_id == "7312345678901234567"
    assert post.text.startswith("Cảnh báo: giả danh công an gọi video call đe doạ")
    assert post.created_at.isoformat() == "2024-11-01T00:00:00+00:00"
    assert (post.author, post.author_name) == ("congan.tinh", "Công an Tỉnh")
    assert (post.metrics.views, post.metrics.likes, post.metrics.comments, post.metrics.shares) == (356000, 12800, 97, 431)
    assert post.hashtags == ("canhbao", "luadao")
    assert post.url == "https://www.tiktok.com/@congan.tinh/video/7312345678901234567"


def test_tiktok_older_layouts():
    sigi = tiktok.parse_video(page("tiktok_video_sigi.html"), "u", **TT)
    post = post_from_record(sigi.records[0])
    assert (post.post_id, post.author, post.metrics.likes, post.hashtags) == ("7001", "tin.nhanh", 1500, ("sapnhap",))
    nxt = tiktok.parse_video(page("tiktok_video_next.html"), "u", **TT)
    post = post_from_record(nxt.records[0])
    assert (post.post_id, post.author_name, post.created_at.year) == ("6900", "Dân Báo", 2021)


def test_tiktok_status_codes_are_named_blocks():
    assert tiktok.parse_video(page("tiktok_video_private.html"), "u", **TT).block.kind == "private_post"
    for code, kind in tiktok.STATUS_BLOCKS.items():
        text = page("tiktok_video_private.html").replace("10216", str(code))
        assert tiktok.parse_video(text, "u", **TT).block.kind == kind
    assert tiktok.parse_item_list('{"statusCode":-1}', "u", **TT).block.kind == "api_empty"
    assert tiktok.parse_item_list("", "u", **TT).block.kind == "api_empty"
    assert tiktok.parse_profile("<html>ok</html>", "https://www.tiktok.com/login?redirect=x", **TT).block.kind == "login_wall"
    challenge = "<html><title>Please wait...</title><body>Please wait...</body></html>"
    assert tiktok.parse_profile(challenge, "u", **TT).block.kind == "challenge"
    assert tiktok.parse_profile("<html><div id=app></div></html>", "u", **TT).block.kind == "layout_changed"


def test_tiktok_item_list_cursor_and_records():
    result = tiktok.parse_item_list(page("tiktok_item_list.json"), "u", **TT)
    assert result.block is None and result.has_more and result.next_cursor == "1730332800000"
    posts = [post_from_record(r) for r in result.records]
    assert [p.post_id for p in posts] == ["7312345678901234567", "7312345678901234000"]
    assert posts[1].hashtags == () and posts[1].metrics.views == 2100
    done = tiktok.parse_item_list('{"hasMore":false,"cursor":"0","statusCode":0}', "u", **TT)
    assert done.block is None and done.records == [] and not done.has_more


def test_facebook_m_layout_every_field_and_next_page():
    url = "https://m.facebook.com/baotintinh"
    result = facebook.parse_page(page("facebook_m_page.html"), url, **FB)
    assert result.block is None and len(result.records) == 2
    first, second = (post_from_record(r) for r in result.records)
    assert first.post_id == "123456789012345"
    assert first.text == (
        "CẢNH BÁO: Thủ đoạn giả danh cán bộ ngân hàng để lừa đảo.\n\n"  # two paragraphs
        "Người dân tuyệt đối không cung cấp mã OTP. #canhbaoluadao"
    )
    assert first.created_at.isoformat() == "2024-11-01T00:00:00+00:00"
    assert (first.metrics.likes, first.metrics.comments, first.metrics.shares) == (1200, 34, 5)
    assert first.hashtags == ("canhbaoluadao",) and first.author_name == "Báo Tin Tỉnh"
    assert first.url == "https://m.facebook.com/story.php?story_fbid=123456789012345&id=100064"  # refid dropped
    assert (second.metrics.likes, second.metrics.comments, second.metrics.shares) == (3456, 1_500_000, None)
    assert result.next_url.startswith("https://m.facebook.com/page_content_list_view/more/?page_id=100064&start_cursor=")


def test_facebook_www_serverjs_stories():
    result = facebook.parse_page(page("facebook_www_page.html"), "https://www.facebook.com/baotintinh", **FB)
    assert result.block is None and result.next_url is None and len(result.records) == 1
    post = post_from_record(result.records[0])
    assert post.post_id == "123456789012345" and post.url == "https://www.facebook.com/baotintinh/posts/pfbid02abc"
    assert post.text.startswith("Thông tin về đề án sáp nhập tỉnh") and post.hashtags == ("tingia",)
    assert (post.metrics.likes, post.metrics.comments, post.metrics.shares) == (1234, 78, 56)
    assert post.created_at.isoformat() == "2024-11-01T00:00:00+00:00" and post.author_name == "Báo Tin Tỉnh"


@pytest.mark.parametrize(
    ("text", "url", "kind"),
    [
        ("<html><head><title>Bạn tạm thời bị chặn</title></head></html>", "https://m.facebook.com/x", "temporarily_blocked"),
        ("<html><head><title>You’re Temporarily Blocked</title></head></html>", "https://m.facebook.com/x", "temporarily_blocked"),
        ("<html><title>Log in to Facebook</title><form id=login_form></form></html>", "https://m.facebook.com/x", "login_wall"),
        ("<html></html>", "https://m.facebook.com/login/?next=x", "login_wall"),
        ("<html></html>", "https://m.facebook.com/checkpoint/1501092823525282/", "checkpoint"),
        ("<html><body><div>something new</div></body></html>", "https://m.facebook.com/x", "layout_changed"),
    ],
)
def test_facebook_blocks(text, url, kind):
    assert facebook.parse_page(text, url, **FB).block.kind == kind


def test_record_without_time_fails_validation_with_a_reason():
    item = json.loads(page("tiktok_item_list.json"))["itemList"][0]
    del item["createTime"]
    record = tiktok.item_to_record(item, **TT)
    with pytest.raises(Exception, match="created_at"):
        post_from_record(record)


def test_tiktok_hashtags_once_whatever_the_case():
    item = json.loads(page("tiktok_item_list.json"))["itemList"][0]
    item["challenges"] = [{"title": "CanhBao"}, {"title": "luadao"}]
    item["textExtra"] = [{"hashtagName": "canhbao"}, {"hashtagName": "LUADAO"}, {"hashtagName": "sapnhap"}]
    assert tiktok.item_to_record(item, **TT)["hashtags"] == ["CanhBao", "luadao", "sapnhap"]
ITEM = {"id": "7410000000000000001", "desc": "Tin giả sáp nhập tỉnh #sapnhaptinh", "createTime": 1793440367,
        "author": {"uniqueId": "acc.moi", "nickname": "Tài khoản mới"},
        "stats": {"playCount": 120, "diggCount": 7, "commentCount": 1, "shareCount": 0},
        "textExtra": [{"hashtagName": "sapnhaptinh"}]}  # fmt: skip


@pytest.mark.parametrize(
    ("answer", "more", "cursor"),
    [
        ({"statusCode": 0, "itemList": [ITEM], "hasMore": True, "cursor": "30"}, True, "30"),  # post/challenge
        ({"status_code": 0, "item_list": [ITEM], "has_more": 1, "cursor": 12}, True, "12"),  # search, videos tab
        ({"status_code": 0, "data": [{"type": 1, "item": ITEM}, {"type": 4, "user_list": []}], "has_more": 0,
          "cursor": 20}, False, "20"),  # general search: only entries carrying a video  # fmt: skip
    ],
)
def test_tiktok_list_answers_in_all_three_shapes(answer, more, cursor):
    result = tiktok.parse_item_list(json.dumps(answer), "https://www.tiktok.com/api/search/item/full/?keyword=x", **TT)
    assert result.block is None and (result.has_more, result.next_cursor) == (more, cursor)
    (record,) = result.records
    post = post_from_record(record)
    assert (post.post_id, post.author, post.author_name, post.hashtags) == (ITEM["id"], "acc.moi", "Tài khoản mới", ("sapnhaptinh",))
    assert (post.metrics.views, post.metrics.likes) == (120, 7)


def test_tiktok_empty_search_page_and_refused_answers():
    ok = tiktok.parse_item_list('{"status_code": 0, "has_more": 0}', "https://www.tiktok.com/api/search/item/full/", **TT)
    assert ok.block is None and ok.records == [] and not ok.has_more
    assert tiktok.parse_item_list("", "https://www.tiktok.com/api/post/item_list/", **TT).block.kind == "api_empty"  # type: ignore[union-attr]
    assert tiktok.parse_item_list('{"status_code": 0}', "https://x/api/post/item_list/", **TT).block.kind == "api_empty"  # type: ignore[union-attr]


def test_tiktok_hashtag_page_gives_the_challenge_id():
    page_ = ('<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">{"__DEFAULT_SCOPE__": '
             '{"webapp.challenge-detail": {"statusCode": 0, "challengeInfo": {"challenge": {"id": "1234", "title": "sapnhaptinh"}}}}}</script>')  # fmt: skip
    assert tiktok.parse_challenge(page_, "https://www.tiktok.com/tag/sapnhaptinh").info == {"id": "1234", "title": "sapnhaptinh"}
    gone = page_.replace('"id": "1234", ', "")
    assert tiktok.parse_challenge(gone, "https://www.tiktok.com/tag/x").block.kind == "layout_changed"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "url", "kind"),
    [
        ("<html><div id='loginContainer'>Log in to TikTok</div></html>", "https://www.tiktok.com/@a", "login_wall"),
        ("<html>anything</html>", "https://www.tiktok.com/login?redirect_url=%2F%40a", "login_wall"),
        ("<html><title>Please wait...</title></html>", "https://www.tiktok.com/@a", "challenge"),
        ('<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">{"__DEFAULT_SCOPE__": '
         '{"webapp.user-detail": {"statusCode": 10222}}}</script>', "https://www.tiktok.com/@a", "private_account"),
        ('<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" type="application/json">{"__DEFAULT_SCOPE__": '
         '{"webapp.app-context": {"language": "vi"}}}</script>', "https://www.tiktok.com/search/video?q=x", None),
        ("<html><body><div id='root'>new shell</div></body></html>", "https://www.tiktok.com/@a", "layout_changed"),
    ],
)
def test_tiktok_rendered_page_blocks(text, url, kind):
    block = tiktok.page_block(text, url)
    assert (block.kind if block else None) == kind


def test_only_list_apis_are_captured():
    assert tiktok.is_list_api("https://www.tiktok.com/api/post/item_list/?secUid=x&X-Bogus=1")
    assert tiktok.is_list_api("https://www.tiktok.com/api/search/general/full/?keyword=x")
    assert not tiktok.is_list_api("https://www.tiktok.com/api/user/detail/?uniqueId=x")
    assert not tiktok.is_list_api("https://cdn.example/api/post/item_list.js")
