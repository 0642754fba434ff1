"""`misinfo crawl` end to end: real spiders, a table, one line per blocked source, non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from crawlers import replay
from crawlers.replay import ReplayServer
from misinfo.crawl import crawl_runs_path, read_crawl_runs, settings_env
from tests.crawlers.conftest import crawl_settings, vn_posts

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def run_cli(settings, *args):
    env = {**os.environ, **settings_env(settings)}
    return subprocess.run(
        [sys.executable, "-c", "from misinfo.cli import main; main()", *args],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_crawl_all_exits_non_zero_naming_the_blocked_source(tmp_path):
    posts = vn_posts(8, platform="tiktok", author="tintuc.vn", start_id=1)
    tt_routes = {"/robots.txt": replay.robots_txt(False), **replay.tiktok_site("tintuc.vn", posts)}
    fb_routes = {"/robots.txt": replay.robots_txt(True)}
    with ReplayServer(tt_routes) as tt, ReplayServer(fb_routes) as fb:
        sources = [
            {"key": "tt-news", "platform": "tiktok", "handle": "tintuc.vn"},
            {"key": "fb-page", "platform": "facebook", "handle": "trangtin"},
        ]
        s = crawl_settings(tmp_path, sources, tiktok_base_url=tt.url, facebook_base_url=fb.url)
        result = run_cli(s, "crawl", "--all")
        ok_only = run_cli(s, "crawl", "--source", "tt-news")
    assert result.returncode == 4, result.stderr
    blocked_lines = [ln for ln in result.stderr.splitlines() if "fb-page" in ln]
    assert len(blocked_lines) == 1 and "robots" in blocked_lines[0]
    assert "tt-news" not in result.stderr and "tt-news" in result.stdout
    assert ok_only.returncode == 0, ok_only.stderr
    runs = read_crawl_runs(s.home)
    assert [(r.source, r.status) for r in runs] == [("tt-news", "ok"), ("fb-page", "blocked"), ("tt-news", "ok")]
    assert runs[-1].new_items == 0 and crawl_runs_path(s.home).exists()


def test_crawl_needs_a_choice_and_a_known_source(tmp_path):
    s = crawl_settings(tmp_path, [{"key": "a", "platform": "tiktok", "handle": "h"}])
    none = run_cli(s, "crawl")
    unknown = run_cli(s, "crawl", "--source", "zz")
    assert none.returncode == 2 and "--source KEY" in none.stderr
    assert unknown.returncode == 2 and "unknown source 'zz'" in unknown.stderr
    assert "Traceback" not in none.stderr + unknown.stderr
