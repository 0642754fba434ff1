"""Reliability drills on the real `misinfo` command and the real NLP stage, with demo data.

The library-level versions (read-only or locked store, corrupt lines with a pass-through stage,
Elasticsearch faults behind a proxy) live in tests/misinfo/test_pipeline.py and tests/store/;
these run the operator's command end to end: a process killed with SIGKILL, a store that is not
there, a disk that fills up while posts land, a landing file with damaged lines.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from misinfo.crawl import read_crawl_runs
from misinfo.demo.run import demo_settings, write_sources
from misinfo.demo.site import serve
from misinfo.landing import LandingZone
from misinfo.store.base import SearchQuery
from misinfo.store.sqlite import SqliteStore
from tests.demo.conftest import MISINFO, land, landed_keys, landing_bytes, run_cli

pytestmark = [pytest.mark.slow]


def env_for(home: Path, **extra: str) -> dict[str, str]:
    return {"MISINFO_HOME": str(home), "MISINFO_STORE": "sqlite", **extra}


def one_line_error(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), stderr[-2000:]
    assert "Traceback" not in stderr
    return lines[0]


def store_keys(db: Path) -> list[str]:
    """Every key in the store's table and in its full-text index (a duplicate would show in either)."""
    con = sqlite3.connect(db)
    try:
        keys = [r[0] for r in con.execute("SELECT key FROM posts")]
        fts_rows = con.execute("SELECT count(*) FROM posts_fts").fetchone()[0]
    finally:
        con.close()
    assert fts_rows == len(keys)
    return keys


