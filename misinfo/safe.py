"""Untrusted text made inert where people read it: the dashboard, the digest, CSV exports, JSON.

Every post, name and link was written by someone else, possibly to attack the analysts' tools:
- invisible controls (bidi overrides that reorder what is shown, zero-width characters, other
  format and control characters) are removed from what is shown (`visible`); the zero-width joiner
  stays between emoji, which need it, and line/paragraph separators become newlines;
- a spreadsheet cell that would begin with a formula character gets a leading `'` (OWASP's advice
  on CSV injection; ASVS 1.2.10), after invisible characters are removed, since Excel would not see
  them either; cells are cut at Excel's 32,767-character limit (`csv_cell`);
- JSON keeps the text exactly, but writes every invisible character as a `\\uXXXX` escape, so a
  terminal or log viewer shows it rather than obeys it (`json_dumps`).
- a link is only made from a plain http(s) URL (`safe_url`), never `javascript:` or `data:`.
HTML escaping stays with the renderers (Jinja2 autoescape, `html.escape`).
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

FORMULA_START = frozenset("=+-@\t\r\n\0＝＋－＠﹦﹢﹣﹫")
EXCEL_CELL_LIMIT = 32_767
_KEEP = frozenset("\t\n\r\u200d")


class _VisibleTable(dict[int, str | None]):
    """A `str.translate` table filled lazily: hidden characters map to None (removed)."""

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        cat = unicodedata.category(ch)
        out: str | None
        if ch in _KEEP:
            out = ch
        elif cat in ("Zl", "Zp"):
            out = "\n"
        elif cat == "Cs":  # a lone surrogate (from JSON `\ud800`) cannot even be encoded
            out = "\ufffd"
        elif cat in ("Cf", "Cc"):
            out = None
        else:
            out = ch
        self[code] = out
        return out


_VISIBLE = _VisibleTable()


_LETTER_JOINER_RE = re.compile(r"(?<=[^\W\d_])\u200d|\u200d(?=[^\W\d_])")


def visible(text: str) -> str:
    """`text` without the characters that draw nothing or reorder what is drawn."""
    text = text.translate(_VISIBLE)
    return _LETTER_JOINER_RE.sub("", text) if "\u200d" in text else text


def safe_url(value: str | None) -> str | None:
    """The URL if it is a plain http(s) link, else None (no `javascript:`, `data:` or bare text)."""
    if not value:
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    return value.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def csv_cell(value: Any) -> Any:
    """A value as a spreadsheet may safely read it: text shown, never run as a formula."""
    if not isinstance(value, str):
        return value
    text = visible(value)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - 2] + "…"
    if text.lstrip(" ")[:1] in FORMULA_START:
        text = "'" + text
    return text


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ord(ch) > 0xFFFF:  # JSON escapes characters outside the BMP as a surrogate pair
        units = ch.encode("utf-16-be")
        return "".join(f"\\u{int.from_bytes(units[i:i + 2], 'big'):04x}" for i in (0, 2))
    return f"\\u{ord(ch):04x}"


def json_dumps(obj: Any) -> str:
    """`json.dumps` with Vietnamese as is and every invisible or control character escaped."""
    text = json.dumps(obj, ensure_ascii=False)
    return text if text.isascii() and "\x7f" not in text else _invisible_re().sub(_escape, text)


@functools.cache
def _invisible_re() -> re.Pattern[str]:
    """Format, control, surrogate and separator characters (planes 3-13 hold none of them)."""
    planes = itertools.chain(range(0x7F, 0x30000), range(0xE0000, 0xE1000))
    codes = [cp for cp in planes if unicodedata.category(chr(cp)) in ("Cf", "Cc", "Cs", "Zl", "Zp")]
    return re.compile("[" + "".join(re.escape(chr(c)) for c in codes) + "]")
