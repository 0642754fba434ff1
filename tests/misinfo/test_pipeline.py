"""import → landing zone → process → store: incremental, idempotent, loses nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from misinfo.domain import Review
from misinfo.errors import StoreUnavailable
from misinfo.landing import LandingZone
from misinfo.pipeline import PassThrough, import_posts, process, record_review, reindex
from misinfo.schema import MAX_JSON_DEPTH, MAX_TEXT_CHARS
from misinfo.settings import Settings
from misinfo.store.base import SearchQuery
from misinfo.store.sqlite import SqliteStore
from tests.factories import T0, make_post


def write_jsonl(path: Path, records: list) -> Path:  # type: ignore[type-arg]
    with open(path, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n")
    return path


def record(i: int, text: str = "cảnh báo lừa đảo") -> dict:  # type: ignore[type-arg]
    return {"platform": "facebook", "post_id": str(i), "source": "page", "url": f"https://f/{i}",
            "author": "page", "author_name": "Trang", "text": f"{text} {i}",
            "created_at": (T0.isoformat()), "metrics": {"likes": i}}


def test_import_quarantines_bad_lines_with_line_numbers(home: Path, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [record(1), '{"broken": ', record(2), {"platform": "tiktok"}])
    report = import_posts(home, src)
    assert (report.lines, report.imported, report.quarantined) == (4, 2, 2)
    reasons = {e["origin"]: e["reason"] for e in LandingZone(home).iter_quarantine()}
    assert "invalid JSON" in reasons["import:in.jsonl:2"]
    assert "post_id" in reasons["import:in.jsonl:4"]


def test_import_quarantines_oversize_and_deeply_nested_records(home: Path, tmp_path: Path) -> None:
    """Hostile lines: a text longer than any platform allows, JSON nested 100,000 deep (a crash before)."""
    nested = '{"a":' * 100_000 + "1" + "}" * 100_000
    deep: object = 1
    for _ in range(MAX_JSON_DEPTH + 1):
        deep = [deep]
    listed = {**record(3), "metrics": {"likes": 1, "x": deep}}
    src = write_jsonl(tmp_path / "in.jsonl", [record(1), record(2, "x" * (MAX_TEXT_CHARS + 1)), nested, listed])
    report = import_posts(home, src)
    assert (report.lines, report.imported, report.quarantined) == (4, 1, 3)
    reasons = {e["origin"]: e["reason"] for e in LandingZone(home).iter_quarantine()}
    assert f"at most {MAX_TEXT_CHARS} characters" in reasons["import:in.jsonl:2"]
    assert reasons["import:in.jsonl:3"] == reasons["import:in.jsonl:4"] == f"JSON nested deeper than {MAX_JSON_DEPTH} levels"


def test_process_is_incremental_and_idempotent(home: Path, tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    import_posts(home, write_jsonl(tmp_path / "a.jsonl", [record(i) for i in range(10)]))
    first = process(home, store, PassThrough(), batch_size=3, progress=False)
    assert (first.read, first.indexed) == (10, 10)
    again = process(home, store, PassThrough(), progress=False)
    assert again.read == 0  # nothing new landed
    import_posts(home, write_jsonl(tmp_path / "b.jsonl", [record(i, "bản cập nhật") for i in range(5, 15)]))
    third = process(home, store, PassThrough(), progress=False)
    assert third.read == 10
    assert store.stats().posts == 15
    assert store.search(SearchQuery("cap nhat")).total == 10  # later versions replaced earlier ones
    full = process(home, store, PassThrough(), full=True, progress=False)
    assert full.read == 20 and store.stats().posts == 15


def test_checkpoint_forgets_files_removed_by_retention(home: Path, tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    zone = LandingZone(home)
    gone = zone.append([make_post(1)], run_id="old")["tiktok"]
    process(home, store, PassThrough(), progress=False)
    gone.unlink()
    zone.append([make_post(2)], run_id="new")
    process(home, store, PassThrough(), progress=False)
    offsets = json.loads((home / "state" / "process-sqlite.json").read_text())["offsets"]
    assert list(offsets) == [zone.relpath(zone.files()[0])]


def test_a_new_model_version_reprocesses_everything(home: Path, tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    LandingZone(home).append([make_post(i) for i in range(4)])
    process(home, store, PassThrough("v1"), progress=False)
    assert process(home, store, PassThrough("v1"), progress=False).read == 0
    assert process(home, store, PassThrough("v2"), progress=False).read == 4


def test_corrupt_landing_lines_are_quarantined_once_and_the_rest_indexed(home: Path, tmp_path: Path) -> None:
    zone = LandingZone(home)
    path = zone.append([make_post(1)], run_id="r")["tiktok"]
    with open(path, "ab") as fh:
        fh.write(b'{"platform": "tiktok", "post_id"\n\xff\xfe\n')
    zone.append([make_post(2)], run_id="r")
    store = SqliteStore(tmp_path / "s.db")
    report = process(home, store, PassThrough(), progress=False)
    assert (report.indexed, report.quarantined) == (2, 2)
    process(home, store, PassThrough(), full=True, progress=False)
    assert len(list(zone.iter_quarantine())) == 2  # not quarantined twice


def test_store_down_loses_nothing_and_the_next_run_catches_up(home: Path, tmp_path: Path) -> None:
    LandingZone(home).append([make_post(i, "tin giả sáp nhập") for i in range(6)])
    db = tmp_path / "s.db"
    SqliteStore(db).close()
    landing_before = {p: p.read_bytes() for p in LandingZone(home).files()}
    # a read-only store (root ignores file modes, so open it read-only rather than chmod it)
    readonly = SqliteStore(db, readonly=True)
    with pytest.raises(StoreUnavailable, match="readonly"):
        process(home, readonly, PassThrough(), progress=False)
    readonly.close()
    assert {p: p.read_bytes() for p in LandingZone(home).files()} == landing_before
    store = SqliteStore(db)
    assert process(home, store, PassThrough(), progress=False).indexed == 6
    assert store.search(SearchQuery("sap nhap")).total == 6


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "s.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreUnavailable, match="not a database"):
        SqliteStore(bad)


def test_locked_store_is_a_clear_error(home: Path, tmp_path: Path) -> None:
    import sqlite3

    LandingZone(home).append([make_post(1)])
    store = SqliteStore(tmp_path / "s.db")
    store._db.execute("PRAGMA busy_timeout = 100")
    blocker = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreUnavailable, match="locked"):
            process(home, store, PassThrough(), progress=False)
    finally:
        blocker.execute("ROLLBACK")
    assert process(home, store, PassThrough(), progress=False).indexed == 1


def test_reindex_rebuilds_from_landing_zone_and_keeps_reviews(home: Path) -> None:
    settings = Settings(home=home)
    LandingZone(home).append([make_post(i, "danh sách 63 tỉnh còn 31") for i in range(3)])
    store = SqliteStore(settings.sqlite_file)
    process(home, store, PassThrough(), progress=False)
    record_review(home, store, Review("tiktok:1", "false", "analyst", T0, "province_merger", "giả"))
    store.close()
    settings.sqlite_file.unlink()  # the index is derived: lose it entirely
    report = reindex(settings, PassThrough(), progress=False)
    assert report.indexed == 3
    rebuilt = SqliteStore(settings.sqlite_file)
    assert rebuilt.stats().posts == 3
    got = rebuilt.get("tiktok:1")
    assert got is not None and got.review is not None and got.review.verdict == "false"


def test_a_count_refresh_keeps_the_transcript_an_earlier_copy_brought_and_reindex_agrees(home: Path) -> None:
    settings = Settings(home=home)
    zone = LandingZone(home)
    first = make_post(1, "Chia sẻ", likes=1, transcript="danh sách sáp nhập tỉnh mới")
    zone.append([first, make_post(2, "không lời", likes=1)])
    store = SqliteStore(settings.sqlite_file)
    process(home, store, PassThrough(), progress=False)
    # later runs: refreshes without the transcript, one in its own run, two copies in one batch
    zone.append([make_post(1, "Chia sẻ", likes=5)])
    zone.append([make_post(1, "Chia sẻ", likes=7), make_post(1, "Chia sẻ", likes=9), make_post(2, "không lời", likes=3)])
    process(home, store, PassThrough(), progress=False)
    got = store.get("tiktok:1")
    assert got is not None and got.post.metrics.likes == 9 and got.post.transcript == first.transcript
    assert store.search(SearchQuery("danh sach sap nhap")).total == 1
    assert store.get("tiktok:2").post.transcript is None  # type: ignore[union-attr]
    store.close()

    reindex(settings, PassThrough(), progress=False)
    rebuilt = SqliteStore(settings.sqlite_file)
    again = rebuilt.get("tiktok:1")
    assert again is not None and again.post.transcript == first.transcript and again.post.metrics.likes == 9
    rebuilt.close()
