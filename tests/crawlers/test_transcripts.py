"""What TikTok videos say: caption tracks fetched by the real spider from the replay site, end to end.

A real Scrapy crawl (a subprocess, via `crawl_source`) reads a profile whose videos carry caption
tracks at signed-looking CDN paths: a Vietnamese ASR track, an English MT translation, an expired URL,
a broken file, a track the CDN refuses (403). Then `process` with the real NLP stage, and `misinfo
search` as an operator runs it. The transcripts here are project-written (smoke data, not evidence).
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import timedelta

import pytest

from crawlers import replay
from crawlers.replay import CaptionTrack, webvtt_file
from crawlers.state import CrawlState
from misinfo.crawl import crawl_source
from misinfo.domain import Post, Transcript
from misinfo.pipeline import process
from misinfo.store.sqlite import SqliteStore
from tests.crawlers.conftest import crawl_settings, landed, vn_posts
from tests.misinfo.test_cli import run

pytestmark = [pytest.mark.slow, pytest.mark.integration]

HANDLE = "tintuc.vn"
TT = {"key": "tt-news", "platform": "tiktok", "handle": HANDLE, "mode": "http"}
SPOKEN = [
    "Bà con ơi nghe tin gì chưa",
    "danh sách sáp nhập tỉnh mới vừa có rồi",
    "tỉnh mình sẽ đổi tên và dời trụ sở sang tỉnh bên cạnh",
    "đất ở đây sắp lên giá gấp đôi, mua ngay kẻo lỡ",
]
TRANSLATED = ["Have you heard", "the new province merger list is out", "our province will be renamed"]


def videos() -> list[Post]:
    posts = vn_posts(6, platform="tiktok", author=HANDLE, start_id=7_400_000_000_000_000_000)
    posts[0] = replace(posts[0], text="Chia sẻ để mọi người cùng biết nhé #tintuc", hashtags=("tintuc",),
                       aigc=True, aigc_description="Nhà sáng tạo đã gắn nhãn nội dung do AI tạo ra",
                       location_created="VN")  # fmt: skip
    return posts


def tracks(posts: list[Post], *, fixed: bool = False) -> dict[str, list[CaptionTrack]]:
    """Video 0: Vietnamese ASR + English MT; 1: MT only; 2: an expired URL; 3: a broken file; 4: HTTP 403."""
    past = int(time.time()) - 600
    return {
        posts[0].post_id: [CaptionTrack(webvtt_file(TRANSLATED), "eng-US", "MT"), CaptionTrack(webvtt_file(SPOKEN))],
        posts[1].post_id: [CaptionTrack(webvtt_file(TRANSLATED), "eng-US", "MT")],
        posts[2].post_id: [CaptionTrack(webvtt_file(["cảnh báo lừa đảo qua điện thoại"]), expires=None if fixed else past)],
        posts[3].post_id: [CaptionTrack(webvtt_file(["giá vàng hôm nay"]) if fixed else "<html>404 page</html>")],
        posts[4].post_id: [CaptionTrack(webvtt_file(["thời tiết"]), status=200 if fixed else 403)],
    }


def site(server, posts, captions):  # type: ignore[no-untyped-def]
    return {"/robots.txt": replay.robots_txt(False),
            **replay.tiktok_site(HANDLE, posts, nickname="Tin Tức", captions=captions, cdn=server.url)}  # fmt: skip


def track_paths(server, captions) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    infos, _ = replay.caption_tracks(captions, server.url)
    return {pid: [i["Url"].removeprefix(server.url) for i in entries] for pid, entries in infos.items()}


def hits(server, path: str) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for h in server.hits if h == path)


def test_a_video_is_read_once_from_its_vietnamese_asr_track_and_failed_tracks_are_retried_next_crawl(tmp_path, serve):
    posts = videos()
    server = serve({})
    captions = tracks(posts)
    server.update(site(server, posts, captions))
    paths = track_paths(server, captions)
    s = crawl_settings(tmp_path, [TT], tiktok_base_url=server.url)

    first = crawl_source(s, "tt-news")

    assert first.status == "ok" and first.items == 6
    assert first.transcripts == {"fetched": 1, "expired": 1, "broken": 1, "failed": 1}
    assert "transcripts: 1 fetched, 3 to retry" in first.message
    got = {p.post_id: p for p in landed(s)}
    assert got[posts[0].post_id].transcript == Transcript("\n".join(SPOKEN), "vie-VN", "ASR")
    assert got[posts[0].post_id].aigc and got[posts[0].post_id].location_created == "VN"
    assert "Nhà sáng tạo" in got[posts[0].post_id].aigc_description
    assert all(got[p.post_id].transcript is None for p in posts[1:])
    # the Vietnamese ASR track was fetched; no MT track ever, nor the expired URL
    assert hits(server, paths[posts[0].post_id][1]) == 1
    assert all(hits(server, p) == 0 for p in (paths[posts[0].post_id][0], paths[posts[1].post_id][0], paths[posts[2].post_id][0]))
    assert hits(server, paths[posts[3].post_id][0]) == 1 and hits(server, paths[posts[4].post_id][0]) == 1
    pending = CrawlState.load(s.home, "tt-news").transcripts_pending
    assert set(pending) == {posts[2].post_id, posts[3].post_id, posts[4].post_id}
    assert pending[posts[2].post_id]["reason"].startswith("expired") and "HTTP 403" in pending[posts[4].post_id]["reason"]

    # next crawl: the list gives fresh URLs and mended files; only the failed ones are fetched again
    fixed = tracks(posts, fixed=True)
    server.update(site(server, posts, fixed))
    fixed_paths = track_paths(server, fixed)
    second = crawl_source(s, "tt-news")

    assert second.status == "ok" and second.new_items == 0
    assert second.transcripts == {"fetched": 3}
    asr = {paths[posts[0].post_id][1], fixed_paths[posts[0].post_id][1]}
    assert sum(hits(server, p) for p in asr) == 1  # not again: the 1 of the first crawl
    latest: dict[str, Post] = {}
    for p in landed(s):
        latest[p.post_id] = p if p.transcript or p.post_id not in latest else latest[p.post_id]
    assert latest[posts[2].post_id].transcript.text == "cảnh báo lừa đảo qua điện thoại"  # type: ignore[union-attr]
    assert latest[posts[3].post_id].transcript.text == "giá vàng hôm nay"  # type: ignore[union-attr]
    assert CrawlState.load(s.home, "tt-news").transcripts_pending == {}

    # a third crawl fetches no track at all
    before = sum(1 for h in server.hits if "/video/tos/" in h)
    third = crawl_source(s, "tt-news")
    assert third.transcripts == {} and sum(1 for h in server.hits if "/video/tos/" in h) == before


def test_the_transcript_is_tagged_searched_and_kept_over_count_refreshes(tmp_path, serve):
    from nlp.stage import NlpStage

    posts = videos()
    server = serve({})
    server.update(site(server, posts, tracks(posts)))
    s = crawl_settings(tmp_path, [TT], tiktok_base_url=server.url)
    crawl_source(s, "tt-news")
    bumped = [replace(p, metrics=replace(p.metrics, likes=(p.metrics.likes or 0) + 100)) for p in posts]
    server.update(site(server, bumped, tracks(bumped)))
    crawl_source(s, "tt-news")  # a count refresh: video 0 lands again, without its transcript

    store = SqliteStore(s.sqlite_file)
    stage = NlpStage(s, persist=False)
    try:
        process(s.home, store, stage, progress=False)
        tp = store.get(f"tiktok:{posts[0].post_id}")
    finally:
        stage.close()
        store.close()
    assert tp is not None and tp.post.metrics.likes == bumped[0].metrics.likes  # the refreshed counts...
    assert tp.post.transcript is not None and "sáp nhập tỉnh" in tp.post.transcript.text  # ...and the transcript
    assert "province_merger" in tp.narratives
    evidence = next(t for t in tp.tags if t.narrative == "province_merger").evidence
    phrases = [e for e in evidence if e.kind == "phrase" and not e.value.startswith(("✓", "≠"))]
    assert phrases and all(e.part == "transcript" for e in phrases)

    env = {"MISINFO_SOURCES": str(s.sources)}
    found = run(s.home, "search", "danh sach sap nhap tinh", "--json", env=env)
    assert found.returncode == 0, found.stderr
    out = json.loads(found.stdout)
    assert [h["key"] for h in out["hits"]] == [f"tiktok:{posts[0].post_id}"]
    hit = out["hits"][0]
    assert hit["transcript"] == {"text": "\n".join(SPOKEN), "language": "vie-VN", "source": "ASR"}
    assert "<mark>sáp</mark> <mark>nhập</mark> <mark>tỉnh</mark>" in hit["transcript_snippet"] and "<mark>" not in hit["snippet"]
    assert hit["aigc"] is True and hit["location_created"] == "VN"
    assert run(s.home, "search", "sap nhap tinh", "--json", "--aigc", env=env).stdout.count('"key"') == 1
    assert not json.loads(run(s.home, "search", "dat len gia gap doi", "--json", "--platform", "facebook",
                              env=env).stdout)["hits"]  # fmt: skip
    assert timedelta(0) <= tp.post.collected_at - tp.post.created_at
