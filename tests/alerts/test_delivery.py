"""Delivery to real servers on loopback: aiosmtpd for email, an http.server receiver that verifies the
HMAC signature for the webhook. A receiver that is down, answers 500 or hangs: retried with backoff
within the run, recorded, sent by the next run, never twice; one failing channel never stops another."""

from __future__ import annotations

import email
import email.policy
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest

from misinfo import jobs
from misinfo.alerts.channels import resolve, sign
from misinfo.alerts.rules import WebhookChannel
from misinfo.alerts.state import AlertState, log_path, recent_alerts, state_path
from misinfo.domain import utcnow
from misinfo.errors import ConfigError
from misinfo.state import read_jsonl
from misinfo.store.sqlite import SqliteStore
from misinfo.trends import floor_hour
from tests.alerts.conftest import SECRET, SECRET_ENV, alert_settings, write_rules
from tests.digest.conftest import free_port
from tests.factories import make_tagged

pytestmark = pytest.mark.integration
CLAIM = "fake-63-to-31-list"
OTHER = "police-video-call-transfer"
AT = floor_hour(utcnow()) - timedelta(hours=5)
RULE = {"id": "claims", "kind": "claim", "label": "Tin sai lặp lại", "channels": ["mail", "hook"]}


def add_claim_posts(home, *ids: str, claim: str = CLAIM, at=AT) -> None:
    store = SqliteStore(home / "store.sqlite3")
    try:
        store.upsert([make_tagged(pid, f"Danh sách 63 tỉnh còn 31 tỉnh, tên tỉnh mới đã chốt ({pid})",
                                  claims=(claim,), narratives=("province_merger",), source="trang-tin-a",
                                  created_at=at - timedelta(minutes=40 - i), likes=100 + i)
                      for i, pid in enumerate(ids)])  # fmt: skip
    finally:
        store.close()


def setup(tmp_path, home, receiver, smtp_port: int, **webhook):
    rules = write_rules(tmp_path / "alerts.yaml", [RULE], webhook_url=receiver.url, webhook=webhook or None)
    return alert_settings(home, rules, smtp_port)


def events(home, event: str) -> list[dict]:
    return [r for r in read_jsonl(log_path(home)) if r["event"] == event]


def test_one_alert_reaches_email_and_the_signed_webhook_once(tmp_path, home, receiver, smtp_server):
    port, sink = smtp_server()
    settings = setup(tmp_path, home, receiver, port)
    add_claim_posts(home, "p1", "p2")
    result = jobs.check_alerts(settings, AT)
    alert_id = f"claims:{CLAIM}:{AT:%Y%m%dT%H}"
    assert [f["id"] for f in result["fired"]] == [alert_id]
    assert sorted((a, c) for a, c, _ in result["sent"]) == [(alert_id, "hook"), (alert_id, "mail")]

    # the email: short, Vietnamese, numbers, top posts, the dashboard link filtered to this alert
    assert len(sink.envelopes) == 1 and sink.envelopes[0].rcpt_tos == ["truc.ban@example.vn"]
    raw = sink.envelopes[0].original_content
    assert raw.isascii()  # RFC 2047 headers, quoted-printable body
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == "[Cảnh báo sớm] Tin sai đã kiểm chứng được đăng lại: 2 bài mới"
    assert msg["X-Misinfo-Alert"] == alert_id
    text = msg.get_content()
    assert "Danh sách sáp nhập 63 tỉnh thành còn 31 tỉnh" in text  # the claim, from config/claims.yaml
    assert "https://example.test/tiktok/p1" in text and "https://example.test/tiktok/p2" in text
    assert f"https://giamsat.example.vn/alerts?id=claims%3A{CLAIM}%3A{AT:%Y%m%dT%H}" in text

    # the webhook: one POST, signature verified by the receiver, the same numbers as data
    assert receiver.bad_signatures == 0 and receiver.ids() == [alert_id]
    body = receiver.accepted[0].json
    assert body["type"] == "misinfo.alert" and body["kind"] == "claim" and body["subject"] == CLAIM
    assert body["numbers"]["new_posts"] == 2 and sorted(body["post_keys"]) == ["tiktok:p1", "tiktok:p2"]
    assert [p["url"] for p in body["posts"]] == ["https://example.test/tiktok/p2", "https://example.test/tiktok/p1"]
    assert body["dashboard_url"].startswith("https://giamsat.example.vn/alerts?id=")
    assert receiver.accepted[0].headers["X-Misinfo-Signature-256"] == sign(SECRET.encode(), receiver.accepted[0].body)

    # a rerun of the hour and the next hour (nothing new): nothing is sent again
    jobs.check_alerts(settings, AT)
    jobs.check_alerts(settings, AT + timedelta(hours=1))
    assert len(sink.envelopes) == 1 and len(receiver.requests) == 1
    assert sorted(r["channel"] for r in events(home, "sent")) == ["hook", "mail"]
    assert recent_alerts(home)[0]["deliveries"]["hook"]["status"] == "sent"


