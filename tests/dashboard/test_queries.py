"""The dashboard's plain query functions, on a real SQLite store (no Streamlit runtime needed)."""

from __future__ import annotations

import ast
import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from dashboard import i18n, queries
from misinfo.audit import read_audit
from misinfo.crawl import CrawlReport
from misinfo.sources import Source
from misinfo.store.base import CountBucket, SearchQuery
from misinfo.store.sqlite import SqliteStore
from tests.dashboard.conftest import tagged
from tests.factories import make_tagged
from tests.hostile import FORMULA_START, HOSTILE_TEXTS, hidden_chars, hostile_posts


@pytest.fixture
def store(tmp_path: Path):
    s = SqliteStore(tmp_path / "q.sqlite3")
    yield s
    s.close()


TEXT = queries.CSV_FIELDS.index("text")


def test_export_carries_the_transcript_ai_label_and_location_inert(store: SqliteStore, tmp_path: Path) -> None:
    store.upsert([make_tagged("v", "Chia sẻ", transcript="=HYPERLINK(\"http://x\") sáp nhập tỉnh", aigc=True,
                              location_created="VN"), make_tagged("p", "bài thường")])  # fmt: skip
    header = [i18n.t(f"csv.{f}") for f in queries.CSV_FIELDS]
    out = queries.export_file(store, SearchQuery(text="sap nhap"), home=tmp_path, who="lan", tz="Asia/Ho_Chi_Minh",
                              header=header)  # fmt: skip
    [row] = [dict(zip(queries.CSV_FIELDS, r, strict=True)) for r in list(csv.reader(io.StringIO(out.read().decode("utf-8-sig"))))[1:]]
    assert row["transcript"] == "'=HYPERLINK(\"http://x\") sáp nhập tỉnh"  # text in a spreadsheet, never a formula
    assert (row["aigc"], row["location_created"]) == ("Nội dung do AI tạo ra", "VN")
    assert header[queries.CSV_FIELDS.index("transcript")] == "lời thoại video (phụ đề của nền tảng)"


def test_export_streams_every_match_not_one_page(store: SqliteStore, tmp_path: Path) -> None:
    store.upsert(
        make_tagged(i, f"Bài số {i} về sáp nhập tỉnh" if i % 2 else f"Bài số {i} khác", hours=i * 0.1)
        for i in range(2300)
    )
    header = [i18n.t(f"csv.{f}") for f in queries.CSV_FIELDS]
    out = queries.export_file(store, SearchQuery(text="sap nhap tinh", size=20), home=tmp_path, who="lan",
                              tz="Asia/Ho_Chi_Minh", header=header)  # fmt: skip
    rows = list(csv.reader(io.StringIO(out.read().decode("utf-8-sig"))))
    assert rows[0] == header and rows[0][0] == "mã bài"
    assert len(rows) == 1 + 1150  # all odd posts, far past the page size and one scan batch
    assert len({r[0] for r in rows[1:]}) == 1150
    assert all("sáp nhập tỉnh" in r[TEXT] for r in rows[1:])
    record = read_audit(tmp_path)[-1]
    assert (record["action"], record["who"], record["rows"], record["query"]) == ("export", "lan", 1150, "sap nhap tinh")


def test_export_of_hostile_posts_is_inert_in_a_spreadsheet(store: SqliteStore, tmp_path: Path) -> None:
    """OWASP CSV injection: no cell may start a formula; invisible controls go; a cell fits in Excel."""
    posts = hostile_posts()
    store.upsert(posts)
    header = [i18n.t(f"csv.{f}") for f in queries.CSV_FIELDS]
    out = queries.export_file(store, SearchQuery(), home=tmp_path, who="lan", tz="Asia/Ho_Chi_Minh", header=header)
    raw = out.read().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw)))[1:]
    assert len(rows) == len(posts)
    assert not hidden_chars(raw)
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START), cell[:40]
            assert len(cell) <= 32_767
    text = {r[0]: r[TEXT] for r in rows}
    assert text["tiktok:h-formula"] == "'" + HOSTILE_TEXTS["formula"]  # shown as written, as text
    assert text["tiktok:h-dde"].startswith("'+cmd|") and text["tiktok:h-tab"].startswith("'\t=1+1")
    assert text["tiktok:h-hidden_formula"] == "'=1+1 sáp nhập tỉnh"  # the zero-width space hid nothing
    assert text["tiktok:h-script"] == HOSTILE_TEXTS["script"]  # CSV is text: markup needs no escaping
    assert text["tiktok:h-big"].startswith("Sáp nhập tỉnh") and text["tiktok:h-big"].endswith("…")
    assert {r[2] for r in rows} == {"'-src"}  # source column too


