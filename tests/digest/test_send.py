"""Delivery through a real SMTP server on loopback (aiosmtpd): the message as received, exactly-once
per date, and the failure paths (refused, down, wrong TLS) that must leave no log record."""

from __future__ import annotations

import email
import email.policy
import re
import subprocess
import sys
from datetime import date

import pytest
from typer.testing import CliRunner

from misinfo.digest.send import log_path, send_digest, sent_record, write_digest
from misinfo.errors import ConfigError, DeliveryError
from misinfo.state import read_jsonl
from tests.digest.conftest import DAY, Sink, free_port, make_settings

pytestmark = pytest.mark.integration
RECIPIENTS = ["lanh.dao@example.vn", "lien.lac.cong.an@example.vn"]


def received(sink: Sink, i: int = 0) -> email.message.EmailMessage:
    return email.message_from_bytes(sink.envelopes[i].original_content, policy=email.policy.default)


def test_received_message_is_multipart_utf8_with_inline_chart(home, smtp_server):
    port, sink = smtp_server()
    result = send_digest(make_settings(home, port), DAY)
    assert result.sent and result.recipients == tuple(RECIPIENTS)
    assert len(sink.envelopes) == 1
    env = sink.envelopes[0]
    assert env.mail_from == "ban-tin@giamsat.example.vn" and env.rcpt_tos == RECIPIENTS

    raw = env.original_content
    assert raw.isascii()  # headers RFC 2047-encoded, bodies quoted-printable: survives any relay
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0].lower()
    msg = received(sink)
    assert msg["Subject"].startswith("[Giám sát tin giả] Bản tin ngày 08/11/2026")
    assert "Sáp nhập tỉnh, xã" in msg["Subject"]
    assert msg["Message-ID"].strip() == result.message_id  # a long id is folded onto its own line
    assert msg.get_content_type() == "multipart/alternative"
    plain, related = msg.get_payload()
    assert plain.get_content_type() == "text/plain" and plain.get_content_charset() == "utf-8"
    assert related.get_content_type() == "multipart/related"
    html_part, image = related.get_payload()
    assert html_part.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"
    assert image.get_content_disposition() == "inline"
    assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    cid = image["Content-ID"].strip("<>")
    html = html_part.get_content()
    assert f'src="cid:{cid}"' in html

    text = plain.get_content()
    for body in (html, text):
        assert "Chủ đề tăng mạnh".upper() in body.upper()
        assert "Sáp nhập tỉnh, xã" in body  # the rising narrative, Vietnamese intact
        assert "Lừa đảo, tống tiền trực tuyến" in body
        assert "https://giamsat.example.vn/" in body
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in html or "&lt;script&gt;alert(&quot;xss&quot;)" in html
    assert not re.search(r"<script", html, re.IGNORECASE)
    assert 'href="https://evil.example' not in html


def test_sending_twice_sends_once_and_force_sends_again(home, smtp_server):
    port, sink = smtp_server()
    settings = make_settings(home, port)
    first = send_digest(settings, DAY)
    second = send_digest(settings, DAY)
    assert first.sent and not second.sent
    assert second.message_id == first.message_id
    assert len(sink.envelopes) == 1
    records = read_jsonl(log_path(home))
    assert len(records) == 1
    assert records[0]["date"] == "2026-11-08" and records[0]["recipients"] == RECIPIENTS
    assert records[0]["message_id"] == first.message_id

    other_day = send_digest(settings, date(2026, 11, 9))  # another date is its own digest
    assert other_day.sent and len(sink.envelopes) == 2

    forced = send_digest(settings, DAY, force=True)
    assert forced.sent and forced.message_id != first.message_id
    assert len(sink.envelopes) == 3
    assert sent_record(home, DAY)["forced"] is True


def test_refused_message_leaves_no_record_and_the_next_run_sends(home, smtp_server):
    port, refusing = smtp_server(Sink(reply="554 5.7.1 Message rejected by policy"))
    with pytest.raises(DeliveryError, match=r"refused the digest: 554 5\.7\.1 Message rejected by policy"):
        send_digest(make_settings(home, port), DAY)
    assert sent_record(home, DAY) is None and not log_path(home).exists()

    port2, sink = smtp_server()
    assert send_digest(make_settings(home, port2), DAY).sent
    assert len(sink.envelopes) == 1 and sent_record(home, DAY) is not None