def test_a_wrong_secret_is_refused_by_the_receiver(tmp_path, home, receiver, smtp_server, monkeypatch):
    port, _sink = smtp_server()
    settings = setup(tmp_path, home, receiver, port)
    monkeypatch.setenv(SECRET_ENV, "not-the-shared-secret")
    add_claim_posts(home, "p1")
    with pytest.raises(jobs.AlertsUndelivered, match="answered 401"):
        jobs.check_alerts(settings, AT)
    assert receiver.bad_signatures == 1 and receiver.accepted == []  # 401 is not retried within the run


def test_500_is_retried_with_backoff_recorded_and_sent_next_run_once(tmp_path, home, receiver, smtp_server):
    port, sink = smtp_server()
    settings = setup(tmp_path, home, receiver, port, retries=2, backoff_seconds=0.2)
    add_claim_posts(home, "p1")
    receiver.fail_next = 100
    started = time.monotonic()
    with pytest.raises(jobs.AlertsUndelivered, match=r"answered 500 .*3 tries") as err:
        jobs.check_alerts(settings, AT)
    elapsed = time.monotonic() - started
    assert len(receiver.requests) == 3  # one try and two retries
    assert elapsed >= 0.4  # urllib3 backoff: 0, then 0.2 * 2 before the third try
    assert [(a, c) for a, c, _ in err.value.result["sent"]] == [(f"claims:{CLAIM}:{AT:%Y%m%dT%H}", "mail")]
    assert err.value.result["pending"] == 1
    assert [r["channel"] for r in events(home, "failed")] == ["hook"]
    assert AlertState.load(home).pending[0]["todo"] == ["hook"]

    receiver.fail_next = 0
    result = jobs.check_alerts(settings, AT + timedelta(hours=1))
    assert [c for _, c, _ in result["sent"]] == ["hook"] and result["pending"] == 0
    assert len(receiver.accepted) == 1 and len(sink.envelopes) == 1
    jobs.check_alerts(settings, AT + timedelta(hours=2))
    assert len(receiver.accepted) == 1 and len(sink.envelopes) == 1 and AlertState.load(home).pending == []


def test_a_retry_within_the_run_can_succeed(tmp_path, home, receiver, smtp_server):
    port, _sink = smtp_server()
    settings = setup(tmp_path, home, receiver, port, retries=3, backoff_seconds=0.01)
    add_claim_posts(home, "p1")
    receiver.fail_next = 2
    result = jobs.check_alerts(settings, AT)
    assert ("hook", "HTTP 200 after 3 tries") in [(c, d) for _, c, d in result["sent"]]
    assert len(receiver.requests) == 3 and len(receiver.accepted) == 1