def test_csv_row_has_local_time_and_review_fields() -> None:
    tp = make_tagged("9", "x", narratives=("scam_extortion",), created_at=datetime(2026, 11, 1, 20, 30, tzinfo=UTC))
    row = queries.csv_row(tp, "Asia/Ho_Chi_Minh")
    assert row[4] == "2026-11-02 03:30"  # UTC+7
    assert row[5] == "scam_extortion" and row[9] == "unreviewed"


def test_review_queue_orders_by_best_score_and_skips_reviewed_and_untagged(store: SqliteStore) -> None:
    from misinfo.domain import Review

    store.upsert([
        tagged("a", "a", hours_ago=1, narratives={"scam_extortion": 0.55}),
        tagged("b", "b", hours_ago=50, narratives={"province_merger": 0.99}),
        tagged("c", "c", hours_ago=2, narratives={"province_merger": 0.7, "scam_extortion": 0.8}),
        tagged("d", "d", hours_ago=3),
        tagged("e", "e", hours_ago=4, narratives={"scam_extortion": 1.0}),
    ])  # fmt: skip
    store.set_review(Review("tiktok:e", "false", "lan", datetime.now(UTC)))
    total, queue = queries.review_queue(store, limit=10)
    assert total == 3 and [tp.post.post_id for tp in queue] == ["b", "c", "a"]
    total, queue = queries.review_queue(store, narratives=("province_merger",), limit=1)
    assert total == 2 and [tp.post.post_id for tp in queue] == ["b"]
    since = datetime.now(UTC) - timedelta(hours=24)
    _, queue = queries.review_queue(store, since=since, limit=10)
    assert [tp.post.post_id for tp in queue] == ["c", "a"]


def test_count_frame_zero_fills_and_uses_local_days() -> None:
    since = datetime(2026, 11, 1, 17, tzinfo=UTC)  # 00:00 on 2 Nov in Hanoi
    until = since + timedelta(days=3)
    buckets = [
        CountBucket(datetime(2026, 11, 1, 17, tzinfo=UTC), "province_merger", 2, 0),  # 2 Nov 00:00 local
        CountBucket(datetime(2026, 11, 2, 16, tzinfo=UTC), "province_merger", 3, 0),  # 2 Nov 23:00 local
        CountBucket(datetime(2026, 11, 2, 17, tzinfo=UTC), "province_merger", 5, 0),  # 3 Nov
        CountBucket(datetime(2026, 11, 2, 17, tzinfo=UTC), None, 99, 0),  # all posts: not a narrative line
    ]
    labels = {"province_merger": "Sáp nhập", "scam_extortion": "Lừa đảo"}
    frame = queries.count_frame(buckets, "day", since, until, labels, "Asia/Ho_Chi_Minh")
    merger = frame[frame.narrative == "Sáp nhập"]
    assert list(merger["count"]) == [5, 5, 0]
    assert [d.day for d in merger.time] == [2, 3, 4]
    assert list(frame[frame.narrative == "Lừa đảo"]["count"]) == [0, 0, 0]
    hourly = queries.count_frame(buckets, "hour", since, until, labels, "Asia/Ho_Chi_Minh")
    assert len(hourly) == 72 * 2 and hourly["count"].sum() == 10


def test_window_totals() -> None:
    at = datetime(2026, 11, 10, tzinfo=UTC)
    b = [CountBucket(at - timedelta(hours=h), None, 1, 0) for h in (1, 24, 25, 48, 49, 24 * 7, 24 * 7 + 1)]
    b.append(CountBucket(at - timedelta(hours=1), "scam_extortion", 50, 0))
    assert queries.window_totals(b, at) == {"24h": 2, "prev_24h": 2, "7d": 6}


def test_report_end_anchors_only_when_nothing_is_recent() -> None:
    now = datetime(2026, 11, 29, 6, 40, tzinfo=UTC)
    assert queries.report_end(now - timedelta(hours=3), now) == (datetime(2026, 11, 29, 7, tzinfo=UTC), False)
    assert queries.report_end(None, now) == (datetime(2026, 11, 29, 7, tzinfo=UTC), False)
    old = datetime(2026, 11, 1, 10, 15, tzinfo=UTC)
    assert queries.report_end(old, now) == (datetime(2026, 11, 1, 11, tzinfo=UTC), True)


def test_day_bounds_are_local_days() -> None:
    lo, hi = queries.day_bounds(date(2026, 11, 2), date(2026, 11, 2), "Asia/Ho_Chi_Minh")
    assert lo == datetime(2026, 11, 1, 17, tzinfo=UTC) and hi == datetime(2026, 11, 2, 17, tzinfo=UTC)


