"""How the Elasticsearch store turns user queries and settings into requests (and refuses bad ones)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from misinfo.errors import ConfigError, QueryError
from misinfo.query import parse_query
from misinfo.settings import Settings
from misinfo.store import open_store
from misinfo.store.base import SearchQuery
from misinfo.store.elastic import ElasticStore, build_client, compile_query, index_tokens, load_json
from misinfo.text import words

pytestmark = pytest.mark.integration  # talks to osmem-server (or a real cluster) over HTTP

_SAFE_QUERY = re.compile(r'^(\((?:"[^\W_]+(?: [^\W_]+)*")(?: \| "[^\W_]+(?: [^\W_]+)*")*\) ?)+$')


def test_index_tokens_fold_vietnamese_like_the_sqlite_store() -> None:
    assert index_tokens("Đồng Nai, ĐẮK LẮK: đ Đ Huế") == ["dong", "nai", "dak", "lak", "d", "d", "hue"]
    assert index_tokens("snake_case v1.2 e-mail@x.vn") == ["snake", "case", "v1", "2", "e", "mail", "x", "vn"]
    assert index_tokens("cà phê ☕ 🙂") == ["ca", "phe"]


def test_compiled_query_shape() -> None:
    q = compile_query(parse_query('Đồng OR "sáp nhập" tỉnh -ngân -"ngân hàng"'))
    sqs = q["bool"]["must"][0]["simple_query_string"]
    assert sqs["query"] == '("dong" | "sap nhap") ("tinh")'
    assert sqs["fields"] == ["folded"] and sqs["default_operator"] == "and"
    assert q["bool"]["must_not"] == [{"match_phrase": {"folded": "ngan"}}, {"match_phrase": {"folded": "ngan hang"}}]
    assert compile_query(parse_query("-sap")) == {"bool": {"must_not": [{"match_phrase": {"folded": "sap"}}]}}
    assert compile_query(parse_query("")) == {"match_all": {}}
    assert compile_query(parse_query("___")) == {"match_none": {}}  # as FTS5: a term with no word matches nothing


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab đĐá_-+|"()*~^\\:/OR NOT AND{}[]<>!?.,@#🙂\t')), max_size=60))
def test_user_text_never_reaches_the_engine_unquoted(text: str) -> None:
    try:
        parsed = parse_query(text)
    except QueryError:
        return
    q = compile_query(parsed)
    for clause in (q.get("bool") or {}).get("must", []):
        assert _SAFE_QUERY.match(clause["simple_query_string"]["query"]), clause
    for clause in (q.get("bool") or {}).get("must_not", []):
        phrase = clause["match_phrase"]["folded"]
        assert phrase.split() == index_tokens(phrase)


@given(st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_indexed_words_are_the_query_words_split_on_underscore(text: str) -> None:
    split = [tok for w in words(text) for tok in re.findall(r"[^\W_]+", w)]
    assert index_tokens(text) == split


def test_template_analyzers_fold_d_and_match_python(make_es_settings: Callable[..., Settings]) -> None:
    store = ElasticStore.from_settings(make_es_settings())
    (index,) = store.client.indices.get_alias(name=store.alias).body
    folded = store.client.indices.analyze(index=index, analyzer="vi_folding", text="Đắk Lắk đường ĐỒNG")
    assert [t["token"] for t in folded["tokens"]] == ["dak", "lak", "duong", "dong"]
    text = "Đồng Nai snake_case v1.2"
    pre = store.client.indices.analyze(index=index, analyzer="prefolded_words", text=" ".join(index_tokens(text)))
    assert [t["token"] for t in pre["tokens"]] == index_tokens(text)
    store.close()


def test_template_is_data_and_strict() -> None:
    template = load_json("posts-template.json")
    assert "_comment" not in template
    assert template["template"]["mappings"]["dynamic"] == "strict"
    props = template["template"]["mappings"]["properties"]
    assert props["text"]["fields"]["exact"]["analyzer"] == "standard"
    assert {props[f]["type"] for f in ("narratives", "platform", "source", "dup_group", "claim_ids",
                                       "review_status")} == {"keyword"}


def test_deep_pages_beyond_the_result_window_are_a_query_error(make_es_settings: Callable[..., Settings]) -> None:
    store = ElasticStore.from_settings(make_es_settings())
    with pytest.raises(QueryError, match="export"):
        store.search(SearchQuery(page=600, size=20))
    store.close()


def test_open_store_builds_the_elasticsearch_adapter(make_es_settings: Callable[..., Settings]) -> None:
    store = open_store(make_es_settings())
    assert isinstance(store, ElasticStore) and store.backend == "elasticsearch"
    store.close()


def test_bad_alias_and_missing_ca_file_are_config_errors(make_es_settings: Callable[..., Settings],
                                                         tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MISINFO_ES_INDEX"):
        ElasticStore.from_settings(make_es_settings(es_index="Bài Viết"))
    with pytest.raises(ConfigError, match="MISINFO_ES_CA_CERTS"):
        build_client(make_es_settings(es_ca_certs=tmp_path / "missing.pem"))
