"""`airflow dags test misinfo_daily_digest` end to end against a real SMTP server on loopback (aiosmtpd),
configured through the Airflow Connection `misinfo_smtp`: one email arrives; the same run again sends none."""

from __future__ import annotations

import email
import email.policy
import json

import pytest

from misinfo.digest.send import log_path
from misinfo.state import read_json, read_jsonl
from misinfo.store.sqlite import SqliteStore
from tests.dags.conftest import dags_test
from tests.digest.conftest import DAY, fill_store, free_port

# one xdist worker runs all three, so they share one migrated AIRFLOW_HOME (migrating takes ~10 s)
pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.xdist_group("airflow")]

RUN_AT = "2026-11-09T07:00:00+07:00"  # the 07:00 run on 9 Nov reports on 8 Nov (DAY)


class Inbox:
    """aiosmtpd handler keeping every accepted message."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


def test_digest_sent_once_per_date_through_the_smtp_connection(tmp_path, airflow_home):
    from aiosmtpd.controller import Controller

    home = tmp_path / "home"
    store = SqliteStore(home / "store.sqlite3")
    fill_store(store)
    store.close()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        conn = {
            "conn_type": "smtp", "host": "127.0.0.1", "port": controller.port,
            "extra": {"security": "none", "from_email": "ban-tin@giamsat.example.vn",
                      "to": "lanh.dao@example.vn, lien.lac.cong.an@example.vn"},
        }  # fmt: skip
        # No MISINFO_SMTP_*: without the Connection the digest would go to localhost:25 and fail.
        env = {"MISINFO_HOME": str(home), "AIRFLOW_CONN_MISINFO_SMTP": json.dumps(conn),
               "MISINFO_DASHBOARD_URL": "https://giamsat.example.vn/"}  # fmt: skip
        first = dags_test(airflow_home, "misinfo_daily_digest", RUN_AT, env)
        assert first.returncode == 0, first.output[-4000:]
        assert len(inbox.envelopes) == 1
        second = dags_test(airflow_home, "misinfo_daily_digest", RUN_AT, env)
    finally:
        controller.stop()

    assert {k[0]: v[0] for k, v in first.states.items()} == {"trends": "success", "send_digest": "success"}
    envelope = inbox.envelopes[0]
    assert envelope.mail_from == "ban-tin@giamsat.example.vn"
    assert envelope.rcpt_tos == ["lanh.dao@example.vn", "lien.lac.cong.an@example.vn"]
    msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert msg["X-Misinfo-Digest-Date"] == "2026-11-08"
    assert msg["Subject"].startswith("[Giám sát tin giả] Bản tin ngày 08/11/2026")
    assert "Sáp nhập tỉnh, xã" in msg["Subject"]  # the rising narrative of the fixture store

    report = read_json(home / "reports" / "trends-2026-11-08.json", None)
    assert report["at"] == "2026-11-08T17:00:00+00:00"  # local midnight ending DAY, in UTC
    rising = [n["id"] for n in report["narratives"] if n["rising"]]
    assert rising == ["province_merger"]

    # the second run succeeds, sends nothing, and the log still holds one record for the date
    assert second.returncode == 0, second.output[-4000:]
    assert len(inbox.envelopes) == 1
    records = read_jsonl(log_path(home))
    assert [r["date"] for r in records] == [DAY.isoformat()]
    assert records[0]["message_id"] == msg["Message-ID"].strip()
