"""Vietnamese text folding shared by the stores, the rules and claim matching.

What is folded is the matching text (`misinfo.deobfuscate.match_fold`: filter-evasion tricks undone
first); `fold` alone is the last, length-keeping step.

Folding maps each NFC character to exactly one character (no diacritics, đ→d, lowercase), so an
offset in the folded text is the same offset in the original: highlights are computed on the folded
form and shown on the original.
"""

from __future__ import annotations

import re
import unicodedata

_WORD_RE = re.compile(r"\w+", re.UNICODE)


class _FoldTable(dict[int, str]):
    """A `str.translate` table filled lazily: each code point is worked out once per process."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if ch in "đĐ":
            folded = "d"
        else:
            base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
            folded = base.lower() if base else ch
            if len(folded) != 1:  # keep offsets aligned: rare multi-char lowercasings stay as they are
                folded = ch
        self[code] = folded
        return folded


_TABLE = _FoldTable()


def nfc(text: str) -> str:
    """Unicode NFC: one code point per Vietnamese letter, as most keyboards produce."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lowercase, strip diacritics and fold đ/Đ to d; the result has the same length as `nfc(text)`."""
    return nfc(text).translate(_TABLE)


def words(text: str) -> list[str]:
    """Folded word tokens of the matching text, the unit that search and claim matching agree on."""
    from misinfo.deobfuscate import match_fold  # it builds on this module

    return _WORD_RE.findall(match_fold(text))
