"""`misinfo reindex --backend elasticsearch`: a new versioned index, one atomic alias swap, old index gone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from misinfo.cli import app
from misinfo.domain import Review
from misinfo.landing import LandingZone
from misinfo.pipeline import PassThrough, process, record_review
from misinfo.settings import Settings
from misinfo.store.base import SearchQuery
from misinfo.store.elastic import ElasticStore
from tests.factories import T0, make_post, make_tagged

pytestmark = pytest.mark.integration  # talks to osmem-server (or a real cluster) over HTTP


def _indices(store: ElasticStore) -> list[str]:
    return sorted(store.client.indices.get_alias(name=store.alias).body)


def _env(settings: Settings) -> dict[str, str]:
    return {"MISINFO_HOME": str(settings.home), "MISINFO_STORE": "elasticsearch", "MISINFO_ES_URL": settings.es_url,
            "MISINFO_ES_INDEX": settings.es_index, "MISINFO_ES_COMPAT_JSON": "1"}


def test_cli_reindex_builds_a_new_index_and_swaps_the_alias(make_es_settings: Callable[..., Settings],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_es_settings()
    home = settings.home
    LandingZone(home).append([make_post(i, f"sáp nhập tỉnh, bài {i}", hours=i) for i in range(150)])
    store = ElasticStore.from_settings(settings)
    assert process(home, store, PassThrough(), progress=False).indexed == 150
    review = Review("tiktok:7", "false", "analyst1", T0, "province_merger", "danh sách giả")
    assert record_review(home, store, review)
    store.upsert([make_tagged("stray", "chỉ có trong chỉ mục cũ")])  # not in the landing zone
    (old,) = _indices(store)
    version_before = store.version()

    for name, value in _env(settings).items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["reindex", "--backend", "elasticsearch"])
    assert result.exit_code == 0, result.output
    assert "150 posts" in result.output

    (new,) = _indices(store)
    assert new != old and new.startswith(settings.es_index + "-")
    assert not store.client.indices.exists(index=old).body  # the old index is deleted after the swap
    assert store.client.indices.get_alias(name=settings.es_index).body[new]["aliases"][settings.es_index].get(
        "is_write_index") is True
    assert store.search(SearchQuery("sap nhap")).total == 150
    assert store.get("tiktok:stray") is None  # the index is rebuilt from the landing zone only
    got = store.get("tiktok:7")
    assert got is not None and got.review == review  # reviews are replayed from the review log
    assert store.version() != version_before
    store.upsert([make_tagged("after", "sáp nhập sau khi đổi chỉ mục")])  # writes go to the new index
    assert store.search(SearchQuery("sap nhap")).total == 151
    store.close()


def test_readers_see_the_old_index_until_the_swap(make_es_settings: Callable[..., Settings]) -> None:
    store = ElasticStore.from_settings(make_es_settings())
    store.upsert([make_tagged(i, "bài cũ về lừa đảo") for i in range(20)])
    seen_during: list[int] = []

    def fill(target: ElasticStore) -> str:
        target.upsert([make_tagged(i, "bài mới về sáp nhập") for i in range(30)])
        seen_during.append(store.search(SearchQuery("lua dao")).total)
        seen_during.append(store.search(SearchQuery("sap nhap")).total)
        return "filled"

    assert store.rebuild(fill) == "filled"
    assert seen_during == [20, 0]  # no downtime, no half-built index visible while filling
    assert store.search(SearchQuery("sap nhap")).total == 30
    assert store.search(SearchQuery("lua dao")).total == 0
    store.close()


def test_a_failed_rebuild_leaves_the_alias_untouched(make_es_settings: Callable[..., Settings]) -> None:
    store = ElasticStore.from_settings(make_es_settings())
    store.upsert([make_tagged(i, "bài về lừa đảo") for i in range(10)])
    before = _indices(store)
    built: list[str] = []

    def fill(target: ElasticStore) -> None:
        built.append(target.index)
        target.upsert([make_tagged(1, "một nửa")])
        raise RuntimeError("stage crashed")

    with pytest.raises(RuntimeError):
        store.rebuild(fill)
    assert _indices(store) == before
    assert not store.client.indices.exists(index=built[0]).body  # the half-built index is dropped
    assert store.search(SearchQuery("lua dao")).total == 10
    store.close()


def test_reindex_into_an_empty_cluster_bootstraps(make_es_settings: Callable[..., Settings], home: Path) -> None:
    from misinfo.pipeline import reindex

    settings = make_es_settings()
    LandingZone(home).append([make_post(i, "cảnh báo lừa đảo") for i in range(5)])
    assert reindex(settings, PassThrough(), backend="elasticsearch", progress=False).indexed == 5
    store = ElasticStore.from_settings(settings)
    assert len(_indices(store)) == 1 and store.stats().posts == 5
    store.close()
