"""The backends the store contract suite runs against. Each adapter adds itself to BACKENDS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from misinfo.store.base import PostStore

BACKENDS = ["sqlite"]


def _make_sqlite(tmp_path: Path, request: pytest.FixtureRequest) -> PostStore:
    from misinfo.store.sqlite import SqliteStore

    return SqliteStore(tmp_path / "contract.sqlite3")


MAKERS = {"sqlite": _make_sqlite}


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PostStore]:
    s = MAKERS[request.param](tmp_path, request)
    yield s
    s.close()
