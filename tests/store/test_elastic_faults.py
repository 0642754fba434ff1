"""Elasticsearch faults: each gives one clear `StoreUnavailable` naming MISINFO_ES_URL and loses nothing.

The server is osmem-server over real HTTP; faults it cannot produce itself (429 answers, a node
dropping connections mid-bulk, a secured or an old cluster) come from `FaultProxy` on loopback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from osmem_server import OsmemServer

from misinfo.errors import StoreUnavailable
from misinfo.landing import LandingZone
from misinfo.pipeline import PassThrough, process, reindex
from misinfo.settings import Settings
from misinfo.state import read_json
from misinfo.store.base import SearchQuery
from misinfo.store.elastic import ElasticStore, build_client
from tests.factories import make_post, make_tagged
from tests.store.es_proxy import FaultProxy

pytestmark = pytest.mark.integration  # talks to osmem-server (or a real cluster) over HTTP

FAST = {"max_retries": 1, "retry_backoff_base": 0.01, "retry_backoff_cap": 0.05, "initial_backoff": 0.01}


def _land(home: Path, n: int) -> Path:
    paths = LandingZone(home).append([make_post(i, f"cảnh báo lừa đảo số {i}", hours=i) for i in range(n)])
    (path,) = paths.values()
    return path


def _offset(home: Path, landed: Path) -> int:
    ckpt = read_json(home / "state" / "process-elasticsearch.json", {})
    return max(ckpt.get("offsets", {}).values(), default=0)


# --- start-up: the cluster cannot be used ------------------------------------------------------------------


def test_cluster_down_is_one_clear_message(make_es_settings: Callable[..., Settings]) -> None:
    settings = make_es_settings(es_url="http://127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(StoreUnavailable, match=r"cannot reach Elasticsearch at http://127\.0\.0\.1:9 \(MISINFO_ES_URL\)"):
        ElasticStore.from_settings(settings, **FAST)


def test_wrong_credentials(make_es_settings: Callable[..., Settings]) -> None:
    # osmem-server has no security; the proxy answers as a secured cluster does to a bad password
    refusal = (401, {"error": {"root_cause": [{"type": "security_exception",
                                               "reason": "unable to authenticate user [analyst]"}],
                               "type": "security_exception", "reason": "unable to authenticate user [analyst]"},
                     "status": 401})
    with FaultProxy(fixed=refusal) as proxy:
        settings = make_es_settings(es_url=proxy.url, es_username="analyst", es_password="wrong")
        with pytest.raises(StoreUnavailable, match="MISINFO_ES_URL.*rejected the credentials.*MISINFO_ES_PASSWORD"):
            ElasticStore.from_settings(settings, **FAST)


def test_version_too_old(make_es_settings: Callable[..., Settings]) -> None:
    # an Elasticsearch 7 node cannot run here; the proxy answers GET / as one does
    old = (200, {"name": "n1", "cluster_name": "old", "tagline": "You Know, for Search",
                 "version": {"number": "7.17.9", "build_flavor": "default"}})
    with FaultProxy(fixed=old) as proxy:
        settings = make_es_settings(es_url=proxy.url)
        with pytest.raises(StoreUnavailable, match=r"elasticsearch 7\.17\.9 .*MISINFO_ES_URL.*too old"):
            ElasticStore.from_settings(settings, **FAST)


def test_red_index_is_refused_at_start_up(make_es_settings: Callable[..., Settings]) -> None:
    settings = make_es_settings()
    store = ElasticStore.from_settings(settings)
    store.upsert([make_tagged(1, "lừa đảo")])
    store.client.indices.close(index=f"{settings.es_index}-*")  # closed index: its shards are unavailable
    store.close()
    with pytest.raises(StoreUnavailable, match=r"is red.*MISINFO_ES_URL|MISINFO_ES_URL.*is red"):
        ElasticStore.from_settings(settings)


def test_media_type_refusal_points_at_compat_setting(make_es_settings: Callable[..., Settings]) -> None:
    settings = make_es_settings(es_compat_json=False)  # osmem-server refuses the ES 9 media type with 406
    with pytest.raises(StoreUnavailable, match="406.*MISINFO_ES_COMPAT_JSON=1 for OpenSearch-API servers and Elasticsearch 8"):
        ElasticStore.from_settings(settings)


def test_elasticsearch_8_media_type_refusal_points_at_compat_setting(
        make_es_settings: Callable[..., Settings]) -> None:
    # no Elasticsearch 8 node here; the proxy answers as one does to the 9 client's `compatible-with=9`
    refusal = (400, {"error": {"root_cause": [{"type": "media_type_header_exception",
                                               "reason": "Invalid media-type value on headers [Accept]"}],
                               "type": "media_type_header_exception",
                               "reason": "Invalid media-type value on headers [Accept]"}, "status": 400})
    with FaultProxy(fixed=refusal) as proxy:
        settings = make_es_settings(es_url=proxy.url, es_compat_json=False)
        with pytest.raises(StoreUnavailable, match="MISINFO_ES_URL.*400.*MISINFO_ES_COMPAT_JSON=1"):
            ElasticStore.from_settings(settings, **FAST)


# --- mapping conflicts and per-post failures ---------------------------------------------------------------


def test_mapping_conflict_blocks_writes_then_reindex_repairs_it(make_es_settings: Callable[..., Settings],
                                                                home: Path) -> None:
    settings = make_es_settings()
    client = build_client(settings)
    # someone created a plain index with the alias' name and guessed types
    client.indices.create(index=settings.es_index, mappings={"properties": {
        "dup_group": {"type": "long"}, "created_us": {"type": "keyword"}}})
    client.close()
    landed = _land(home, 120)

    store = ElasticStore.from_settings(settings)  # starts: reads still report the problem clearly
    with pytest.raises(StoreUnavailable, match=r"conflicting mapping: .*created_us is keyword \(expected long\).*"
                                               r"misinfo reindex --backend elasticsearch"):
        process(home, store, PassThrough(), progress=False)
    assert _offset(home, landed) == 0  # nothing was marked done
    store.close()

    report = reindex(settings, PassThrough(), backend="elasticsearch", progress=False)
    assert report.indexed == 120
    store = ElasticStore.from_settings(settings)
    assert store.problem is None
    aliases = store.client.indices.get_alias(name=settings.es_index).body
    assert len(aliases) == 1 and next(iter(aliases)).startswith(settings.es_index + "-")
    assert store.stats().posts == 120
    assert store.search(SearchQuery("lua dao")).total == 120
    store.close()


def test_per_post_failures_are_reported_together_and_the_rest_is_written(
        make_es_settings: Callable[..., Settings]) -> None:
    store = ElasticStore.from_settings(make_es_settings())
    too_big = make_tagged("big", "lượt xem quá lớn", likes=10**20)  # does not fit the `long` engagement field
    with pytest.raises(StoreUnavailable) as err:
        store.upsert([make_tagged(1, "một"), too_big, make_tagged(2, "hai")])
    message = str(err.value)
    assert "rejected 1 of 3 posts" in message and "tiktok:big" in message and "MISINFO_ES_URL" in message
    assert "next `process` retries" in message
    assert store.get("tiktok:1") is not None and store.get("tiktok:2") is not None
    assert store.get("tiktok:big") is None
    store.close()


# --- 429: a busy cluster ------------------------------------------------------------------------------------


def test_429_on_the_whole_bulk_request_is_retried(make_es_settings: Callable[..., Settings],
                                                  osmem: OsmemServer) -> None:
    with FaultProxy(osmem.url, script={1: "429", 2: "429"}) as proxy:
        store = ElasticStore.from_settings(make_es_settings(es_url=proxy.url), max_retries=3,
                                           retry_backoff_base=0.01, retry_backoff_cap=0.05)
        assert store.upsert([make_tagged(i, f"bài {i}") for i in range(30)]) == 30
        assert proxy.injected == ["429", "429"] and proxy.bulk_requests == 3
        assert store.stats().posts == 30
        store.close()


def test_429_on_items_is_retried_with_backoff(make_es_settings: Callable[..., Settings],
                                              osmem: OsmemServer) -> None:
    with FaultProxy(osmem.url, script={1: "items429"}) as proxy:
        store = ElasticStore.from_settings(make_es_settings(es_url=proxy.url), **FAST)
        assert store.upsert([make_tagged(i, f"bài {i}") for i in range(30)]) == 30
        assert proxy.injected == ["items429"] and proxy.bulk_requests == 2
        assert store.stats().posts == 30
        store.close()


def test_429_that_persists_is_a_clear_failure_and_nothing_moves(make_es_settings: Callable[..., Settings],
                                                                osmem: OsmemServer, home: Path) -> None:
    landed = _land(home, 40)
    with FaultProxy(osmem.url, script={i: "items429" for i in range(1, 50)}) as proxy:
        settings = make_es_settings(es_url=proxy.url)
        store = ElasticStore.from_settings(settings, bulk_retries=2, **FAST)
        with pytest.raises(StoreUnavailable, match=r"rejected 40 of 40 posts: .*\[429\] es_rejected_execution"):
            process(home, store, PassThrough(), progress=False)
        assert proxy.bulk_requests == 3  # first try and two retries
        assert _offset(home, landed) == 0
        proxy.script.clear()  # the cluster catches up: the next run writes everything
        assert process(home, store, PassThrough(), progress=False).indexed == 40
        assert store.stats().posts == 40
        store.close()


# --- the server dies mid-bulk ---------------------------------------------------------------------------------


def test_server_killed_mid_bulk_then_restarted_loses_nothing(home: Path) -> None:
    landed = _land(home, 500)
    server = OsmemServer.start(japanese=False)
    port = urlsplit(server.url).port

    def kill() -> None:
        server.process.kill()
        server.process.wait()

    restarted: OsmemServer | None = None
    # bulk requests 1-4 carry batch 1 (4 chunks of 50); the server dies as the 5th (batch 2) arrives
    with FaultProxy(server.url, script={5: "kill"}, on_kill=kill) as proxy:
        settings = Settings(home=home, store="elasticsearch", es_url=proxy.url, es_index="posts",
                            es_compat_json=True)
        try:
            store = ElasticStore.from_settings(settings, chunk_size=50, **FAST)
            with pytest.raises(StoreUnavailable, match="MISINFO_ES_URL"):
                process(home, store, PassThrough(), batch_size=200, progress=False)
            store.close()
            assert proxy.injected == ["kill"]
            done = _offset(home, landed)
            assert 0 < done < landed.stat().st_size  # batch 1 recorded, batch 2 still pending

            restarted = OsmemServer.start(japanese=False, addr=f"127.0.0.1:{port}")
            store = ElasticStore.from_settings(settings, chunk_size=50)
            report = process(home, store, PassThrough(), batch_size=200, progress=False)
            assert report.indexed == 300  # everything from the failed batch on
            assert {tp.key for tp in store.scan(SearchQuery())} == {f"tiktok:{i}" for i in range(200, 500)}
            assert _offset(home, landed) == landed.stat().st_size
            store.close()
            # osmem-server keeps its data in memory, so batch 1 died with it (a real cluster keeps it
            # on disk); the landing zone still has every post and a rebuild restores them all.
            assert reindex(settings, PassThrough(), backend="elasticsearch", progress=False).indexed == 500
            store = ElasticStore.from_settings(settings)
            assert store.stats().posts == 500
            store.close()
        finally:
            server.close()
            if restarted is not None:
                restarted.close()
