"""Sending one alert to one channel: email (the digest's SMTP code) or a webhook (requests + urllib3 Retry).

Every failure is one `DeliveryError` line (or a `ConfigError` for a secret that is not set) naming the
channel; the caller records it and tries again next run. Webhook URLs may hold a token (Telegram's
do), so messages show only the scheme and host.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any
from urllib.parse import urlsplit

from misinfo.airflow_conn import ConnLike, connection_extra
from misinfo.alerts import message
from misinfo.alerts.rules import EmailChannel, WebhookChannel
from misinfo.alerts.state import Alert
from misinfo.domain import utcnow
from misinfo.errors import ConfigError, DeliveryError
from misinfo.settings import Settings

SIGNATURE_HEADER = "X-Misinfo-Signature-256"
DELIVERY_HEADER = "X-Misinfo-Delivery"
RETRY_STATUSES = (408, 425, 429, 500, 502, 503, 504)
TELEGRAM_API = "https://api.telegram.org"
GetConnection = Callable[[str], ConnLike | None]


def sign(secret: bytes, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of the body>`, the value of the signature header (GitHub's scheme)."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


# -------------------------------------------------------------------------------------------- email


def alert_email(settings: Settings, alert: Alert, recipients: list[str]) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = message.subject_line(alert)
    msg["From"] = settings.digest_from
    msg["To"] = ", ".join(recipients)
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid("alert", domain=settings.digest_from.rsplit("@", 1)[-1].strip("> ") or "localhost")
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Misinfo-Alert"] = alert.id
    # quoted-printable keeps the Vietnamese text 7-bit safe through relays without 8BITMIME
    msg.set_content(message.body(alert, settings.dashboard_url, settings.timezone), charset="utf-8",
                    cte="quoted-printable")  # fmt: skip
    return msg


def send_email(settings: Settings, channel: EmailChannel, alert: Alert) -> str:
    """Hand the alert to the SMTP server; returns what to log (Message-ID and refused recipients)."""
    from misinfo.digest.send import deliver

    recipients = list(channel.to) or settings.digest_recipients
    if not recipients:
        raise ConfigError(f"channel {channel.id!r}: no recipients (set to: in the rules file, or MISINFO_DIGEST_TO)")
    msg = alert_email(settings, alert, recipients)
    refused = deliver(settings, msg, recipients, what="alert")
    return msg["Message-ID"] + (f"; refused: {', '.join(refused)}" if refused else "")


# ------------------------------------------------------------------------------------------ webhook


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    secret: bytes | None


def _env(name: str, channel: WebhookChannel) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"channel {channel.id!r}: environment variable {name} is not set")
    return value


def _conn_url(conn: ConnLike, channel: WebhookChannel) -> str:
    """The URL an HTTP Connection describes: host as a URL, or schema://host:port plus extra `endpoint`.
    A Telegram channel's Connection holds the bot token as its password (host defaults to the Bot API)."""
    host = (conn.host or "").strip()
    if channel.format == "telegram" and conn.password:
        base = host.rstrip("/") if "://" in host else TELEGRAM_API
        return f"{base}/bot{conn.password}/sendMessage"
    if "://" in host:
        base = host
    elif host:
        scheme = conn.schema if conn.schema in ("http", "https") else "https"
        base = f"{scheme}://{host}" + (f":{conn.port}" if conn.port else "")
    else:
        raise ConfigError(f"channel {channel.id!r}: Airflow connection {conn.conn_id} has no host")
    return base + str(connection_extra(conn).get("endpoint", ""))


