"""Alert fixtures: a real webhook receiver on loopback (stdlib http.server) that verifies the HMAC
signature and can answer 500, hang past the client's timeout or be down; a real SMTP server
(aiosmtpd, from the digest tests); a rules file pointing at both."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from misinfo.settings import Settings
from tests.digest.conftest import Sink, free_port, smtp_server  # noqa: F401  (smtp_server is a fixture)

SECRET = "bi-mat-chung-cua-webhook"
SECRET_ENV = "MISINFO_TEST_ALERT_SECRET"


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def id(self) -> str:
        return self.headers.get("X-Misinfo-Delivery", "")


@dataclass
class Receiver:
    """Accepts POSTs whose `X-Misinfo-Signature-256` matches HMAC-SHA256(secret, body); refuses others (401).

    `fail_next` answers 500 that many times; `hang` sleeps that long before answering; `stop()` closes
    the port (connection refused) and `start()` opens the same port again.
    """

    secret: bytes | None = SECRET.encode()
    port: int = field(default_factory=free_port)
    fail_next: int = 0
    hang: float = 0.0
    accepted: list[Delivery] = field(default_factory=list)
    requests: list[Delivery] = field(default_factory=list)
    bad_signatures: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/misinfo"

    def answer(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        d = Delivery(path, headers, body)
        with self._lock:
            self.requests.append(d)
            if self.fail_next > 0:
                self.fail_next -= 1
                return 500, b'{"error": "temporarily broken"}'
        if self.hang:
            time.sleep(self.hang)
        if self.secret is not None:
            expected = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, headers.get("X-Misinfo-Signature-256", "")):
                with self._lock:
                    self.bad_signatures += 1
                return 401, b'{"error": "bad signature"}'
        with self._lock:
            self.accepted.append(d)
        return 200, b'{"ok": true, "result": {"message_id": 1}}'

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, reply = receiver.answer(self.path, dict(self.headers.items()), body)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout drill)

            def log_message(self, *args: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def ids(self) -> list[str]:
        return [d.id for d in self.accepted]


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    r = Receiver().start()
    yield r
    r.stop()


def write_rules(path: Path, rules: list[dict[str, Any]], *, webhook_url: str | None = None,
                mail: dict[str, Any] | None = None, webhook: dict[str, Any] | None = None, **top: Any) -> Path:  # fmt: skip
    """A rules file with an email channel `mail` and (with `webhook_url`) a signed webhook `hook`;
    `mail` / `webhook` override those channels' fields."""
    channels: list[dict[str, Any]] = [{"id": "mail", "type": "email", "to": ["truc.ban@example.vn"], **(mail or {})}]
    if webhook_url:
        channels.append({"id": "hook", "type": "webhook", "url": webhook_url, "secret_env": SECRET_ENV,
                         "timeout_seconds": 1, "retries": 2, "backoff_seconds": 0.05, **(webhook or {})})
    path.write_text(yaml.safe_dump({"version": 1, **top, "channels": channels, "rules": rules}, allow_unicode=True),
                    encoding="utf-8")  # fmt: skip
    return path


def alert_settings(home: Path, rules: Path, smtp_port: int = 25, **kw: Any) -> Settings:
    values: dict[str, Any] = dict(home=home, alerts=rules, store="sqlite", smtp_host="127.0.0.1", smtp_port=smtp_port,
                                  smtp_security="none", digest_from="canh-bao@giamsat.example.vn",
                                  digest_to="lanh.dao@example.vn", dashboard_url="https://giamsat.example.vn/")  # fmt: skip
    values.update(kw)
    return Settings(**values)
