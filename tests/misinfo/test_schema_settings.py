"""Validation of untrusted records, and settings errors that name the variable."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from misinfo.errors import ConfigError, InvalidRecord
from misinfo.schema import post_from_line, post_from_record
from misinfo.settings import load_settings

GOOD = {"platform": "tiktok", "post_id": 123, "source": "s", "url": "https://x", "author": "a",
        "author_name": "A", "text": "Sa\u0301p nhập", "created_at": "2026-11-01T07:00:00+07:00",
        "metrics": {"likes": 3}, "hashtags": ["#SápNhập", "sápnhập", ""]}


def test_valid_record_normalises() -> None:
    post = post_from_record(GOOD)
    assert post.post_id == "123"
    assert post.text == "Sáp nhập"  # NFC
    assert post.created_at == datetime(2026, 11, 1, tzinfo=UTC)
    assert post.hashtags == ("SápNhập", "sápnhập")
    assert post.metrics.likes == 3 and post.metrics.views is None


@pytest.mark.parametrize(
    ("change", "reason"),
    [({"created_at": "2026-11-01T07:00:00"}, "created_at"), ({"platform": ""}, "platform"),
     ({"metrics": {"likes": -1}}, "metrics.likes"), ({"post_id": None}, "post_id")],
)
def test_invalid_record_names_the_field(change: dict, reason: str) -> None:
    with pytest.raises(InvalidRecord, match=reason):
        post_from_record({**GOOD, **change})


def test_invalid_lines() -> None:
    with pytest.raises(InvalidRecord, match="invalid JSON"):
        post_from_line('{"platform": ')
    with pytest.raises(InvalidRecord, match="UTF-8"):
        post_from_line(b"\xc3\x28")
    with pytest.raises(InvalidRecord, match="JSON object"):
        post_from_line("[1, 2]")


def test_bad_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MISINFO_STORE", "postgres")
    with pytest.raises(ConfigError, match="MISINFO_STORE"):
        load_settings()
    monkeypatch.setenv("MISINFO_STORE", "sqlite")
    monkeypatch.setenv("MISINFO_SMTP_PORT", "seventy")
    with pytest.raises(ConfigError, match="MISINFO_SMTP_PORT"):
        load_settings()


def test_settings_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MISINFO_HOME", str(tmp_path))
    s = load_settings()
    assert s.store == "sqlite"
    assert s.sqlite_file == tmp_path / "store.sqlite3"
    assert s.narratives.name == "narratives.yaml" and s.narratives.exists()