def _run(source: str, status: str, when: str, **kw: object) -> CrawlReport:
    return CrawlReport(run_id=when, source=source, platform="tiktok", started_at=when, finished_at=when,
                       status=status, message=f"{source} {status}", **kw)  # type: ignore[arg-type]  # fmt: skip


def test_source_health_flags_blocked_sources_first() -> None:
    sources = [
        Source(key="quiet", platform="tiktok", handle="quiet", label="Quiet"),
        Source(key="fine", platform="tiktok", handle="fine"),
        Source(key="never", platform="facebook", handle="never", enabled=False),
    ]
    runs = [
        _run("quiet", "ok", "2026-11-27T01:00:00+00:00", items=9, new_items=9),
        _run("fine", "ok", "2026-11-28T01:00:00+00:00", items=5, new_items=2),
        _run("quiet", "blocked", "2026-11-28T01:00:00+00:00", blocks={"captcha": 2}),
        _run("quiet", "blocked", "2026-11-29T01:00:00+00:00", blocks={"captcha": 1, "http_429": 3}),
        _run("gone", "error", "2026-11-29T01:00:00+00:00", http_errors=4),
    ]
    rows = queries.source_health(sources, runs)
    assert [r.key for r in rows] == ["quiet", "gone", "fine", "never"]
    quiet = rows[0]
    assert (quiet.status, quiet.failing_runs, quiet.blocks, quiet.items) == ("blocked", 2, 4, 0)
    assert quiet.block_kinds == "captcha × 1, http_429 × 3"
    assert quiet.last_ok == datetime(2026, 11, 27, 1, tzinfo=UTC)
    assert rows[1].configured is False and rows[1].errors == 4
    assert rows[3].status == "never" and rows[3].last_run is None and not rows[3].failing


def test_every_ui_string_used_in_code_exists_in_the_vietnamese_file() -> None:
    root = Path(queries.__file__).parent
    keys = set(i18n.catalog("vi"))
    used: set[str] = set()
    for path in [*root.glob("*.py"), *root.glob("app_pages/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "t" and node.args
                    and isinstance(node.args[0], ast.Constant)):  # fmt: skip
                used.add(node.args[0].value)
    assert used, "found the t() calls"
    assert used <= keys, sorted(used - keys)
    # f-string keys: every value they can take
    for group, values in {"role": ("viewer", "analyst", "admin"), "common": ("hour", "day"),
                          "search": ("sort_newest", "sort_relevance", "sort_engagement"),
                          "sources": ("status_ok", "status_blocked", "status_error", "status_never")}.items():  # fmt: skip
        for v in values:
            assert f"{group}.{v}" in keys
    for field in queries.CSV_FIELDS:
        assert f"csv.{field}" in keys
    from misinfo.domain import VERDICTS

    assert all(f"verdict.{v}" in keys for v in (*VERDICTS, "unreviewed"))


def test_strings_are_vietnamese_nfc_and_placeholders_are_filled() -> None:
    import unicodedata

    filled = 0
    for key, text in i18n.catalog("vi").items():
        assert unicodedata.is_normalized("NFC", text), key
        names = set(re.findall(r"\{(\w+)\}", text))
        values = {n: f"<{n}-giá-trị>" for n in names}
        out = i18n.t(key, **values)
        for n in names:  # each value lands in the text, in place of its placeholder
            assert values[n] in out and "{" + n + "}" not in out, (key, n, out)
        filled += bool(names)
    assert filled >= 10  # the catalogue does use placeholders (counts, dates, names)
    assert i18n.t("search.total", total="1.234", page=2, pages=5).startswith("Tìm thấy **1.234** bài")
    with pytest.raises(KeyError):
        i18n.t("no.such.key")
    with pytest.raises(KeyError):  # a placeholder left unfilled is an error, never a raw "{total}" on screen
        i18n.t("search.total", page=1, pages=1)


def test_unknown_language_is_a_config_error() -> None:
    from misinfo.errors import ConfigError

    with pytest.raises(ConfigError, match="MISINFO_UI_LANGUAGE"):
        i18n.use("xx")


def test_only_groups_with_copies_are_shown_as_copy_groups(tmp_path: Path) -> None:
    from dashboard.auth import User
    from dashboard.ui import Ctx, group_size
    from misinfo.settings import Settings

    db = SqliteStore(tmp_path / "g.sqlite3")
    alone = make_tagged("1", "một bài", dup_group="g-alone")
    copies = [make_tagged(str(i), "bài dán lại", dup_group="g-copy") for i in (2, 3, 4)]
    db.upsert([alone, *copies])
    ctx = Ctx(Settings(home=tmp_path), db, "test-groups", User("an", "analyst"))
    assert group_size(alone, ctx) == 1
    assert group_size(copies[0], ctx) == 3
    assert group_size(make_tagged("5", "không nhóm"), ctx) == 0