def limit_file_size(limit: int):  # type: ignore[no-untyped-def]
    """preexec_fn: a disk that is full after `limit` bytes per file (EFBIG instead of the SIGXFSZ kill)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


# --- SIGKILL in the middle of `misinfo process` -----------------------------------------------------


def test_process_killed_mid_run_then_rerun_indexes_every_post_exactly_once(tmp_path: Path, world) -> None:
    home = tmp_path / "home"
    keys = land(home, world, 1600)  # four batches of 500 on the TikTok file, one on the Facebook file
    ckpt = home / "state" / "process-sqlite.json"
    proc = subprocess.Popen([*MISINFO, "process"], env={**os.environ, **env_for(home)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if ckpt.exists() and any(json.loads(ckpt.read_text() or "{}").get("offsets", {}).values()):
            break  # the first batch is in; the next one is being tagged
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "process finished before it could be killed"
    done = sum(json.loads(ckpt.read_text())["offsets"].values())
    total = sum(len(b) for b in landing_bytes(home).values())
    assert 0 < done < total
    partial = store_keys(home / "store.sqlite3")
    assert 0 < len(partial) < len(keys)

    rerun = run_cli(["process"], env_for(home))
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    indexed = store_keys(home / "store.sqlite3")
    assert sorted(indexed) == sorted(set(keys)) == sorted(landed_keys(home))  # none lost, none twice
    store = SqliteStore(home / "store.sqlite3")
    try:
        assert store.search(SearchQuery()).total == len(keys)
        assert store.stats().per_narrative.get("province_merger", 0) > 0  # really tagged, not passed through
    finally:
        store.close()
    again = run_cli(["process"], env_for(home))
    assert "read 0 lines" in again.stdout


# --- the store is down ------------------------------------------------------------------------------


def test_sqlite_store_unusable_clear_error_landing_untouched_next_run_catches_up(tmp_path: Path, world) -> None:
    home = tmp_path / "home"
    keys = land(home, world, 300)
    db = home / "store.sqlite3"
    db.write_bytes(b"this is not a database; a disk image restored from the wrong backup" * 200)
    before = landing_bytes(home)

    down = run_cli(["process"], env_for(home))
    assert down.returncode != 0
    assert "store.sqlite3" in one_line_error(down.stderr)
    assert landing_bytes(home) == before
    assert not list(LandingZone(home).iter_quarantine())
    assert not (home / "state" / "process-sqlite.json").exists()

    db.unlink()  # the operator restores the store (or lets reindex rebuild it)
    up = run_cli(["process"], env_for(home))
    assert up.returncode == 0, up.stderr[-2000:]
    assert sorted(store_keys(db)) == sorted(keys)


@pytest.mark.integration
def test_elasticsearch_stopped_clear_error_then_restarted_catches_up(tmp_path: Path, world) -> None:
    from urllib.parse import urlsplit

    from osmem_server import OsmemServer

    home = tmp_path / "home"
    keys = land(home, world, 200)
    server = OsmemServer.start(japanese=False)
    port = urlsplit(server.url).port
    server.close()  # the cluster is down when processing starts
    es = env_for(home, MISINFO_STORE="elasticsearch", MISINFO_ES_URL=f"http://127.0.0.1:{port}",
                 MISINFO_ES_COMPAT_JSON="1", MISINFO_ES_INDEX="drill")
    before = landing_bytes(home)

    down = run_cli(["process"], es)
    assert down.returncode != 0
    assert "MISINFO_ES_URL" in one_line_error(down.stderr)
    assert landing_bytes(home) == before

    restarted = OsmemServer.start(japanese=False, addr=f"127.0.0.1:{port}")
    try:
        up = run_cli(["process"], es)
        assert up.returncode == 0, up.stderr[-2000:]
        assert f"indexed {len(keys)}" in up.stdout
        stats = run_cli(["stats", "--json"], es)
        assert json.loads(stats.stdout)["posts"] == len(keys)
    finally:
        restarted.close()


# --- the disk fills up while posts land --------------------------------------------------------------


def test_disk_full_during_import_fails_loudly_and_keeps_what_was_written(tmp_path: Path, world) -> None:
    home = tmp_path / "home"
    posts = [p for p in world.all_posts if p.platform == "tiktok"][:1500]
    src = tmp_path / "export.jsonl"
    src.write_text("".join(json.dumps(p.to_dict(), ensure_ascii=False) + "\n" for p in posts), encoding="utf-8")

    full = run_cli(["import", str(src)], env_for(home), preexec_fn=limit_file_size(300_000))
    assert full.returncode != 0
    assert "File too large" in one_line_error(full.stderr)
    lines = list(LandingZone(home).iter_posts())
    assert 0 < len(lines) < len(posts)
    assert all(line.post is not None for line in lines)  # every complete line readable; the cut one left alone
    assert [line.post.to_dict() for line in lines] == [p.to_dict() for p in posts[: len(lines)]]  # type: ignore[union-attr]

    up = run_cli(["process"], env_for(home))
    assert up.returncode == 0 and f"indexed {len(lines)}" in up.stdout


def test_disk_full_during_crawl_fails_loudly_keeps_what_landed_and_recrawls(tmp_path: Path, world) -> None:
    home = tmp_path / "home"
    server = serve(world)
    try:
        settings = demo_settings(home, server.url, 8501)
        write_sources(settings.sources, world)
        from misinfo.crawl import settings_env

        env = settings_env(settings)
        full = run_cli(["crawl", "--source", "cong-dong-fb"], env, preexec_fn=limit_file_size(60_000))
        assert full.returncode != 0
        assert "cannot write the landing zone" in full.stderr and "File too large" in full.stderr
        run = read_crawl_runs(home, "cong-dong-fb")[-1]
        assert run.status == "error"
        lines = list(LandingZone(home).iter_posts())
        assert 0 < len(lines) < len(world.posts["cong-dong-fb"])
        assert all(line.post is not None for line in lines)
        state = json.loads((home / "state" / "crawl" / "cong-dong-fb.json").read_text())
        assert state["newest"] is None  # the watermark did not move: nothing will be skipped next time

        again = run_cli(["crawl", "--source", "cong-dong-fb"], env)
        assert again.returncode == 0, again.stderr[-2000:]
        assert landed_keys(home) == {p.key for p in world.posts["cong-dong-fb"]}
    finally:
        server.stop()


# --- damaged lines in a landing file -----------------------------------------------------------------


def test_damaged_landing_lines_are_quarantined_with_reasons_and_the_rest_processed(tmp_path: Path, world) -> None:
    home = tmp_path / "home"
    zone = LandingZone(home)
    tiktok = [p for s in world.sources if s.platform == "tiktok" and not s.blocked for p in world.posts[s.key]]
    path = zone.append(tiktok[:150], run_id="r")["tiktok"]
    with open(path, "ab") as fh:  # a write cut short by a crash, then bytes that are not UTF-8
        good = json.dumps(tiktok[150].to_dict(), ensure_ascii=False).encode()
        fh.write(good[: len(good) // 2] + b"\n")
        fh.write(b'{"platform": "tiktok", "text": "\xff\xfe\xc3"}\n')
    zone.append(tiktok[151:300], run_id="r")

    out = run_cli(["process"], env_for(home))
    assert out.returncode == 0, out.stderr[-2000:]
    assert "indexed 299" in out.stdout and "quarantined 2" in out.stdout
    reasons = sorted(q["reason"] for q in zone.iter_quarantine())
    assert len(reasons) == 2
    assert any("JSON" in r for r in reasons) and any("UTF-8" in r for r in reasons), reasons
    assert sorted(store_keys(home / "store.sqlite3")) == sorted(p.key for p in tiktok[:300] if p != tiktok[150])
    rerun = run_cli(["process", "--full"], env_for(home))
    assert rerun.returncode == 0 and len(list(zone.iter_quarantine())) == 2  # quarantined once, not per run
