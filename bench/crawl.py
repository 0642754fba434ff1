"""Crawler throughput: parser pages/s on rendered pages, and end-to-end crawl pages/s against the
local replay server with throttling off (each source a real `scrapy crawl` subprocess).

TikTok is crawled twice, side by side in one run: plain HTTP against the replay site as it used to
be, and browser mode (headless Debian Chromium through scrapy-playwright) against its `live` form,
whose list API answers only the page script's signed requests; `tiktok_browser_vs_http` is the
ratio of their pages/s. Prints JSON lines; the last line is one object with the summary.
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


def bench_crawl(n_posts: int) -> dict[str, float]:
    """pages/s per crawl (wall, and inside the spider); TikTok by HTTP and in the browser, Facebook by HTTP."""
    tt_posts = posts(n_posts, "tiktok", "tintuc.vn", 7_000)
    plain = {"/robots.txt": replay.robots_txt(False), **replay.tiktok_site("tintuc.vn", tt_posts)}
    live = {"/robots.txt": replay.robots_txt(False), **replay.tiktok_site("tintuc.vn", tt_posts, live=True)}
    fb_routes = {"/robots.txt": replay.robots_txt(True), **replay.facebook_site("trangtin", posts(n_posts, "facebook", "trangtin", 1_000))}
    sources = [
        {"key": "tt", "platform": "tiktok", "handle": "tintuc.vn", "mode": "http"},
        {"key": "tt-browser", "platform": "tiktok", "handle": "tintuc.vn", "mode": "browser"},
        {"key": "fb", "platform": "facebook", "handle": "trangtin", "obey_robots": False, "permission": "local benchmark server"},
    ]
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, replay.ReplayServer(plain) as tt, replay.ReplayServer(live) as tt_live, \
            replay.ReplayServer(fb_routes) as fb:  # fmt: skip
        tmp_path = Path(tmp)
        (tmp_path / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
        pages = 0
        spider_seconds = wall_seconds = 0.0
        for key, tiktok_url in (("tt", tt.url), ("tt-browser", tt_live.url), ("fb", tt.url)):
            s = Settings(home=tmp_path / "home", sources=tmp_path / "sources.yaml", tiktok_base_url=tiktok_url,
                         facebook_base_url=fb.url, crawl_throttle=False, crawl_max_pages=1000)  # fmt: skip
            t = time.perf_counter()
            report = crawl_source(s, key)
            wall = time.perf_counter() - t
            inside = (datetime.fromisoformat(report.finished_at) - datetime.fromisoformat(report.started_at)).total_seconds()
            assert report.items == n_posts, report.message
            emit({"bench": "crawl", "source": key, "mode": report.mode, "pages": report.pages, "items": report.items,
                  "wall_s": round(wall, 2), "spider_s": round(inside, 2), "pages_per_s": round(report.pages / wall, 1),
                  "spider_pages_per_s": round(report.pages / inside, 1) if inside > 0 else None})  # fmt: skip
            rates[key] = report.pages / wall
            rates[f"{key}_spider"] = report.pages / inside if inside > 0 else 0.0
            if key != "tt-browser":
                pages, spider_seconds, wall_seconds = pages + report.pages, spider_seconds + inside, wall_seconds + wall
    rates["http_total"] = pages / wall_seconds
    rates["http_total_spider"] = pages / spider_seconds if spider_seconds else 0.0
    return rates


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=300, help="posts per source (TikTok 15/page, Facebook 10/page)")
    ap.add_argument("--seconds", type=float, default=4.0, help="time spent timing the parsers")
    args = ap.parse_args()
    parse_rate, by_page = bench_parsers(args.seconds)
    r = bench_crawl(args.posts)
    emit({"bench": "crawl_summary", "posts_per_source": args.posts, "parse_pages_per_s": round(parse_rate, 1), "parse_pages_per_s_by_page": by_page,
          "crawl_pages_per_s": round(r["http_total"], 1), "crawl_pages_per_s_excluding_process_start": round(r["http_total_spider"], 1),
          "tiktok_http_pages_per_s": round(r["tt"], 1), "tiktok_browser_pages_per_s": round(r["tt-browser"], 1),
          "tiktok_browser_vs_http": round(r["tt-browser"] / r["tt"], 2),
          "tiktok_http_spider_pages_per_s": round(r["tt_spider"], 1), "tiktok_browser_spider_pages_per_s": round(r["tt-browser_spider"], 1),
          "tiktok_browser_vs_http_excluding_process_start": round(r["tt-browser_spider"] / r["tt_spider"], 2)})  # fmt: skip


if __name__ == "__main__":
    main()
