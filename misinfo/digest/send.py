"""Deliver the digest by SMTP exactly once per date, or write it to an `.eml` file.

The digest log (`HOME/state/digest-log.jsonl`) gets a record only after the SMTP server accepted
the message, so a refused or unreachable server leaves nothing and the next run sends. A file lock
keeps two overlapping runs (a manual one beside Airflow's) from both sending.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from misinfo.digest.compose import compose_digest
from misinfo.digest.render import render_digest
from misinfo.domain import utcnow
from misinfo.errors import ConfigError, DeliveryError
from misinfo.settings import Settings
from misinfo.state import append_jsonl, file_lock, read_jsonl
from misinfo.store.base import PostStore

SMTP_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class SendResult:
    day: date
    sent: bool  # False: already sent for this date (see `previous`)
    message_id: str | None = None
    recipients: tuple[str, ...] = ()
    refused: dict[str, str] = field(default_factory=dict)
    subject: str = ""
    previous: dict[str, Any] | None = None  # the log record of the earlier send


def log_path(home: Path) -> Path:
    return Path(home) / "state" / "digest-log.jsonl"


def sent_record(home: Path, day: date) -> dict[str, Any] | None:
    """The latest log record for `day`, or None if no digest for that date was accepted by a server."""
    records = [r for r in read_jsonl(log_path(home)) if r.get("date") == day.isoformat()]
    return records[-1] if records else None


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip("> ") or "localhost"


def build_message(settings: Settings, day: date, store: PostStore) -> EmailMessage:
    """multipart/alternative: text/plain, then multipart/related (text/html + the inline chart PNG)."""
    digest = compose_digest(store, settings, day)
    domain = _domain(settings.digest_from)
    cid = make_msgid("chart", domain=domain)[1:-1]
    subject, html, text, png = render_digest(digest, chart_cid=cid)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = settings.digest_from
    msg["To"] = ", ".join(settings.digest_recipients) or "undisclosed-recipients:;"
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid("digest-" + day.isoformat(), domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Misinfo-Digest-Date"] = day.isoformat()
    # quoted-printable keeps the Vietnamese text 7-bit safe through relays without 8BITMIME
    msg.set_content(text, charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    html_part = msg.get_body(preferencelist=("html",))
    assert isinstance(html_part, EmailMessage)
    html_part.add_related(
        png, maintype="image", subtype="png", cid=f"<{cid}>", disposition="inline", filename="xu-huong-14-ngay.png"
    )
    return msg


def deliver(settings: Settings, msg: EmailMessage, recipients: list[str], what: str = "digest") -> dict[str, Any]:
    """Hand the message to the SMTP server; any refusal or connection failure → one-line DeliveryError.

    Shared by the digest and the alerts (`what` names the message in errors); returns refused recipients.
    """
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        context = ssl.create_default_context(cafile=settings.smtp_ca_cert)  # None: the system's CAs
        if settings.smtp_security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT, context=context
            )
        else:
            client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT)
        with client:
            if settings.smtp_security == "starttls":
                client.starttls(context=context)
            if settings.smtp_user:
                password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                client.login(settings.smtp_user, password)
            refused = client.send_message(msg, from_addr=settings.digest_from, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        detail = "; ".join(f"{a}: {c} {_text(m)}" for a, (c, m) in exc.recipients.items())
        raise DeliveryError(f"SMTP server {where} refused every recipient ({detail}); {what} not sent") from None
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"SMTP server {where} rejected the login for MISINFO_SMTP_USER: {exc.smtp_code} {_text(exc.smtp_error)}"
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(
            f"SMTP server {where} refused the {what}: {exc.smtp_code} {_text(exc.smtp_error)}"
        ) from None
    except UnicodeEncodeError:
        raise DeliveryError(
            "MISINFO_SMTP_USER or MISINFO_SMTP_PASSWORD has non-ASCII characters, which SMTP AUTH (Python's "
            f"smtplib) cannot send; use an ASCII password; {what} not sent"
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
        raise DeliveryError(f"cannot reach SMTP server {where} ({settings.smtp_security}): {reason}") from None
    return {a: f"{c} {_text(m)}" for a, (c, m) in refused.items()}


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _message(settings: Settings, day: date, store: PostStore | None) -> EmailMessage:
    """Build the day's message on the given store, or on the configured one opened for it."""
    if store is not None:
        return build_message(settings, day, store)
    from misinfo.store import open_store

    db = open_store(settings)
    try:
        return build_message(settings, day, db)
    finally:
        db.close()


def send_digest(
    settings: Settings, day: date, *, force: bool = False, store: PostStore | None = None
) -> SendResult:
    """Send the digest for local `day` once; again only with `force`. Raises DeliveryError on failure."""
    recipients = settings.digest_recipients
    if not recipients:
        raise ConfigError("MISINFO_DIGEST_TO is empty: set the digest recipients (comma-separated)")
    with file_lock(settings.home / "state" / "digest.lock"):
        previous = sent_record(settings.home, day)
        if previous and not force:
            return SendResult(day=day, sent=False, message_id=previous.get("message_id"),
                              recipients=tuple(previous.get("recipients", ())), previous=previous)
        msg = _message(settings, day, store)
        refused = deliver(settings, msg, recipients)
        record = {
            "date": day.isoformat(),
            "sent_at": utcnow().isoformat(),
            "message_id": msg["Message-ID"],
            "subject": msg["Subject"],
            "recipients": [r for r in recipients if r not in refused],
            "refused": refused,
            "forced": bool(previous and force),
        }
        append_jsonl(log_path(settings.home), record)
    return SendResult(
        day=day,
        sent=True,
        message_id=msg["Message-ID"],
        recipients=tuple(record["recipients"]),
        refused=refused,
        subject=msg["Subject"],
    )


def write_digest(settings: Settings, day: date, out: Path, *, store: PostStore | None = None) -> list[Path]:
    """Write the digest as `out` (.eml, what would be sent) and the HTML beside it; logs nothing."""
    out = Path(out)
    msg = _message(settings, day, store)
    eml = out if out.suffix.lower() == ".eml" else out.with_name(out.name + ".eml")
    try:
        eml.parent.mkdir(parents=True, exist_ok=True)
        eml.write_bytes(msg.as_bytes())
        html_part = msg.get_body(preferencelist=("html",))
        html = out.with_suffix(".html") if out.suffix.lower() == ".eml" else out.with_name(out.name + ".html")
        html.write_text(html_part.get_content() if html_part else "", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write the digest to {out}: {exc.strerror or exc}") from None
    return [eml, html]
