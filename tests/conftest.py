"""Shared fixtures: an isolated MISINFO_HOME per test, and the store backends of the contract suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from misinfo.settings import Settings


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own MISINFO_HOME; no test reads the developer's environment or var/."""
    for name in list(os.environ):
        if name.startswith("MISINFO_") and name not in ("MISINFO_TEST_ES_URL",):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MISINFO_HOME", str(tmp_path / "home"))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def settings(home: Path) -> Settings:
    return Settings(home=home)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[object]:
    from misinfo.store.sqlite import SqliteStore

    store = SqliteStore(tmp_path / "store.sqlite3")
    yield store
    store.close()
