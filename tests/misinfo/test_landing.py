"""The landing zone: append-only, fsync'd, streamed back; bad lines quarantined once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from misinfo.landing import LandingZone
from tests.factories import make_post


def test_append_and_read_back_in_order(home: Path) -> None:
    zone = LandingZone(home)
    posts = [make_post(i, f"bài {i} có dấu: Đắk Lắk", hours=i) for i in range(5)]
    written = zone.append(posts, run_id="run-1")
    path = written["tiktok"]
    assert path.parent.parent.name == "tiktok" and path.name == "run-1.jsonl"
    datetime.strptime(path.parent.name, "%Y-%m-%d")
    back = [line.post for line in zone.iter_posts()]
    assert back == posts


def test_one_file_per_run_and_platform(home: Path) -> None:
    zone = LandingZone(home)
    zone.append([make_post(1), make_post(2, platform="facebook")], run_id="r1")
    zone.append([make_post(3)], run_id="r2")
    assert sorted(p.relative_to(home / "raw").parts[0] + "/" + p.name for p in zone.files()) == [
        "facebook/r1.jsonl", "tiktok/r1.jsonl", "tiktok/r2.jsonl"]


def test_bad_lines_are_reported_not_raised(home: Path) -> None:
    zone = LandingZone(home)
    path = zone.append([make_post(1)], run_id="r")["tiktok"]
    with open(path, "ab") as fh:
        fh.write(b'{"platform": "tiktok", "post_id": "2"\n')  # truncated JSON
        fh.write(b"\xff\xfe not utf-8\n")
        fh.write(json.dumps(make_post(3).to_dict()).encode() + b"\n")
        fh.write(b'{"partial": ')  # a write cut by a crash: no newline yet
    lines = list(zone.read_file(path))
    assert [bool(line.post) for line in lines] == [True, False, False, True]
    assert "invalid JSON" in (lines[1].error or "")
    assert "UTF-8" in (lines[2].error or "")
    assert lines[-1].offset < path.stat().st_size  # the torn tail is left for a later read


def test_resume_from_offset(home: Path) -> None:
    zone = LandingZone(home)
    path = zone.append([make_post(i) for i in range(3)], run_id="r")["tiktok"]
    first = list(zone.read_file(path))
    assert [line.post.post_id for line in zone.read_file(path, first[0].offset)] == ["1", "2"]  # type: ignore[union-attr]


def test_quarantine_keeps_reason_and_raw_once(home: Path) -> None:
    zone = LandingZone(home)
    assert zone.quarantine("invalid JSON", b"\xffraw", origin="f.jsonl", item_id="f.jsonl:3") is True
    assert LandingZone(home).quarantine("invalid JSON", b"\xffraw", origin="f.jsonl", item_id="f.jsonl:3") is False
    entries = list(zone.iter_quarantine())
    assert len(entries) == 1
    assert entries[0]["reason"] == "invalid JSON" and entries[0]["raw"] == "\\xffraw"


def test_retention_drops_old_days(home: Path) -> None:
    zone = LandingZone(home)
    with zone.open_run("tiktok", "old", day=datetime(2025, 1, 1, tzinfo=UTC)) as w:
        w.append([make_post(1)])
    with zone.open_run("tiktok", "new", day=datetime(2026, 11, 1, tzinfo=UTC)) as w:
        w.append([make_post(2)])
    assert zone.delete_older_than(datetime(2026, 1, 1, tzinfo=UTC)) == 1
    assert [p.name for p in zone.files()] == ["new.jsonl"]
    assert not (home / "raw" / "tiktok" / "2025-01-01").exists()
