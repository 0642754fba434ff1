"""Digest fixtures: a store with one rising narrative (and hostile post text), settings, a real SMTP server."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from misinfo.settings import Settings
from misinfo.store.sqlite import SqliteStore
from tests.factories import make_tagged

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2026, 11, 8)
SCRIPT_TEXT = 'Sáp nhập tỉnh: danh sách mới <script>alert("xss")</script> xem ngay'
FORGED_TEXT = 'Tra cứu tỉnh mới tại <a href="https://evil.example/login">Cổng thông tin Chính phủ</a>'
EVIL_URL = "javascript:alert(document.cookie)"


def local(day: date, hour: float) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=VN) + timedelta(hours=hour)


def fill_store(store: SqliteStore) -> None:
    """Scams flat at 4/day for 14 days; province merger 2/day, then 25 posts on DAY (a burst, from 22
    accounts on three pages besides the usual source: a crowd, not one page's topic)."""
    posts = []
    for back in range(14, 0, -1):
        d = DAY - timedelta(days=back)
        posts += [make_tagged(f"s{back}-{i}", f"Cảnh báo lừa đảo qua điện thoại {i}", narratives=("scam_extortion",),
                              created_at=local(d, 8 + 3 * i), likes=i) for i in range(4)]
        posts += [make_tagged(f"m{back}-{i}", "Bàn về sáp nhập tỉnh", narratives=("province_merger",),
                              created_at=local(d, 9 + 5 * i), likes=1) for i in range(2)]
    posts += [make_tagged(f"s0-{i}", f"Cảnh báo lừa đảo qua điện thoại {i}", narratives=("scam_extortion",),
                          created_at=local(DAY, 8 + 3 * i), likes=i) for i in range(4)]
    posts += [make_tagged(f"b{i}", f"Tin đồn sáp nhập tỉnh số {i}: tỉnh mới, trung tâm hành chính mới",
                          narratives=("province_merger",), created_at=local(DAY, 6 + i * 0.6),
                          author=f"acct{i}", source=f"page-{i % 3}", likes=10 + i) for i in range(22)]
    posts.append(make_tagged("xss", SCRIPT_TEXT, narratives=("province_merger",), created_at=local(DAY, 20),
                             likes=5000, claims=("fake-63-to-31-list",), dup_group="g1", author="p1"))
    forged = make_tagged("forged", FORGED_TEXT, narratives=("province_merger",), created_at=local(DAY, 20.1),
                         likes=4000, dup_group="g1", author="p2")
    posts.append(forged)
    evil = make_tagged("evil", "Đăng ký nhận tiền hỗ trợ sáp nhập tỉnh", narratives=("province_merger",),
                       created_at=local(DAY, 20.2), likes=3000, dup_group="g1", author="p3")
    posts.append(replace(evil, post=replace(evil.post, url=EVIL_URL)))
    store.upsert(posts)


@pytest.fixture()
def home(tmp_path):
    h = tmp_path / "home"
    store = SqliteStore(h / "store.sqlite3")
    fill_store(store)
    store.close()
    return h


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def compose(home):
    """The day's digest composed on the home's store (opened and closed here)."""
    from misinfo.digest.compose import compose_digest

    store = SqliteStore(home / "store.sqlite3")
    try:
        return compose_digest(store, make_settings(home), DAY)
    finally:
        store.close()


def make_settings(home, port: int = 25, **kw) -> Settings:
    values = dict(
        home=home,
        store="sqlite",
        sqlite_path=None,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        smtp_user=None,
        digest_from="ban-tin@giamsat.example.vn",
        digest_to="lanh.dao@example.vn, lien.lac.cong.an@example.vn",
        dashboard_url="https://giamsat.example.vn/",
        timezone="Asia/Ho_Chi_Minh",
    )
    values.update(kw)
    return Settings(**values)


class Sink:
    """aiosmtpd handler keeping what it accepted; `reply` / `rcpt_reply` make it refuse."""

    def __init__(self, reply: str = "250 OK", rcpt_reply: str | None = None) -> None:
        self.reply = reply
        self.rcpt_reply = rcpt_reply
        self.envelopes: list = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.reply.startswith("250"):
            self.envelopes.append(envelope)
        return self.reply


@pytest.fixture()
def smtp_server():
    """Start real aiosmtpd servers on loopback: `start(handler) -> (port, handler)`; all stopped after."""
    from aiosmtpd.controller import Controller

    controllers = []

    def start(handler: Sink | None = None, port: int | None = None, **tls):
        """`tls`: aiosmtpd's own options: `tls_context` (STARTTLS), `ssl_context` (implicit TLS),
        `require_starttls`, `authenticator`."""
        handler = handler or Sink()
        controller = Controller(handler, hostname="127.0.0.1", port=port or free_port(), **tls)
        controller.start()
        controllers.append(controller)
        return controller.port, handler

    yield start
    for c in controllers:
        c.stop()


@pytest.fixture(scope="session")
def private_ca(tmp_path_factory):
    """A private CA and a certificate it signed for 127.0.0.1 (trustme): `(ca_pem_path, server_context)`."""
    import ssl

    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server)
    pem = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    return pem, server