def test_a_hanging_receiver_times_out_and_is_sent_next_run(tmp_path, home, receiver, smtp_server):
    port, _sink = smtp_server()
    settings = setup(tmp_path, home, receiver, port, retries=1, timeout_seconds=0.5, backoff_seconds=0)
    add_claim_posts(home, "p1")
    receiver.hang = 2.0
    with pytest.raises(jobs.AlertsUndelivered, match=r"no answer within 0.5 s, 2 tries"):
        jobs.check_alerts(settings, AT)
    assert len(receiver.requests) == 2
    receiver.hang = 0
    receiver.accepted.clear()  # what the hung handler accepted after the client gave up is not a delivery
    jobs.check_alerts(settings, AT + timedelta(hours=1))
    assert receiver.ids() == [f"claims:{CLAIM}:{AT:%Y%m%dT%H}"]


def test_a_receiver_that_is_down_gets_the_alert_when_it_is_back(tmp_path, home, receiver, smtp_server):
    port, sink = smtp_server()
    settings = setup(tmp_path, home, receiver, port, backoff_seconds=0.01)
    add_claim_posts(home, "p1")
    receiver.stop()
    with pytest.raises(jobs.AlertsUndelivered, match=r"cannot connect .*3 tries"):
        jobs.check_alerts(settings, AT)
    assert len(sink.envelopes) == 1  # email went out regardless
    # still down an hour later, while a new alert fires: both wait, the down channel is tried once per run
    add_claim_posts(home, "q1", claim=OTHER, at=AT + timedelta(hours=1))
    with pytest.raises(jobs.AlertsUndelivered) as err:
        jobs.check_alerts(settings, AT + timedelta(hours=1))
    assert len(err.value.result["failed"]) == 1 and err.value.result["pending"] == 2
    assert len(sink.envelopes) == 2
    receiver.start()
    result = jobs.check_alerts(settings, AT + timedelta(hours=2))
    assert sorted(receiver.ids()) == sorted([f"claims:{CLAIM}:{AT:%Y%m%dT%H}",
                                             f"claims:{OTHER}:{AT + timedelta(hours=1):%Y%m%dT%H}"])  # fmt: skip
    assert result["pending"] == 0 and len(sink.envelopes) == 2


def test_smtp_down_does_not_stop_the_webhook(tmp_path, home, receiver):
    settings = setup(tmp_path, home, receiver, free_port())  # nothing listens there
    add_claim_posts(home, "p1")
    with pytest.raises(jobs.AlertsUndelivered, match="cannot reach SMTP server") as err:
        jobs.check_alerts(settings, AT)
    assert [c for _, c, _ in err.value.result["sent"]] == ["hook"] and len(receiver.accepted) == 1
    assert [r["channel"] for r in events(home, "failed")] == ["mail"]


def test_an_alert_undelivered_too_long_is_given_up_and_logged(tmp_path, home, receiver, smtp_server):
    port, _sink = smtp_server()
    settings = setup(tmp_path, home, receiver, port, backoff_seconds=0)
    add_claim_posts(home, "p1")
    receiver.fail_next = 100
    with pytest.raises(jobs.AlertsUndelivered):
        jobs.check_alerts(settings, AT)
    write_rules(tmp_path / "alerts.yaml", [RULE], webhook_url=receiver.url, give_up_after="0h")
    result = jobs.check_alerts(settings, AT + timedelta(hours=1))
    assert [c for _, c, _ in result["gave_up"]] == ["hook"] and result["pending"] == 0
    assert recent_alerts(home)[0]["deliveries"]["hook"]["status"] == "gave_up"


def test_dry_run_sends_nothing_and_writes_nothing(tmp_path, home, receiver, smtp_server):
    port, sink = smtp_server()
    settings = setup(tmp_path, home, receiver, port)
    add_claim_posts(home, "p1")
    result = jobs.check_alerts(settings, AT, dry_run=True)
    assert [f["subject"] for f in result["fired"]] == [CLAIM] and result["dry_run"]
    assert sink.envelopes == [] and receiver.requests == []
    assert not state_path(home).exists() and not log_path(home).exists()
    jobs.check_alerts(settings, AT)  # the real run still fires it
    assert len(sink.envelopes) == 1 and len(receiver.accepted) == 1


