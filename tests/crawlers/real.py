"""Real captured pages (tests/fixtures/real/, byte-exact, see PROVENANCE.yaml) for parser and crawl tests.

A VCR cassette holds several recorded HTTP exchanges; `cassette_routes` lets the replay server answer
each request at its own recorded path with the recorded status, body bytes (still gzipped) and the
headers that shape it, so Scrapy decompresses and decodes them as it would the live answer.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from crawlers.replay import Reply, route_key

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
_KEPT_HEADERS = ("content-encoding", "location")


@dataclass(frozen=True)
class Exchange:
    """One recorded request and its answer."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes  # as recorded: still compressed when Content-Encoding says so

    @property
    def target(self) -> str:
        return _target(self.url)

    def text(self) -> str:
        """The body as the browser would read it: decompressed, UTF-8."""
        encoding = self.headers.get("content-encoding", "")
        data = gzip.decompress(self.body) if encoding == "gzip" else zlib.decompress(self.body) if encoding == "deflate" else self.body
        return data.decode("utf-8")

    def reply(self) -> Reply:
        extra = {k: v for k, v in self.headers.items() if k in _KEPT_HEADERS}
        return Reply(self.status, self.body, self.headers.get("content-type", "text/html; charset=utf-8"), extra)


def _target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _first(value: Any) -> str:
    return str(value[0]) if isinstance(value, list) and value else str(value)


@cache
def cassette(name: str) -> tuple[Exchange, ...]:
    """The exchanges of a VCR cassette under tests/fixtures/real/, in recorded order."""
    data = yaml.load((REAL / name).read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    exchanges = []
    for interaction in data["interactions"]:
        response = interaction["response"]
        body = response["body"]["string"]
        exchanges.append(Exchange(
            url=interaction["request"]["uri"],
            status=int(response["status"]["code"]),
            headers={k.lower(): _first(v) for k, v in (response.get("headers") or {}).items()},
            body=body if isinstance(body, bytes) else body.encode("utf-8"),
        ))  # fmt: skip
    return tuple(exchanges)


def exchange(name: str, url: str) -> Exchange:
    """The recorded answer to `url` (query parameters in any order); the last one if it was asked again,
    since that is the answer the recorded run went on from (its next link is the next recorded request)."""
    key = route_key(_target(url))
    return [e for e in cassette(name) if route_key(e.target) == key][-1]


def cassette_routes(name: str) -> dict[str, Reply]:
    """Replay-server routes for every recorded exchange at its own path (see `exchange` for repeats)."""
    return {route_key(e.target): exchange(name, e.url).reply() for e in cassette(name)}


def page(name: str) -> str:
    """A saved HTML page under tests/fixtures/real/."""
    return (REAL / name).read_text(encoding="utf-8")


def git_blob_id(data: bytes) -> str:
    """The id git gives a file with these bytes: proves a fixture is the upstream blob, byte for byte."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
