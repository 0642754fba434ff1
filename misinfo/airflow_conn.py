"""What Airflow tasks share: settings from Airflow Connections, and running one job with Airflow's errors.

Connections `misinfo_elasticsearch` and `misinfo_smtp`:

Operators who run the pipeline under Airflow keep addresses and secrets where Airflow users expect
them (the Connections UI, `AIRFLOW_CONN_*` variables, a secrets backend) instead of `MISINFO_*`
variables. A Connection that exists wins over the matching `MISINFO_*` values; one that does not
exist changes nothing. The mapping is a plain function over any object with the Connection fields,
so it is tested without Airflow; Airflow itself is imported only in `task_settings`, inside a task.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from misinfo.errors import ConfigError, CrawlBlocked, MisinfoError, QueryError
from misinfo.settings import Settings, load_settings

ES_CONN_ID = "misinfo_elasticsearch"
SMTP_CONN_ID = "misinfo_smtp"
SMTP_SECURITY = ("none", "starttls", "ssl")
# Failures no retry can fix: the task fails at once with the message (others are retried).
PERMANENT_ERRORS: tuple[type[MisinfoError], ...] = (ConfigError, QueryError, CrawlBlocked)
T = TypeVar("T")


class ConnLike(Protocol):
    """The fields of an Airflow Connection this module reads."""

    conn_id: str
    conn_type: str | None
    host: str | None
    schema: str | None
    login: str | None
    password: str | None
    port: int | None
    extra: str | None


def connection_extra(conn: ConnLike) -> dict[str, Any]:
    raw = conn.extra
    if not raw:
        return {}
    if isinstance(raw, dict):
        return raw
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        raise ConfigError(f"Airflow connection {conn.conn_id}: extra is not valid JSON") from None
    if not isinstance(data, dict):
        raise ConfigError(f"Airflow connection {conn.conn_id}: extra must be a JSON object")
    return data


def _flag(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() in ("1", "true", "yes", "on")


def es_overrides(conn: ConnLike) -> dict[str, Any]:
    """An Elasticsearch Connection selects the Elasticsearch store and says where it is.

    The URL comes from host/port with the scheme from extra `scheme` (or the Connection's schema
    field, as the Elasticsearch provider uses it); a host that is already a URL is taken as is.
    Extras: `api_key`, `ca_certs`, `index`, `compat_json`.
    """
    extra = connection_extra(conn)
    out: dict[str, Any] = {"store": "elasticsearch"}
    host = (conn.host or "").strip()
    if host:
        if "://" in host:
            out["es_url"] = host.rstrip("/")
        else:
            scheme = extra.get("scheme") or (conn.schema if conn.schema in ("http", "https") else "http")
            out["es_url"] = f"{scheme}://{host}:{conn.port or 9200}"
    if conn.login:
        out["es_username"] = conn.login
    if conn.password:
        out["es_password"] = conn.password
    if extra.get("api_key"):
        out["es_api_key"] = extra["api_key"]
    if extra.get("ca_certs"):
        out["es_ca_certs"] = extra["ca_certs"]
    if extra.get("index"):
        out["es_index"] = extra["index"]
    if "compat_json" in extra:
        out["es_compat_json"] = _flag(extra["compat_json"])
    return out


def smtp_overrides(conn: ConnLike) -> dict[str, Any]:
    """An SMTP Connection gives the server, login and (in extra) sender and recipients.

    Security: extra `security` (none | starttls | ssl); otherwise the SMTP provider's own
    `disable_ssl` / `disable_tls` flags, read the way that provider reads them (SSL unless disabled,
    then STARTTLS unless disabled). Sender: extra `from_email` (the provider's name) or `from`;
    recipients: extra `to` (comma-separated or a list); a private CA's certificate: extra `ca_cert`.
    """
    extra = connection_extra(conn)
    out: dict[str, Any] = {}
    if conn.host:
        out["smtp_host"] = conn.host
    if conn.port:
        out["smtp_port"] = int(conn.port)
    if conn.login:
        out["smtp_user"] = conn.login
    if conn.password:
        out["smtp_password"] = conn.password
    security = extra.get("security")
    if security is not None:
        if security not in SMTP_SECURITY:
            raise ConfigError(
                f"Airflow connection {conn.conn_id}: extra security must be one of {', '.join(SMTP_SECURITY)}"
            )
        out["smtp_security"] = security
    elif "disable_ssl" in extra or "disable_tls" in extra:
        if not _flag(extra.get("disable_ssl", False)):
            out["smtp_security"] = "ssl"
        elif not _flag(extra.get("disable_tls", False)):
            out["smtp_security"] = "starttls"
        else:
            out["smtp_security"] = "none"
    if extra.get("ca_cert"):
        out["smtp_ca_cert"] = extra["ca_cert"]
    sender = extra.get("from_email") or extra.get("from")
    if sender:
        out["digest_from"] = sender
    to = extra.get("to")
    if to:
        out["digest_to"] = ", ".join(to) if isinstance(to, list) else str(to)
    return out


def overrides_from_connections(es: ConnLike | None, smtp: ConnLike | None) -> dict[str, Any]:
    """The Settings fields the two Connections set (none for a Connection that is absent)."""
    out: dict[str, Any] = {}
    if es is not None:
        out.update(es_overrides(es))
    if smtp is not None:
        out.update(smtp_overrides(smtp))
    return out


def get_connection(conn_id: str) -> ConnLike | None:
    """The Connection, or None when it is not defined (Airflow raises for a missing one)."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        return None


def task_settings() -> Settings:
    """Settings inside an Airflow task: `MISINFO_*` variables, then the Connections that exist."""
    overrides = overrides_from_connections(get_connection(ES_CONN_ID), get_connection(SMTP_CONN_ID))
    return load_settings(**overrides)


def fail_if(condition: object, message: str) -> None:
    """Fail the task without retries (Airflow's way of saying "retrying will not help")."""
    if condition:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(message)


def run_job(job: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call `job(task_settings(), *args, **kwargs)`; a permanent error fails the task at once.

    A block or a config error gets its one-line message and no retries; anything else (store or
    SMTP server down, a network error) is raised as is, so the task's retries with backoff apply.
    """
    try:
        return job(task_settings(), *args, **kwargs)
    except PERMANENT_ERRORS as exc:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(str(exc)) from None