def resolve(channel: WebhookChannel, get_connection: GetConnection | None = None) -> Target:
    """URL and signing secret: the Airflow Connection when it exists, else the named environment variables."""
    conn = get_connection(channel.connection) if channel.connection and get_connection else None
    if conn is not None:
        if channel.format == "json" and not conn.password:
            raise ConfigError(f"channel {channel.id!r}: Airflow connection {conn.conn_id} has no password "
                              "(the signing secret)")  # fmt: skip
        secret = conn.password if channel.format == "json" else None
        return Target(_conn_url(conn, channel), secret.encode("utf-8") if secret else None)
    if channel.url_env:
        url = _env(channel.url_env, channel)
    elif channel.url:
        url = channel.url
    else:
        raise ConfigError(f"channel {channel.id!r}: Airflow connection {channel.connection} is not defined")
    secret_text = _env(channel.secret_env, channel) if channel.secret_env else None
    if channel.format == "json" and not secret_text:
        raise ConfigError(f"channel {channel.id!r}: no signing secret (set {channel.secret_env or 'secret_env'})")
    return Target(url, secret_text.encode("utf-8") if secret_text else None)


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def post(channel: WebhookChannel, target: Target, body: bytes, delivery_id: str) -> tuple[int, int]:
    """POST the body (signed when there is a secret), retrying connection errors, timeouts and
    408/425/429/5xx with exponential backoff (urllib3's Retry, Retry-After respected).
    Returns (HTTP status, attempts); anything but a 2xx in the end is a DeliveryError."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import ReadTimeoutError
    from urllib3.util.retry import Retry

    retry = Retry(total=channel.retries, connect=channel.retries, read=channel.retries, status=channel.retries,
                  other=0, redirect=0, backoff_factor=channel.backoff_seconds, status_forcelist=RETRY_STATUSES,
                  allowed_methods=None, raise_on_status=False, respect_retry_after_header=True)  # fmt: skip
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "misinfo-monitor-alerts/1",
               DELIVERY_HEADER: delivery_id}  # fmt: skip
    if target.secret:
        headers[SIGNATURE_HEADER] = sign(target.secret, body)
    where = f"webhook {channel.id!r} ({_where(target.url)})"
    tries = channel.retries + 1
    with requests.Session() as session:
        adapter = HTTPAdapter(max_retries=retry)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        try:
            resp = session.post(target.url, data=body, headers=headers, allow_redirects=False,
                                timeout=(channel.timeout_seconds, channel.timeout_seconds))  # fmt: skip
        except requests.exceptions.Timeout:
            raise DeliveryError(f"{where}: no answer within {channel.timeout_seconds:g} s, {tries} tries") from None
        except requests.exceptions.ConnectionError as exc:
            # after the last retry requests wraps urllib3's MaxRetryError; its reason says what failed
            reason = getattr(exc.args[0], "reason", exc.args[0]) if exc.args else exc
            if isinstance(reason, ReadTimeoutError):
                raise DeliveryError(f"{where}: no answer within {channel.timeout_seconds:g} s, {tries} tries") from None
            raise DeliveryError(f"{where}: cannot connect ({_short(reason)}), {tries} tries") from None
        except requests.exceptions.RequestException as exc:
            raise DeliveryError(f"{where}: {_short(exc)}") from None
    history = getattr(resp.raw, "retries", None)
    attempts = len(history.history) + 1 if history is not None else 1
    if not 200 <= resp.status_code < 300:
        raise DeliveryError(f"{where} answered {resp.status_code} {resp.reason or ''}".rstrip()
                            + f" ({_answer(resp.text)}), {attempts} tries")  # fmt: skip
    if channel.format == "telegram":
        ok = _json(resp.text).get("ok")
        if ok is not True:
            raise DeliveryError(f"{where}: Telegram did not accept the message ({_answer(resp.text)})")
    return resp.status_code, attempts


def _short(value: object) -> str:
    text = str(value)
    # urllib3's reasons repeat the pool and the URL (which may carry a token): keep the last part
    return text.rsplit(": ", 1)[-1][:200]


def _answer(text: str) -> str:
    return " ".join((text or "").split())[:200] or "no body"


def _json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def send_webhook(settings: Settings, channel: WebhookChannel, alert: Alert,
                 get_connection: GetConnection | None = None) -> str:
    """Build the channel's body (generic JSON or Telegram sendMessage) and POST it; returns what to log."""
    target = resolve(channel, get_connection)
    if channel.format == "telegram":
        assert channel.chat_id is not None  # the rules file guarantees it
        body = message.telegram_json(alert, channel.chat_id, settings.dashboard_url, settings.timezone)
    else:
        body = message.webhook_json(alert, settings.dashboard_url, settings.timezone)
    status, attempts = post(channel, target, body, alert.id)
    return f"HTTP {status} after {attempts} {'try' if attempts == 1 else 'tries'}"


def send(settings: Settings, channel: EmailChannel | WebhookChannel, alert: Alert,
         get_connection: GetConnection | None = None) -> str:
    if isinstance(channel, EmailChannel):
        return send_email(settings, channel, alert)
    return send_webhook(settings, channel, alert, get_connection)
