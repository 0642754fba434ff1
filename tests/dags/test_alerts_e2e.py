"""`airflow dags test misinfo_collect` evaluates the alert rules after processing: real crawls of a replay
server (three TikTok sources carrying a province-merger hoax), the real NLP stage, then `check_alerts` sends
to a real SMTP server (aiosmtpd, through the `misinfo_smtp` Connection) and to a webhook receiver that
verifies the signature made with the secret of the `misinfo_alert_webhook` Connection. The same interval
again sends nothing."""

from __future__ import annotations

import email
import email.policy
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from crawlers import replay
from misinfo.alerts.state import recent_alerts
from misinfo.demo.content import generate
from misinfo.store.sqlite import SqliteStore
from tests.alerts.conftest import SECRET, Receiver
from tests.dags.conftest import dags_test
from tests.dags.test_digest_e2e import Inbox
from tests.digest.conftest import free_port
from tests.factories import make_tagged

pytestmark = [pytest.mark.slow, pytest.mark.integration, pytest.mark.xdist_group("airflow")]

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
LOGICAL = NOW.isoformat()  # `dags test` at T runs the interval [T-1h, T): alerts are evaluated at NOW
HANDLES = ("tinnhanh.mophong", "aedongque.mophong", "chuyenpho.mophong")  # a rise carried by several accounts
CLAIM_TEXT = ("Danh sách 63 tỉnh còn 31 tỉnh đã được phê duyệt rồi nhé, kèm tên gọi mới và trung tâm hành "
              "chính của từng tỉnh.")  # a paraphrase of a registry claim, from the demo  # fmt: skip


def burst_posts() -> dict[str, list]:
    """The demo hoax's posts of the last three hours (synthetic, *mô phỏng*), split between three accounts."""
    world = generate(NOW)
    burst = [p for p in world.all_posts if world.roles[p.key] == "burst" and p.created_at >= NOW - timedelta(hours=3)]
    burst.sort(key=lambda p: p.created_at)
    out: dict[str, list] = {h: [] for h in HANDLES}
    for i, p in enumerate(burst[:15]):
        handle = HANDLES[i % len(HANDLES)]
        out[handle].append(replace(p, platform="tiktok", author=handle, source=handle))
    claim = replace(out[HANDLES[0]][0], post_id=str(int(out[HANDLES[0]][0].post_id) + 1), text=CLAIM_TEXT, hashtags=(),
                    created_at=NOW - timedelta(minutes=20))  # fmt: skip
    out[HANDLES[0]].append(claim)
    return out


def history(home) -> None:
    """A week of ordinary days: one province-merger post in each same-hours window, some other posts."""
    posts = []
    for d in range(1, 8):
        at = NOW - timedelta(days=d, hours=2)
        posts.append(make_tagged(f"h{d}", "Bàn chuyện sáp nhập tỉnh", narratives=("province_merger",), created_at=at))
        posts.append(make_tagged(f"w{d}", "Thời tiết hôm nay", created_at=at - timedelta(hours=5)))
    store = SqliteStore(home / "store.sqlite3")
    try:
        store.upsert(posts)
    finally:
        store.close()


def test_collect_run_sends_the_burst_alert_once_through_both_connections(tmp_path, airflow_home):
    from aiosmtpd.controller import Controller

    home = tmp_path / "home"
    history(home)
    site: dict = {"/robots.txt": replay.robots_txt(False)}
    for handle, posts in burst_posts().items():
        site.update(replay.tiktok_site(handle, posts))
    sources = [{"key": h.split(".")[0], "platform": "tiktok", "handle": h} for h in HANDLES]
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(sources), encoding="utf-8")
    rules = {
        "channels": [{"id": "mail", "type": "email"},
                     {"id": "hook", "type": "webhook", "connection": "misinfo_alert_webhook", "timeout_seconds": 5}],
        "rules": [{"id": "burst", "kind": "narrative_burst", "narratives": ["province_merger"], "min_posts": 8,
                   "window": "3h", "channels": ["mail", "hook"]},
                  {"id": "claims", "kind": "claim", "channels": ["mail", "hook"]}],
    }  # fmt: skip
    (tmp_path / "alerts.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    receiver = Receiver().start()
    try:
        with replay.ReplayServer(site) as server:
            smtp_conn = {"conn_type": "smtp", "host": "127.0.0.1", "port": smtp.port,
                         "extra": {"security": "none", "from_email": "canh-bao@giamsat.example.vn",
                                   "to": "truc.ban@example.vn"}}  # fmt: skip
            hook_conn = {"conn_type": "http", "host": receiver.url, "password": SECRET}
            env = {
                "MISINFO_HOME": str(home),
                "MISINFO_SOURCES": str(tmp_path / "sources.yaml"),
                "MISINFO_ALERTS": str(tmp_path / "alerts.yaml"),
                "MISINFO_TIKTOK_BASE_URL": server.url,
                "MISINFO_CRAWL_THROTTLE": "false",
                "MISINFO_CRAWL_RETRIES": "0",
                "MISINFO_DASHBOARD_URL": "https://giamsat.example.vn/",
                "AIRFLOW_CONN_MISINFO_SMTP": json.dumps(smtp_conn),
                "AIRFLOW_CONN_MISINFO_ALERT_WEBHOOK": json.dumps(hook_conn),
            }  # no MISINFO_SMTP_* and no webhook secret in the environment: only the Connections know them
            first = dags_test(airflow_home, "misinfo_collect", LOGICAL, env)
            sent_first = (len(inbox.envelopes), list(receiver.ids()))
            second = dags_test(airflow_home, "misinfo_collect", LOGICAL, env)
    finally:
        smtp.stop()
        receiver.stop()

    assert first.returncode == 0, first.output[-4000:]
    assert first.states[("check_alerts", -1)][0] == "success", first.output[-4000:]
    alerts = {a["rule"]: a for a in recent_alerts(home)}
    assert set(alerts) == {"burst", "claims"}, alerts
    burst = alerts["burst"]
    assert burst["subject"] == "province_merger" and burst["at"] == NOW.isoformat()
    assert burst["numbers"]["count"] >= 15 and burst["numbers"]["score"] >= 3
    assert alerts["claims"]["subject"] == "fake-63-to-31-list"
    # each alert once to each channel; the receiver verified the signature made with the Connection's secret
    assert sent_first == (2, sent_first[1]) and sorted(sent_first[1]) == sorted(a["id"] for a in alerts.values())
    assert receiver.bad_signatures == 0
    mail = email.message_from_bytes(inbox.envelopes[0].original_content, policy=email.policy.default)
    assert mail["From"] == "canh-bao@giamsat.example.vn" and mail["To"] == "truc.ban@example.vn"
    assert "[Cảnh báo sớm]" in mail["Subject"]
    # the same interval again: the rules are not decided again and nothing is sent twice
    assert second.returncode == 0, second.output[-4000:]
    assert second.states[("check_alerts", -1)][0] == "success"
    assert len(inbox.envelopes) == 2 and len(receiver.accepted) == 2