def test_all_recipients_refused(home, smtp_server):
    port, _ = smtp_server(Sink(rcpt_reply="550 5.1.1 Mailbox unavailable"))
    with pytest.raises(DeliveryError, match="refused every recipient.*550"):
        send_digest(make_settings(home, port), DAY)
    assert sent_record(home, DAY) is None


def test_server_down_gives_a_clear_error_and_no_record(home, smtp_server):
    port = free_port()  # nothing listens here
    with pytest.raises(DeliveryError, match=f"cannot reach SMTP server 127.0.0.1:{port}"):
        send_digest(make_settings(home, port), DAY)
    assert sent_record(home, DAY) is None

    smtp_server(port=port)  # the server comes back: the retry sends
    assert send_digest(make_settings(home, port), DAY).sent


def test_tls_mismatch_is_a_delivery_error(home, smtp_server):
    port, sink = smtp_server()
    with pytest.raises(DeliveryError, match="cannot reach SMTP server"):
        send_digest(make_settings(home, port, smtp_security="ssl"), DAY)
    with pytest.raises(DeliveryError):
        send_digest(make_settings(home, port, smtp_security="starttls"), DAY)  # server offers no STARTTLS
    assert sink.envelopes == [] and sent_record(home, DAY) is None


class Login:
    """aiosmtpd authenticator accepting one user and password."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password, self.seen = user, password, []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        self.seen.append((auth_data.login.decode(), session.ssl is not None))
        ok = (auth_data.login.decode(), auth_data.password.decode()) == (self.user, self.password)
        return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 535 itself


def test_starttls_to_a_server_signed_by_a_private_ca_logs_in_and_sends(home, smtp_server, private_ca):
    ca_pem, server_tls = private_ca
    login = Login("bantin", "mat-khau-1")
    port, sink = smtp_server(tls_context=server_tls, require_starttls=True, authenticator=login)
    settings = make_settings(home, port, smtp_security="starttls", smtp_ca_cert=ca_pem,
                             smtp_user="bantin", smtp_password="mat-khau-1")  # fmt: skip
    assert send_digest(settings, DAY).sent
    assert login.seen == [("bantin", True)]  # the password went over the encrypted channel only
    assert received(sink)["X-Misinfo-Digest-Date"] == DAY.isoformat()


def test_implicit_tls_with_the_private_ca_sends(home, smtp_server, private_ca):
    ca_pem, server_tls = private_ca
    port, sink = smtp_server(ssl_context=server_tls)
    assert send_digest(make_settings(home, port, smtp_security="ssl", smtp_ca_cert=ca_pem), DAY).sent
    assert len(sink.envelopes) == 1


def test_untrusted_certificate_is_refused_before_any_password_is_sent(home, smtp_server, private_ca):
    _, server_tls = private_ca
    login = Login("bantin", "pw")
    port, sink = smtp_server(tls_context=server_tls, require_starttls=True, authenticator=login)
    settings = make_settings(home, port, smtp_security="starttls", smtp_user="bantin", smtp_password="pw")
    with pytest.raises(DeliveryError, match="certificate verify failed"):
        send_digest(settings, DAY)  # the system's CAs do not know the private CA
    assert login.seen == [] and sink.envelopes == [] and sent_record(home, DAY) is None


@pytest.mark.parametrize(
    ("password", "message"),
    [("sai", "rejected the login for MISINFO_SMTP_USER"), ("mật-khẩu", "non-ASCII")],  # smtplib sends ASCII only
)
def test_refused_login_over_tls_is_one_clear_error(home, smtp_server, private_ca, password, message):
    ca_pem, server_tls = private_ca
    port, sink = smtp_server(tls_context=server_tls, require_starttls=True, authenticator=Login("bantin", "pw"))
    settings = make_settings(home, port, smtp_security="starttls", smtp_ca_cert=ca_pem,
                             smtp_user="bantin", smtp_password=password)  # fmt: skip
    with pytest.raises(DeliveryError, match=message):
        send_digest(settings, DAY)
    assert sink.envelopes == [] and sent_record(home, DAY) is None


def test_empty_day_still_sends_nothing_rising(tmp_path, smtp_server):
    port, sink = smtp_server()
    result = send_digest(make_settings(tmp_path / "empty", port), DAY)
    assert result.sent
    msg = received(sink)
    assert msg["Subject"] == "[Giám sát tin giả] Bản tin ngày 08/11/2026: không có chủ đề nào tăng bất thường"
    assert "Không có chủ đề nào tăng bất thường" in msg.get_body(preferencelist=("plain",)).get_content()


def test_no_recipients_is_a_config_error(home):
    with pytest.raises(ConfigError, match="MISINFO_DIGEST_TO"):
        send_digest(make_settings(home, 25, digest_to=" , "), DAY)


def test_write_eml_and_html_without_logging(home, tmp_path):
    paths = write_digest(make_settings(home), DAY, tmp_path / "out" / "ban-tin.eml")
    assert [p.name for p in paths] == ["ban-tin.eml", "ban-tin.html"]
    msg = email.message_from_bytes(paths[0].read_bytes(), policy=email.policy.default)
    assert msg.get_content_type() == "multipart/alternative" and "08/11/2026" in msg["Subject"]
    assert "Sáp nhập tỉnh, xã" in paths[1].read_text(encoding="utf-8")
    assert sent_record(home, DAY) is None


def _env(home, port):
    return {"MISINFO_HOME": str(home), "MISINFO_SMTP_HOST": "127.0.0.1", "MISINFO_SMTP_PORT": str(port),
            "MISINFO_DIGEST_TO": ",".join(RECIPIENTS), "MISINFO_TIMEZONE": "Asia/Ho_Chi_Minh",
            "MISINFO_STORE": "sqlite", "PATH": "/usr/bin:/bin"}


def test_cli_send_fails_non_zero_then_sends_once(home, smtp_server, monkeypatch):
    port = free_port()
    proc = subprocess.run([sys.executable, "-m", "misinfo.cli", "digest", "--date", "2026-11-08", "--send"],
                          capture_output=True, text=True, env=_env(home, port), timeout=180)
    assert proc.returncode == 5
    assert f"cannot reach SMTP server 127.0.0.1:{port}" in proc.stderr and "Traceback" not in proc.stderr
    assert sent_record(home, DAY) is None

    from misinfo.cli import app

    _, sink = smtp_server(port=port)
    for k, v in _env(home, port).items():
        monkeypatch.setenv(k, v)
    runner = CliRunner()
    ok = runner.invoke(app, ["digest", "--date", "2026-11-08", "--send"])
    assert ok.exit_code == 0, ok.output
    assert "sent digest for 08/11/2026" in ok.stdout
    again = runner.invoke(app, ["digest", "--date", "2026-11-08", "--send"])
    assert again.exit_code == 0 and "already sent" in again.stdout
    assert len(sink.envelopes) == 1

    preview = runner.invoke(app, ["digest", "--date", "2026-11-08"])
    assert preview.exit_code == 0 and "CHỦ ĐỀ TĂNG MẠNH" in preview.stdout


def test_cli_rejects_bad_date_and_both_modes(home, tmp_path, monkeypatch):
    from misinfo.cli import app
    from misinfo.errors import QueryError

    monkeypatch.setenv("MISINFO_HOME", str(home))
    bad = CliRunner().invoke(app, ["digest", "--date", "08/11/2026"])
    assert isinstance(bad.exception, QueryError) and "YYYY-MM-DD" in str(bad.exception)
    both = CliRunner().invoke(app, ["digest", "--send", "--out", str(tmp_path / "x.eml")])
    assert isinstance(both.exception, QueryError)


def test_store_unavailable_or_bad_config_sends_nothing_and_records_nothing(home, tmp_path, smtp_server):
    from misinfo.errors import StoreUnavailable

    port, sink = smtp_server()
    with pytest.raises(StoreUnavailable):
        send_digest(make_settings(home, port, sqlite_path=tmp_path), DAY)  # a directory, not a database
    bad = tmp_path / "claims.yaml"
    bad.write_text("claims: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="claims"):
        send_digest(make_settings(home, port, claims=bad), DAY)
    assert sink.envelopes == [] and sent_record(home, DAY) is None


def test_overlapping_runs_send_once(home, smtp_server):
    from concurrent.futures import ThreadPoolExecutor

    port, sink = smtp_server()
    settings = make_settings(home, port)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: send_digest(settings, DAY), range(2)))
    assert sorted(r.sent for r in results) == [False, True]
    assert len(sink.envelopes) == 1 and len(read_jsonl(log_path(home))) == 1
