"""Filter-evasion tricks posters use, applied on purpose to measure how matching survives them.

Each trick rewrites a third to a half of a text's words (chosen at random, seeded by the text so a
run is reproducible) the way people do to slip past keyword filters: invisible characters inside
words, dots between letters, Cyrillic look-alike letters, leetspeak, ALL CAPS without diacritics.
`bench/evasion.py` and the tests score the tagger on clean and evaded copies of each labelled set.
"""

from __future__ import annotations

import random
import re
import unicodedata
import zlib
from collections.abc import Callable

from misinfo.text import fold

ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
# Latin letter → the Cyrillic letter drawn the same (the ones homoglyph generators use)
CYRILLIC = {
    "a": "а", "c": "с", "e": "е", "i": "і", "o": "о", "p": "р", "x": "х", "y": "у", "s": "ѕ", "h": "һ",
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "I": "І", "K": "К", "M": "М", "O": "О", "P": "Р",
    "T": "Т", "X": "Х", "Y": "У",
}
# plain letter → what leetspeak writes for it (the issue's `l@ 1ừa đả0`)
LEET = {"a": "4@", "e": "3", "i": "1", "o": "0", "l": "1", "s": "5$", "t": "7", "g": "9", "b": "8"}

_WORD_RE = re.compile(r"[^\W\d_]+")


def _zero_width(word: str, rng: random.Random) -> str:
    return "".join(ch + (rng.choice(ZERO_WIDTH) if i < len(word) - 1 else "") for i, ch in enumerate(word))


def _dots(word: str, rng: random.Random) -> str:
    return ".".join(word)


def _cyrillic(word: str, rng: random.Random) -> str:
    """Every letter whose base has a Cyrillic twin swaps it, keeping its marks (`ậ` → Cyrillic а + ̂ + ̣)."""
    out = []
    for ch in word:
        decomposed = unicodedata.normalize("NFD", ch)
        out.append(CYRILLIC.get(decomposed[0], decomposed[0]) + decomposed[1:])
    return "".join(out)


def _leet(word: str, rng: random.Random) -> str:
    """Plain letters (no diacritics) that have a leet form take it; marked letters stay."""
    return "".join(rng.choice(LEET[ch.lower()]) if ch.lower() in LEET else ch for ch in word)


def _caps(word: str, rng: random.Random) -> str:
    return fold(word).upper()


TRICKS: dict[str, Callable[[str, random.Random], str]] = {
    "zero_width": _zero_width,
    "dots": _dots,
    "cyrillic": _cyrillic,
    "leet": _leet,
    "caps": _caps,
}


def evade(text: str, trick: str, *, share: tuple[float, float] = (1 / 3, 1 / 2), seed: int = 0) -> str:
    """`text` with `trick` applied to a random `share` (a third to a half) of its words.

    Words are runs of letters; a word of one letter is still a word (it counts and may be picked).
    """
    apply = TRICKS[trick]
    text = unicodedata.normalize("NFC", text)
    rng = random.Random(zlib.crc32(f"{seed}:{trick}:{text}".encode()))
    spans = [m.span() for m in _WORD_RE.finditer(text)]
    if not spans:
        return text
    k = max(1, round(len(spans) * rng.uniform(*share)))
    chosen = set(rng.sample(range(len(spans)), min(k, len(spans))))
    out, pos = [], 0
    for i, (s, e) in enumerate(spans):
        if i in chosen:
            out.append(text[pos:s])
            out.append(apply(text[s:e], rng))
            pos = e
    out.append(text[pos:])
    return "".join(out)
