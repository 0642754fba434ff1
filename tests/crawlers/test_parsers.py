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
