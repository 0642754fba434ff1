"""The backends the store contract suite runs against. Each adapter adds itself to BACKENDS.

Elasticsearch runs on osmem-server (an in-memory server speaking the OpenSearch/Elasticsearch
REST API, started once per test session on a free loopback port) and, when
`MISINFO_TEST_ES_URL` is set, also on that real cluster. Each test gets its own alias.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from misinfo.settings import Settings
from misinfo.store.base import PostStore

REAL_ES_URL = os.environ.get("MISINFO_TEST_ES_URL", "").strip()
REAL_ES_COMPAT_JSON = os.environ.get("MISINFO_TEST_ES_COMPAT_JSON", "") == "1"  # for Elasticsearch 8
BACKENDS = ["sqlite", "elasticsearch"] + (["elasticsearch-real"] if REAL_ES_URL else [])


def _make_sqlite(tmp_path: Path, request: pytest.FixtureRequest) -> PostStore:
    from misinfo.store.sqlite import SqliteStore

    return SqliteStore(tmp_path / "contract.sqlite3")


@pytest.fixture(scope="session")
def osmem() -> Iterator[object]:
    """One osmem-server per test process (xdist worker), on a free loopback port."""
    from osmem_server import OsmemServer

    server = OsmemServer.start(japanese=False)
    yield server
    server.close()


def es_settings(request: pytest.FixtureRequest, real: bool = False, **overrides: object) -> Settings:
    """Settings for a fresh alias on osmem-server (or the real cluster); its indices go at teardown.

    `overrides` may point `es_url` elsewhere (a fault proxy); cleaning up still talks to the server.
    """
    if real:
        url, compat = REAL_ES_URL, REAL_ES_COMPAT_JSON
    else:
        url, compat = request.getfixturevalue("osmem").url, True  # type: ignore[attr-defined]
    alias = f"t-{uuid.uuid4().hex[:12]}"
    values: dict[str, object] = {"store": "elasticsearch", "es_url": url, "es_index": alias, "es_compat_json": compat}
    values.update(overrides)
    settings = Settings(**values)  # type: ignore[arg-type]
    cleanup = Settings(store="elasticsearch", es_url=url, es_index=alias, es_compat_json=compat)

    def drop() -> None:
        from elasticsearch import ApiError

        from misinfo.store.elastic import build_client

        client = build_client(cleanup, max_retries=0)
        try:
            for pattern in (f"{alias}-*", f"{alias}.meta", alias):
                with contextlib.suppress(ApiError):
                    client.indices.delete(index=pattern, ignore_unavailable=True, allow_no_indices=True)
            with contextlib.suppress(ApiError):
                client.indices.delete_index_template(name=alias)
        except Exception:  # the server may be gone (fault tests kill it); nothing left to clean
            pass
        finally:
            client.close()

    request.addfinalizer(drop)
    return settings


@pytest.fixture
def make_es_settings(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A factory of Settings for a fresh alias on this session's osmem-server, MISINFO_HOME in tmp_path."""

    def make(**overrides: object) -> Settings:
        overrides.setdefault("home", tmp_path / "home")
        return es_settings(request, **overrides)

    return make


def _make_es(tmp_path: Path, request: pytest.FixtureRequest, real: bool = False) -> PostStore:
    from misinfo.store.elastic import ElasticStore

    return ElasticStore.from_settings(es_settings(request, real, home=tmp_path / "home"))


MAKERS = {
    "sqlite": _make_sqlite,
    "elasticsearch": _make_es,
    "elasticsearch-real": lambda tmp_path, request: _make_es(tmp_path, request, real=True),
}


@pytest.fixture(params=[pytest.param(b, marks=pytest.mark.integration) if b.startswith("elasticsearch") else b
                        for b in BACKENDS])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PostStore]:
    s = MAKERS[request.param](tmp_path, request)
    yield s
    s.close()
