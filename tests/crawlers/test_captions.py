"""Which caption track is a video's transcript, and WebVTT as text: the pure parsers, on item shapes as
TikTok gives them (field names and types as in yt-dlp's TikTok extractor and captured web items)."""

from __future__ import annotations

import pytest

from crawlers.parsers.captions import BrokenTrack, best_track, transcript_text
from crawlers.parsers.tiktok import item_to_record
from crawlers.replay import webvtt_file


def track(lang: str, source: str, url: str = "", **extra: object) -> dict[str, object]:
    return {"LanguageID": "1", "LanguageCodeName": lang, "Url": url or f"https://v16m-webapp.tiktokcdn-us.com/{lang}-{source}/",
            "UrlExpire": 1770461340, "Format": "webvtt", "Version": "1:llm", "Source": source, "Size": 1666, **extra}


def item(*tracks: dict[str, object], **fields: object) -> dict[str, object]:
    return {"id": "7400000000000000001", "desc": "x", "createTime": 1730419200, "author": {"uniqueId": "a"},
            "video": {"id": "7400000000000000001", "subtitleInfos": list(tracks)}, **fields}


@pytest.mark.parametrize(
    ("tracks", "expected"),
    [
        ([track("eng-US", "MT"), track("vie-VN", "ASR")], ("vie-VN", "ASR")),
        ([track("eng-US", "ASR"), track("vie-VN", "ASR")], ("vie-VN", "ASR")),  # Vietnamese first
        ([track("vie-VN", "MT"), track("eng-US", "ASR")], ("eng-US", "ASR")),  # the video's own speech, never MT
        ([track("eng-US", "MT"), track("vie-VN", "CC")], ("vie-VN", "CC")),  # a Vietnamese track that is no MT
        ([track("eng-US", "MT"), track("vie-VN", "MT")], None),  # translations only: no transcript
        ([track("eng-US", "CC")], None),
        ([track("vie-VN", "ASR", Format="creator_caption")], None),  # not WebVTT
        ([track("vie-VN", "ASR", url="javascript:alert(1)")], None),
        ([], None),
    ],
)
def test_best_track(tracks, expected) -> None:  # type: ignore[no-untyped-def]
    got = best_track(item(*tracks))
    assert (got["language"], got["source"]) == expected if got else expected is None


def test_track_expiry_as_a_number_or_a_string_and_odd_items() -> None:
    assert best_track(item(track("vie-VN", "ASR", UrlExpire="1770461340")))["expires"] == 1770461340  # type: ignore[index]
    assert best_track(item(track("vie-VN", "ASR", UrlExpire=None)))["expires"] is None  # type: ignore[index]
    assert best_track({"video": {"subtitleInfos": "nope"}}) is None and best_track(None) is None
    assert best_track(item("not a dict", track("vie-VN", "ASR"))) is not None  # type: ignore[arg-type]


def test_item_record_carries_the_ai_label_location_and_track() -> None:
    record = item_to_record(item(track("vie-VN", "ASR"), IsAigc=True, AIGCDescription=" Nhãn AI ", locationCreated="vn"),
                            source="s", base_url="https://www.tiktok.com", collected_at="2026-01-01T00:00:00+00:00")  # fmt: skip
    assert record is not None
    assert (record["aigc"], record["aigc_description"], record["location_created"]) == (True, "Nhãn AI", "VN")
    assert record["caption_track"]["url"].endswith("/vie-VN-ASR/")
    plain = item_to_record(item(IsAigc="yes"), source="s", base_url="https://www.tiktok.com", collected_at="x")
    assert plain is not None and plain["aigc"] is False and plain["caption_track"] is None  # only a real true labels


def test_webvtt_text_drops_timings_tags_and_rolled_lines() -> None:
    vtt = webvtt_file(["Bà con ơi", "sáp nhập tỉnh rồi", "đất lên giá"])
    assert "-->" in vtt and "<v Speaker>" in vtt and vtt.count("sáp nhập tỉnh rồi") == 2
    assert transcript_text(vtt) == "Bà con ơi\nsáp nhập tỉnh rồi\nđất lên giá"
    assert transcript_text("\ufeffWEBVTT\n\nNOTE x\n\n00:00.000 --> 00:01.000\nmột\n\n00:01.000 --> 00:02.000\nmột\nhai\n") == "một\nhai"


@pytest.mark.parametrize("body", ["<html>404</html>", "", "WEBVTT\n\n", "WEBVTT\n\n00:00.000 --> 00:01.000\n   \n"])
def test_a_broken_track_is_an_error_of_its_own(body: str) -> None:
    with pytest.raises(BrokenTrack):
        transcript_text(body)
