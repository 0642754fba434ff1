"""Hostile posts: what an adversary writes to attack the analysts' tools, for every output's tests.

Formula prefixes (CSV injection), bidi overrides and zero-width characters, `<script>` and event
handlers, `javascript:` links, and a 1 MB text. `assert_inert` checks one rendered output.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from html.parser import HTMLParser
from typing import Any

from misinfo.domain import TaggedPost
from tests.factories import make_tagged

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: `gnp.exe` shows as `exe.png`
HOSTILE_TEXTS: dict[str, str] = {
    "formula": '=HYPERLINK("http://evil.example/x","Bấm vào đây") sáp nhập tỉnh',
    "dde": "+cmd|' /C calc'!A0 lừa đảo chuyển khoản",
    "minus": "-2+3+cmd|' /C calc'!A0 sáp nhập tỉnh",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0 sáp nhập tỉnh",
    "tab": "\t=1+1 sáp nhập tỉnh",
    "hidden_formula": "\u200b=1+1 sáp nhập tỉnh",
    "bidi": f"Sáp nhập tỉnh: tải danh sách {RLO}gnp.exe\u202c tại đây \u2066x\u2069",
    "zero_width": "s\u200bá\u200bp n\u200ch\u200dậ\u2060p t\ufeffỉnh: danh sách mới",
    "script": 'Sáp nhập tỉnh <script>alert("xss")</script><img src=x onerror="window.__xss=1">',
    "big": ("Sáp nhập tỉnh, danh sách mới. " * 40_000)[:1_000_000],  # 1 MB
}
EVIL_URL = "javascript:alert(document.cookie)"
FORMULA_START = tuple("=+-@\t\r")
# what must never reach a reader: every format character but the zero-width joiner, and C0/C1 controls
_HIDDEN_RE = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in (*range(0x30000), *range(0xE0000, 0xE1000))
                  if unicodedata.category(chr(c)) in ("Cf", "Cc") and chr(c) not in "\t\n\r\u200d") + "]"
)


def hostile_posts(narrative: str = "province_merger", **kwargs: Any) -> list[TaggedPost]:
    """One post per hostile text (hostile author and source too), the first with a `javascript:` link."""
    posts = []
    for i, (name, text) in enumerate(HOSTILE_TEXTS.items()):
        tp = make_tagged(f"h-{name}", text, narratives=(narrative,), author=f"=evil{RLO}{i}", likes=1000 - i,
                         source="-src\u200b", **kwargs)
        posts.append(tp)
    posts[0] = replace(posts[0], post=replace(posts[0].post, url=EVIL_URL))
    return posts


def hidden_chars(text: str) -> list[str]:
    """The invisible controls left in `text` (empty when inert)."""
    return [f"U+{ord(c):04X}" for c in _HIDDEN_RE.findall(text)]


class _Markup(HTMLParser):
    """Every tag and attribute, as a browser or mail client would parse them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(name, value or "") for name, value in attrs]


def assert_inert_html(html: str) -> None:
    """Rendered HTML: no script, no event handler, no `javascript:` link, no hidden controls."""
    parsed = _Markup()
    parsed.feed(html)
    assert "script" not in parsed.tags, "a script from a post reached the page"
    assert not [n for n, _ in parsed.attrs if n.startswith("on")], "an event handler from a post reached the page"
    assert not [v for n, v in parsed.attrs if n in ("href", "src") and v.strip().lower().startswith("javascript:")]
    assert not hidden_chars(html), hidden_chars(html)[:5]
