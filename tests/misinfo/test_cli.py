"""The `misinfo` command, run as a real subprocess the way an operator runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.factories import T0


def run(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("MISINFO_")}
    full_env.update({"MISINFO_HOME": str(home), **(env or {})})
    exe = Path(sys.executable).with_name("misinfo")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=full_env, timeout=120)


def test_import_process_search_stats(home: Path, tmp_path: Path) -> None:
    posts = tmp_path / "posts.jsonl"
    lines = [
        {"platform": "facebook", "post_id": "1", "source": "trang-a", "url": "https://fb/1", "author": "trang_a",
         "author_name": "Trang A", "text": "Đồng Nai sáp nhập với Bình Phước?", "created_at": T0.isoformat(),
         "metrics": {"likes": 4}, "hashtags": ["sapnhap"]},
        {"platform": "tiktok", "post_id": "2", "source": "kenh-b", "url": "https://tt/2", "author": "kenh_b",
         "author_name": "Kênh B", "text": "cảnh báo lừa đảo", "created_at": T0.isoformat()},
    ]
    posts.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n{oops\n", encoding="utf-8")
    imported = run(home, "import", str(posts))
    assert imported.returncode == 0, imported.stderr
    assert "imported 2 posts" in imported.stdout and "quarantined 1" in imported.stdout
    processed = run(home, "process")
    assert processed.returncode == 0, processed.stderr
    assert "indexed 2" in processed.stdout
    found = run(home, "search", "dong nai", "--json")
    assert found.returncode == 0, found.stderr
    result = json.loads(found.stdout)
    assert result["total"] == 1
    hit = result["hits"][0]
    assert hit["key"] == "facebook:1" and hit["text"] == "Đồng Nai sáp nhập với Bình Phước?"
    assert set(hit) >= {"key", "platform", "source", "url", "author", "text", "created_at", "narratives", "snippet"}
    assert "<mark>Đồng</mark>" in hit["snippet"]
    human = run(home, "search", "lua dao")
    assert "1 posts match" in human.stdout and "lừa" in human.stdout
    stats = json.loads(run(home, "stats", "--json").stdout)
    assert stats["posts"] == 2 and stats["quarantined"] == 1 and stats["landing_files"] == 2
    audit = (home / "audit.jsonl").read_text(encoding="utf-8")
    assert '"action": "search"' in audit


def test_bad_input_gives_one_line_and_non_zero_exit(home: Path, tmp_path: Path) -> None:
    bad_setting = run(home, "stats", env={"MISINFO_STORE": "mongo"})
    assert bad_setting.returncode == 2
    assert "MISINFO_STORE" in bad_setting.stderr and "Traceback" not in bad_setting.stderr
    bad_date = run(home, "search", "x", "--since", "yesterday")
    assert bad_date.returncode == 2 and "--since" in bad_date.stderr and "Traceback" not in bad_date.stderr
    long_query = run(home, "search", "x " * 300)
    assert long_query.returncode == 2 and "too long" in long_query.stderr
    missing = run(home, "import", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2 and "Invalid value for 'file'" in missing.stderr and "Traceback" not in missing.stderr
    not_a_db = tmp_path / "broken.sqlite3"
    not_a_db.write_bytes(b"garbage" * 1000)
    down = run(home, "search", "x", env={"MISINFO_SQLITE_PATH": str(not_a_db)})
    assert down.returncode == 3 and "SQLite store" in down.stderr and "Traceback" not in down.stderr
