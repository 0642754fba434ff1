"""Crawler throughput: parser pages/s on rendered pages, and end-to-end crawl pages/s against the
local replay server with throttling off (each source a real `scrapy crawl` subprocess).

Prints JSON lines; the last line is one object with `parse_pages_per_s` and `crawl_pages_per_s`.
Run: .venv/bin/python bench/crawl.py [--posts 300] [--seconds 3]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from crawlers import replay
from crawlers.parsers import facebook, tiktok
from misinfo.crawl import crawl_source
from misinfo.domain import Metrics, Post
from misinfo.settings import Settings

T0 = datetime(2026, 11, 1, tzinfo=UTC)
TEXT = "Cảnh báo thủ đoạn giả danh công an gọi điện đe doạ, yêu cầu chuyển tiền; thông tin sáp nhập tỉnh là giả #canhbao #sapnhap"


def posts(n: int, platform: str, author: str, start: int) -> list[Post]:
    return [
        Post(platform, str(start + i), "bench", "", author, "Trang Tin Tức", f"{TEXT} ({i})",
             T0 - timedelta(minutes=37 * i), T0, Metrics(1000 + i, 10 * i, i, i % 7), ("canhbao", "sapnhap"))
        for i in range(n)
    ]  # fmt: skip


def emit(obj: dict) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def bench_parsers(seconds: float) -> tuple[float, dict[str, float]]:
    tt = posts(15, "tiktok", "tintuc.vn", 7_000)
    fb = posts(10, "facebook", "trangtin", 1_000)
    pages = {
        "tiktok_item_list": (tiktok.parse_item_list, replay.tiktok_item_list(tt, has_more=True, cursor="1").data().decode()),
        "tiktok_video": (tiktok.parse_video, replay.tiktok_video_page(tt[0])),
        "facebook_m": (facebook.parse_page, replay.facebook_m_page("trangtin", fb, next_href="/page_content_list_view/more/?x=1")),
        "facebook_www": (facebook.parse_page, replay.facebook_www_page("trangtin", fb)),
    }
    total_pages, total_time = 0, 0.0
    by_page: dict[str, float] = {}
    for name, (fn, text) in pages.items():
        kw = {"source": "bench", "base_url": "https://x", "collected_at": T0.isoformat()}
        if fn is facebook.parse_page:
            kw["handle"] = "trangtin"
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / len(pages):
            result = fn(text, "https://x/p", **kw)
            assert result.block is None and result.records, name
            n += 1
        elapsed = time.perf_counter() - start
        emit({"bench": "parse", "page": name, "pages": n, "bytes": len(text.encode()), "pages_per_s": round(n / elapsed, 1)})
        total_pages, total_time = total_pages + n, total_time + elapsed
        by_page[name] = round(n / elapsed, 1)
    return total_pages / total_time, by_page


def bench_crawl(n_posts: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        tt_routes = {"/robots.txt": replay.robots_txt(False), **replay.tiktok_site("tintuc.vn", posts(n_posts, "tiktok", "tintuc.vn", 7_000))}
        fb_routes = {"/robots.txt": replay.robots_txt(True), **replay.facebook_site("trangtin", posts(n_posts, "facebook", "trangtin", 1_000))}
        sources = [
            {"key": "tt", "platform": "tiktok", "handle": "tintuc.vn"},
            {"key": "fb", "platform": "facebook", "handle": "trangtin", "obey_robots": False, "permission": "local benchmark server"},
        ]
        (tmp_path / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
        with replay.ReplayServer(tt_routes) as tt, replay.ReplayServer(fb_routes) as fb:
            s = Settings(home=tmp_path / "home", sources=tmp_path / "sources.yaml", tiktok_base_url=tt.url,
                         facebook_base_url=fb.url, crawl_throttle=False, crawl_max_pages=1000)  # fmt: skip
            pages = items = 0
            spider_seconds = 0.0
            start = time.perf_counter()
            for key in ("tt", "fb"):
                t = time.perf_counter()
                report = crawl_source(s, key)
                wall = time.perf_counter() - t
                inside = (datetime.fromisoformat(report.finished_at) - datetime.fromisoformat(report.started_at)).total_seconds()
                emit({"bench": "crawl", "source": key, "pages": report.pages, "items": report.items,
                      "wall_s": round(wall, 2), "spider_s": round(inside, 2), "pages_per_s": round(report.pages / wall, 1),
                      "spider_pages_per_s": round(report.pages / inside, 1) if inside > 0 else None})  # fmt: skip
                pages, items, spider_seconds = pages + report.pages, items + report.items, spider_seconds + inside
            total = time.perf_counter() - start
    return pages / total, pages / spider_seconds if spider_seconds else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=300, help="posts per source (TikTok 15/page, Facebook 10/page)")
    ap.add_argument("--seconds", type=float, default=4.0, help="time spent timing the parsers")
    args = ap.parse_args()
    parse_rate, by_page = bench_parsers(args.seconds)
    crawl_rate, spider_rate = bench_crawl(args.posts)
    emit({"bench": "crawl_summary", "posts_per_source": args.posts, "parse_pages_per_s": round(parse_rate, 1), "parse_pages_per_s_by_page": by_page,
          "crawl_pages_per_s": round(crawl_rate, 1), "crawl_pages_per_s_excluding_process_start": round(spider_rate, 1)})  # fmt: skip


if __name__ == "__main__":
    main()
