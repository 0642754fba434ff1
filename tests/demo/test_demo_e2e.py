"""`misinfo demo --no-dashboard` end to end: real spiders, real NLP, SQLite, trends, digest; then again."""

from __future__ import annotations

import email
import json
import re
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from misinfo.demo.content import generate
from tests.demo.conftest import run_cli

pytestmark = [pytest.mark.slow, pytest.mark.integration]


def store_snapshot(db: Path) -> list[tuple]:  # type: ignore[type-arg]
    """Every stored post as the store has it, minus the crawl time (a re-crawl refreshes it)."""
    con = sqlite3.connect(db)
    try:
        rows = []
        for key, dup_group, tagged, doc in con.execute("SELECT key, dup_group, tagged, doc FROM posts ORDER BY key"):
            data = json.loads(doc)
            data["post"].pop("collected_at", None)
            rows.append((key, dup_group, tagged, json.dumps(data, sort_keys=True)))
        return rows
    finally:
        con.close()


def test_demo_runs_end_to_end_and_a_rerun_changes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    first = run_cli(["demo", "--no-dashboard", "--home", str(home)], {}, timeout=900)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    out = first.stdout
    summary = json.loads((home / "demo-summary.json").read_text(encoding="utf-8"))
    world = generate(datetime.fromisoformat(summary["anchor"]))
    visible = [s for s in world.sources if not s.blocked]

    # sources crawled, and the blocked one named with its reason
    assert f"Sources crawled: {len(visible)} of {len(world.sources)}" in out
    for s in visible:
        assert re.search(rf"{s.key}\s+{s.platform}\s+{s.layout}\s+[\d,]+ posts", out), s.key
    assert re.search(r"Blocked source: tin-nong-tt .*ip_blocked.*10204", out)
    assert [b["key"] for b in summary["sources"] if b["status"] != "ok"] == ["tin-nong-tt"]

    # posts landed: every post of every crawlable source, once
    expected = sum(len(world.posts[s.key]) for s in visible)
    assert summary["posts_landed"] == summary["store_posts"] == expected
    assert f"Posts landed: {expected:,} distinct" in out

    # posts per narrative: all four, the tagger really ran
    for nid in ("province_merger", "leadership_travel_spending", "party_congress_smear", "scam_extortion"):
        n = summary["per_narrative"][nid]
        assert n >= 30 and re.search(rf"{nid}\s+{n:,}", out), nid
    assert summary["per_narrative"]["province_merger"] < expected / 3  # everyday posts are not tagged

    # the province-merger hoax is rising
    rising = {t["id"]: t for t in summary["rising"]}
    assert "province_merger" in rising and rising["province_merger"]["score"] >= 5
    assert re.search(r"▲ province_merger .*: \d+ posts vs baseline", out)

    # the copy-paste campaign: many accounts within minutes, found first
    top = summary["campaigns"][0]
    assert "HỖ TRỢ SAU SÁP NHẬP" in top["sample"] and top["accounts"] >= 5 and top["spread_minutes"] <= 20
    assert f"{top['id']}: {top['posts_in_window']} posts, {top['accounts']} accounts" in out

    # the false-claim matches, among them the paraphrased ones
    claims = {c["id"]: c for c in summary["claims"]}
    assert {"merger-support-money-link", "police-video-call-transfer", "fake-63-to-31-list"} <= set(claims)
    assert "False-claim matches (last 24h):" in out and "merger-support-money-link (false)" in out

    # the digest, as .eml (multipart with the chart) and .html
    eml = Path(summary["digest"][0])
    assert eml.name == f"digest-{summary['digest_day']}.eml" and eml.parent == home.resolve()
    assert f"Digest for {summary['digest_day']}: {eml}" in out
    msg = email.message_from_bytes(eml.read_bytes())
    assert msg["X-Misinfo-Digest-Date"] == summary["digest_day"]
    html = Path(summary["digest"][1]).read_text(encoding="utf-8")
    assert "Sáp nhập tỉnh" in html
    assert any(part.get_content_type() == "image/png" for part in msg.walk())

    # re-running: same posts, same tags, same groups, same digest day
    before = store_snapshot(home / "store.sqlite3")
    second = run_cli(["demo", "--no-dashboard", "--home", str(home)], {}, timeout=900)
    assert second.returncode == 0, second.stderr[-3000:]
    again = json.loads((home / "demo-summary.json").read_text(encoding="utf-8"))
    assert store_snapshot(home / "store.sqlite3") == before
    for field in ("anchor", "posts_landed", "store_posts", "per_narrative", "digest_day"):
        assert again[field] == summary[field], field
    assert [c["id"] for c in again["claims"]] == [c["id"] for c in summary["claims"]]
