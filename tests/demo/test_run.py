"""The demo run's small decisions: which day the digest covers, its settings, its home folder."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from misinfo.demo.run import DemoState, demo_settings, digest_day, prepare_home, write_sources
from misinfo.errors import ConfigError
from misinfo.sources import load_sources


def test_digest_covers_today_once_the_local_morning_has_begun() -> None:
    tz = "Asia/Ho_Chi_Minh"
    assert digest_day(datetime(2026, 11, 2, 3, 0, tzinfo=UTC), tz) == date(2026, 11, 2)  # 10:00 local
    assert digest_day(datetime(2026, 11, 1, 20, 0, tzinfo=UTC), tz) == date(2026, 11, 1)  # 03:00 local
    assert digest_day(datetime(2026, 11, 1, 17, 30, tzinfo=UTC), tz) == date(2026, 11, 1)  # 00:30 local


def test_demo_settings_ignore_a_real_installation_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MISINFO_STORE", "elasticsearch")
    monkeypatch.setenv("MISINFO_SOURCES", "/etc/real-sources.yaml")
    monkeypatch.setenv("MISINFO_CRAWL_THROTTLE", "1")
    s = demo_settings(tmp_path / "d", "http://127.0.0.1:9", 8600)
    assert (s.store, s.sources, s.crawl_throttle, s.demo) == ("sqlite", tmp_path / "d" / "sources.yaml", False, True)
    assert s.tiktok_base_url == s.facebook_base_url == "http://127.0.0.1:9"
    assert s.sqlite_file == tmp_path / "d" / "store.sqlite3"
    assert s.dashboard_url == "http://localhost:8600"


def test_the_demo_sources_file_is_valid_and_obeys_robots(tmp_path: Path, world) -> None:
    path = write_sources(tmp_path / "sources.yaml", world)
    sources = load_sources(path)
    assert [s.key for s in sources] == [s.key for s in world.sources]
    assert all(s.obey_robots and s.enabled for s in sources)
    assert "mô phỏng" in path.read_text(encoding="utf-8")
    assert yaml.safe_load(path.read_text(encoding="utf-8"))[0]["label"].endswith("(mô phỏng)")


def test_reset_empties_only_a_demo_folder(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "store.sqlite3").write_bytes(b"precious")
    with pytest.raises(ConfigError, match="not a demo folder"):
        prepare_home(real, reset=True)
    assert (real / "store.sqlite3").read_bytes() == b"precious"

    demo = tmp_path / "demo"
    prepare_home(demo, reset=False)
    DemoState(datetime(2026, 11, 2, tzinfo=UTC), 5, 4321).save(demo)
    (demo / "store.sqlite3").write_bytes(b"old")
    assert DemoState.load(demo) == DemoState(datetime(2026, 11, 2, tzinfo=UTC), 5, 4321)
    prepare_home(demo, reset=True)
    assert demo.exists() and not any(demo.iterdir())