def test_telegram_format_is_a_send_message_body(tmp_path, home, smtp_server, monkeypatch):
    from tests.alerts.conftest import Receiver

    bot = Receiver(secret=None).start()  # Telegram checks the token in the URL, not a signature
    try:
        monkeypatch.setenv("MISINFO_TEST_TELEGRAM_URL", bot.url.replace("/hooks/misinfo", "/botTOKEN/sendMessage"))
        rules = write_rules(tmp_path / "alerts.yaml", [{**RULE, "channels": ["tg"]}])
        text = rules.read_text(encoding="utf-8").replace(
            "channels:\n", "channels:\n- id: tg\n  type: webhook\n  format: telegram\n"
            "  url_env: MISINFO_TEST_TELEGRAM_URL\n  chat_id: -1001234567890\n", 1)
        rules.write_text(text, encoding="utf-8")
        add_claim_posts(home, "p1")
        jobs.check_alerts(alert_settings(home, rules), AT)
    finally:
        bot.stop()
    [d] = bot.accepted
    assert d.path == "/botTOKEN/sendMessage"
    body = d.json
    assert set(body) == {"chat_id", "text", "link_preview_options"}  # plain text: no parse_mode
    assert body["chat_id"] == "-1001234567890" and body["link_preview_options"] == {"is_disabled": True}
    assert body["text"].startswith("Tin sai đã kiểm chứng được đăng lại: 1 bài mới")
    assert "Xem trên bảng điều khiển: https://giamsat.example.vn/alerts?id=" in body["text"]


@dataclass
class FakeConn:
    """The fields of an Airflow Connection `resolve` reads (the DAG test uses a real one)."""

    conn_id: str = "misinfo_alert_webhook"
    conn_type: str | None = "http"
    host: str | None = None
    schema: str | None = None
    login: str | None = None
    password: str | None = None
    port: int | None = None
    extra: str | None = None


def test_an_airflow_connection_wins_over_environment_variables(monkeypatch):
    channel = WebhookChannel(id="hook", type="webhook", url_env="MISINFO_X_URL", secret_env="MISINFO_X_SECRET",
                             connection="misinfo_alert_webhook")  # fmt: skip
    monkeypatch.setenv("MISINFO_X_URL", "https://env.example/hook")
    monkeypatch.setenv("MISINFO_X_SECRET", "env-secret")
    conn = FakeConn(host="hooks.example.vn", schema="https", port=8443, password="conn-secret",
                    extra='{"endpoint": "/misinfo"}')  # fmt: skip
    target = resolve(channel, lambda cid: conn if cid == "misinfo_alert_webhook" else None)
    assert target.url == "https://hooks.example.vn:8443/misinfo" and target.secret == b"conn-secret"
    assert resolve(channel, lambda cid: None).url == "https://env.example/hook"  # no such Connection
    with pytest.raises(ConfigError, match="misinfo_alert_webhook has no password"):
        resolve(channel, lambda cid: FakeConn(host="https://hooks.example.vn/x"))  # unsigned: refused
    tg = WebhookChannel(id="tg", type="webhook", format="telegram", connection="misinfo_telegram", chat_id="1")
    assert resolve(tg, lambda cid: FakeConn(password="123:ABC")).url == "https://api.telegram.org/bot123:ABC/sendMessage"


def test_a_missing_secret_names_the_variable_and_keeps_the_alert(tmp_path, home, receiver, smtp_server, monkeypatch):
    port, _sink = smtp_server()
    settings = setup(tmp_path, home, receiver, port)
    monkeypatch.delenv(SECRET_ENV)
    add_claim_posts(home, "p1")
    with pytest.raises(jobs.AlertsMisconfigured, match=f"environment variable {SECRET_ENV} is not set"):
        jobs.check_alerts(settings, AT)
    monkeypatch.setenv(SECRET_ENV, SECRET)
    jobs.check_alerts(settings, AT + timedelta(hours=1))
    assert len(receiver.accepted) == 1
