"""Airflow Connections → settings: real `airflow.sdk.Connection` objects, parsed from the JSON and URI forms
operators put in `AIRFLOW_CONN_*` variables, mapped onto Settings; and how a job's errors reach Airflow."""

from __future__ import annotations

import json

import pytest

from misinfo import airflow_conn
from misinfo.airflow_conn import overrides_from_connections, run_job
from misinfo.errors import ConfigError, CrawlBlocked, StoreUnavailable
from misinfo.settings import load_settings


def conn(text: str, conn_id: str):
    from airflow.sdk import Connection

    if text.lstrip().startswith("{"):
        return Connection.from_json(text, conn_id=conn_id)
    return Connection(conn_id=conn_id, uri=text)


def test_no_connections_change_nothing(monkeypatch):
    monkeypatch.setenv("MISINFO_SMTP_HOST", "mail.example.vn")
    assert overrides_from_connections(None, None) == {}
    assert load_settings(**overrides_from_connections(None, None)).smtp_host == "mail.example.vn"


def test_elasticsearch_uri_selects_the_store_and_wins_over_env(monkeypatch):
    monkeypatch.setenv("MISINFO_STORE", "sqlite")
    monkeypatch.setenv("MISINFO_ES_URL", "http://old:9200")
    es = conn("elasticsearch://elastic:s3cr%40t@es.example.vn:9243/https?api_key=abc&index=posts-vn&compat_json=true",
              "misinfo_elasticsearch")
    s = load_settings(**overrides_from_connections(es, None))
    assert s.store == "elasticsearch"
    assert s.es_url == "https://es.example.vn:9243"
    assert (s.es_username, s.es_password.get_secret_value()) == ("elastic", "s3cr@t")
    assert s.es_api_key.get_secret_value() == "abc" and s.es_index == "posts-vn" and s.es_compat_json is True


def test_elasticsearch_json_with_a_url_host_and_default_port():
    es = conn(json.dumps({"conn_type": "http", "host": "https://search.internal/"}), "misinfo_elasticsearch")
    assert overrides_from_connections(es, None) == {"store": "elasticsearch", "es_url": "https://search.internal"}
    plain = conn(json.dumps({"conn_type": "elasticsearch", "host": "10.0.0.5"}), "misinfo_elasticsearch")
    assert overrides_from_connections(plain, None)["es_url"] == "http://10.0.0.5:9200"


def test_smtp_json_with_our_extras(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n", encoding="ascii")
    smtp = conn(json.dumps({"conn_type": "smtp", "host": "mail.example.vn", "port": 587, "login": "bot",
                            "password": "pw", "extra": {"security": "starttls", "from_email": "ban-tin@x.vn",
                                                        "to": ["a@x.vn", "b@x.vn"], "ca_cert": str(ca)}}),
                "misinfo_smtp")  # fmt: skip
    s = load_settings(**overrides_from_connections(None, smtp))
    assert (s.smtp_host, s.smtp_port, s.smtp_security, s.smtp_user) == ("mail.example.vn", 587, "starttls", "bot")
    assert s.smtp_password.get_secret_value() == "pw"
    assert s.digest_from == "ban-tin@x.vn" and s.digest_recipients == ["a@x.vn", "b@x.vn"]
    assert s.smtp_ca_cert == ca


@pytest.mark.parametrize(
    ("extra", "security"),
    [
        ({"disable_ssl": False}, "ssl"),  # the SMTP provider's default: SSL
        ({"disable_ssl": True}, "starttls"),
        ({"disable_ssl": "true", "disable_tls": "true"}, "none"),
        ({}, None),  # neither form: MISINFO_SMTP_SECURITY stays
    ],
)
def test_smtp_provider_flags(extra, security):
    smtp = conn(json.dumps({"conn_type": "smtp", "host": "h", "extra": extra}), "misinfo_smtp")
    assert overrides_from_connections(None, smtp).get("smtp_security") == security


def test_bad_extras_are_config_errors_naming_the_connection():
    bad = conn(json.dumps({"conn_type": "smtp", "host": "h", "extra": {"security": "tls"}}), "misinfo_smtp")
    with pytest.raises(ConfigError, match="misinfo_smtp: extra security must be one of none, starttls, ssl"):
        overrides_from_connections(None, bad)
    garbled = conn(json.dumps({"conn_type": "smtp", "host": "h"}), "misinfo_smtp")
    garbled.extra = "{not json"
    with pytest.raises(ConfigError, match="misinfo_smtp: extra is not valid JSON"):
        overrides_from_connections(None, garbled)


def test_run_job_fails_fast_on_permanent_errors_and_lets_others_retry(monkeypatch):
    from airflow.sdk.exceptions import AirflowFailException

    # Connection.get needs a running task's supervisor; outside Airflow there is none, so "not defined"
    # is stood in here (the end-to-end digest test reads a real Connection inside `airflow dags test`).
    monkeypatch.setattr(airflow_conn, "get_connection", lambda conn_id: None)

    def blocked(settings):
        raise CrawlBlocked("tt-news: blocked (challenge): a JavaScript challenge page")

    def store_down(settings):
        raise StoreUnavailable("cannot reach Elasticsearch")

    with pytest.raises(AirflowFailException, match="^tt-news: blocked"):
        run_job(blocked)
    with pytest.raises(StoreUnavailable):
        run_job(store_down)
    assert run_job(lambda s, x, y=0: (s.home.name, x, y), 1, y=2) == ("home", 1, 2)
    monkeypatch.setenv("MISINFO_SMTP_PORT", "0")
    with pytest.raises(AirflowFailException, match="MISINFO_SMTP_PORT"):
        run_job(lambda s: s)
