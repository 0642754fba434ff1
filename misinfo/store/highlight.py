"""Snippets with the query's words marked, computed on the matching text and shown on the original.

The query's words are found in the folded matching text (`misinfo.deobfuscate`: evasion tricks
undone), and its offset map marks the span the poster wrote: a search for `sáp nhập` marks
`s.á.p n.h.ậ.p`. Both backends use this so a hit looks the same whichever store answered.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from misinfo.deobfuscate import deobfuscate, match_text
from misinfo.domain import Post
from misinfo.safe import visible
from misinfo.text import fold, nfc

SNIPPET_CHARS = 220
_WORD_RE = re.compile(r"\w+")


def written_as(text: str, phrase: str) -> str | None:
    """How `text` writes `phrase` where the matching text has it (`s.á.p n.h.ậ.p` for `sáp nhập`),
    or None when it does not; an analyst sees the very characters a tag was given for."""
    words = _WORD_RE.findall(fold(match_text(phrase)))
    if not words:
        return None
    text = nfc(text)
    mapped = deobfuscate(text)
    pattern = re.compile(r"(?<!\w)" + r"\W+".join(re.escape(w) for w in words) + r"(?!\w)")
    found = pattern.search(fold(mapped.text))
    if found is None:
        return None
    start, end = mapped.span(*found.span())
    return text[start:end]


def hit_snippets(post: Post, words: Sequence[Sequence[str]]) -> tuple[str, str]:
    """A hit's caption snippet, and its transcript's when the query's words are in the transcript ("" else)."""
    caption = snippet(post.text, words)
    if post.transcript is None or not words:
        return caption, ""
    spoken = snippet(post.transcript.text, words)
    return caption, spoken if "<mark>" in spoken else ""


def snippet(text: str, words: Sequence[Sequence[str]], width: int = SNIPPET_CHARS) -> str:
    """HTML-escaped excerpt around the first match, matches wrapped in `<mark>`, invisible controls removed."""
    text = nfc(text)
    flat = sorted({w for phrase in words for w in phrase if w}, key=len, reverse=True)
    spans: list[tuple[int, int]] = []
    if flat:
        mapped = deobfuscate(text)
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in flat) + r")(?!\w)")
        for m in pattern.finditer(fold(mapped.text)):
            s, e = mapped.span(*m.span())
            if spans and s <= spans[-1][1]:  # two words from one joined run (`s.á.p.n.h.ậ.p`): one mark
                spans[-1] = (spans[-1][0], max(e, spans[-1][1]))
            else:
                spans.append((s, e))
    if len(text) <= width:
        start, end = 0, len(text)
    else:
        first = spans[0][0] if spans else 0
        start = max(0, first - width // 3)
        end = min(len(text), start + width)
        start = max(0, end - width)
    out: list[str] = ["…" if start > 0 else ""]
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(visible(text[pos:s])))
        out.append("<mark>" + html.escape(visible(text[s:e])) + "</mark>")
        pos = e
    out.append(html.escape(visible(text[pos:end])))
    if end < len(text):
        out.append("…")
    return "".join(out)
