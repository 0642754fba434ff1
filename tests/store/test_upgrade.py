"""Stores written before posts kept every finder (`Post.sources`) keep working after the upgrade, in place."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from misinfo.settings import Settings
from misinfo.store import sqlite as sqlite_store
from misinfo.store.base import SearchQuery
from misinfo.store.elastic import ElasticStore, build_client, load_json
from misinfo.store.sqlite import SqliteStore
from tests.factories import make_tagged

SOURCES_SQL = """    INSERT OR IGNORE INTO post_sources(source, rid) SELECT value, new.rid
        FROM json_each(coalesce(json_extract(new.doc, '$.post.sources'), json_array(new.source)));
"""
DELETE_SQL = "    DELETE FROM post_sources WHERE rid = old.rid;\n"


def old_index(settings: Settings, *missing: str) -> None:
    """The index behind the alias as an older version made it: the template without the `missing` fields."""
    template = load_json("posts-template.json")["template"]
    for name in missing:
        del template["mappings"]["properties"][name]
    client = build_client(settings)
    client.indices.create(index=f"{settings.es_index}-old", settings=template["settings"], mappings=template["mappings"],
                          aliases={settings.es_index: {"is_write_index": True}})
    client.close()


def test_sqlite_schema_1_store_is_migrated_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    store = SqliteStore(path)
    store.upsert([make_tagged(1, "sáp nhập tỉnh", source="tt-profile"), make_tagged(2, "lừa đảo", source="fb-a")])
    store.close()
    # make it what version 1 wrote: no post_sources, triggers without it, documents without `sources`
    old_schema = re.sub(r"CREATE TABLE IF NOT EXISTS post_sources .*?post_sources\(rid\);", "",
                        sqlite_store._SCHEMA.replace(SOURCES_SQL, "").replace(DELETE_SQL, ""), flags=re.DOTALL)
    assert "post_sources" not in old_schema
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript("""BEGIN; DROP TABLE post_sources; DROP TRIGGER posts_ai; DROP TRIGGER posts_ad;
        DROP TRIGGER posts_au_children; UPDATE meta SET v = '1' WHERE k = 'schema';
        UPDATE posts SET doc = json_remove(doc, '$.post.sources'); COMMIT;""")
    db.executescript(old_schema)
    db.close()

    store = SqliteStore(path)
    assert store.search(SearchQuery(sources=("tt-profile",))).total == 1
    assert dict(store.facets(SearchQuery(), "source")) == {"tt-profile": 1, "fb-a": 1}
    store.upsert([make_tagged(1, "sáp nhập tỉnh", source="tt-tag")])
    got = store.get("tiktok:1")
    assert got is not None and got.post.sources == ("tt-profile", "tt-tag") and got.post.source == "tt-profile"
    assert store.search(SearchQuery(sources=("tt-tag",))).total == 1
    store.close()
    schema = sqlite3.connect(path).execute("SELECT v FROM meta WHERE k = 'schema'").fetchone()[0]
    assert schema == str(sqlite_store.SCHEMA_VERSION)


@pytest.mark.integration
def test_elasticsearch_index_without_sources_gets_the_field_added(make_es_settings: Callable[..., Settings]) -> None:
    settings = make_es_settings()
    old_index(settings, "sources")

    store = ElasticStore.from_settings(settings)
    assert store.problem is None
    store.upsert([make_tagged(1, "sáp nhập tỉnh", source="tt-profile")])
    store.upsert([make_tagged(1, "sáp nhập tỉnh", source="tt-tag")])
    assert store.search(SearchQuery(sources=("tt-tag",))).total == 1
    got = store.get("tiktok:1")
    assert got is not None and got.post.sources == ("tt-profile", "tt-tag")
    store.close()


def test_sqlite_schema_2_store_gets_the_ai_label_column_and_searches_transcripts(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    store = SqliteStore(path)
    store.upsert([make_tagged(1, "video cũ", aigc=True), make_tagged(2, "video khác")])
    store.close()
    # make it what version 2 wrote: no aigc column (its label only in the stored document)
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript("""BEGIN; DROP INDEX posts_aigc; ALTER TABLE posts DROP COLUMN aigc;
        UPDATE meta SET v = '2' WHERE k = 'schema'; COMMIT;""")
    assert "aigc" not in {row[1] for row in db.execute("PRAGMA table_info(posts)")}
    db.close()

    store = SqliteStore(path)
    assert [h.post.key for h in store.search(SearchQuery(aigc=True)).hits] == ["tiktok:1"]  # filled from the documents
    store.upsert([make_tagged(3, "Chia sẻ", transcript="danh sách sáp nhập tỉnh mới", aigc=True)])
    assert [h.post.key for h in store.search(SearchQuery("danh sach sap nhap", aigc=True)).hits] == ["tiktok:3"]
    store.close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT v FROM meta WHERE k = 'schema'").fetchone()[0] == str(sqlite_store.SCHEMA_VERSION) == "3"
    assert db.execute("SELECT name FROM sqlite_master WHERE name = 'posts_aigc'").fetchone() == ("posts_aigc",)


@pytest.mark.integration
def test_elasticsearch_index_without_video_fields_gets_them_added(make_es_settings: Callable[..., Settings]) -> None:
    settings = make_es_settings()
    old_index(settings, "transcript", "aigc", "location_created")

    store = ElasticStore.from_settings(settings)
    assert store.problem is None
    store.upsert([make_tagged(1, "Chia sẻ", transcript="danh sách sáp nhập tỉnh mới", aigc=True, location_created="VN"),
                  make_tagged(2, "sáp nhập")])
    assert [h.post.key for h in store.search(SearchQuery("danh sach sap nhap", aigc=True)).hits] == ["tiktok:1"]
    assert set(store.transcripts(["tiktok:1", "tiktok:2"])) == {"tiktok:1"}
    store.close()
