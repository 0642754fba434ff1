"""A tiny HTTP proxy on loopback that sits between the store and osmem-server to inject faults.

Real clusters answer 429 when their write queue is full and drop connections when a node dies;
neither can be provoked on osmem-server itself, so this proxy forwards every request unchanged and,
for the `_bulk` requests named in `script`, does one of:

- "429": answer the whole request with 429 (too many requests), as a busy coordinating node does;
- "items429": answer 200 with every item rejected 429 (`es_rejected_execution_exception`), as a
  full write thread pool does;
- "kill": call `on_kill` (which kills the server), then drop the connection without an answer.

It also serves a fixed answer for every request when `fixed` is set (status, JSON body), to play
a server that cannot run here (a secured cluster refusing credentials, an Elasticsearch 7 node).
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


class FaultProxy:
    def __init__(self, upstream: str = "", script: dict[int, str] | None = None,
                 on_kill: Callable[[], None] | None = None, fixed: tuple[int, Any] | None = None) -> None:
        self.upstream = upstream
        self.script = dict(script or {})
        self.on_kill = on_kill
        self.fixed = fixed
        self.bulk_requests = 0
        self.injected: list[str] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                if proxy.fixed is not None:
                    status, payload = proxy.fixed
                    return self._reply(status, payload)
                action = None
                if "/_bulk" in self.path:
                    with proxy._lock:
                        proxy.bulk_requests += 1
                        action = proxy.script.get(proxy.bulk_requests)
                        if action:
                            proxy.injected.append(action)
                if action == "429":
                    return self._reply(429, {"error": {"type": "es_rejected_execution_exception",
                                                       "reason": "rejected execution (queue capacity 200)"},
                                             "status": 429})
                if action == "items429":
                    return self._reply(200, _rejected_items(body))
                if action == "kill":
                    assert proxy.on_kill is not None
                    proxy.on_kill()
                    self.close_connection = True
                    self.connection.close()
                    return None
                self._forward(body)
                return None

            def _forward(self, body: bytes) -> None:
                target = urlsplit(proxy.upstream)
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                try:
                    conn.request(self.command, self.path, body=body or None, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                except OSError:  # the server is down: drop the connection, as a dead node would
                    self.close_connection = True
                    self.connection.close()
                    return
                finally:
                    conn.close()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            def _reply(self, status: int, payload: Any) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("x-elastic-product", "Elasticsearch")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _rejected_items(body: bytes) -> dict[str, Any]:
    """A bulk answer rejecting every action with 429, built from the request's action lines."""
    lines = [json.loads(line) for line in body.splitlines() if line.strip()]
    items = []
    i = 0
    while i < len(lines):
        op, meta = next(iter(lines[i].items()))
        items.append({op: {"_index": meta.get("_index"), "_id": meta.get("_id"), "status": 429,
                           "error": {"type": "es_rejected_execution_exception",
                                     "reason": "rejected execution of coordinating operation"}}})
        i += 1 if op == "delete" else 2
    return {"took": 1, "errors": True, "items": items}
