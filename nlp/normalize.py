"""Normalisation: one canonical form of a Vietnamese post before anything looks at it.

Tricks that evade keyword filters undone (`misinfo.deobfuscate`: invisible characters, look-alike
letters, split words, leetspeak), NFC, one tone-mark placement and punctuation split off (underthesea's `text_normalize`), common
social-media shorthand spelled out, URLs/handles/hashtags/emoji kept apart from the words, and a
folded form (`misinfo.text.fold`) so phrases typed without diacritics match the same rules.
The tokens are kept so segmentation does not tokenize the text a second time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from misinfo.deobfuscate import match_text
from misinfo.text import fold, nfc

# Tagging looks at this much of a post: a 100 KB wall of text is still tagged (on its beginning),
# never dropped, and never stalls a batch.
MAX_ANALYSED_CHARS = 20_000

_URL_RE = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|vn|top|xyz|online|site|shop|club|"
    r"live|link|app|io|me|cc|tk|ml|ga|cf|gq|icu|vip|asia|biz)(?:/\S*)?\b",
    re.IGNORECASE,
)
_URL_HINT_RE = re.compile(r"://|www\.|\w\.[a-zA-Z]{2}")  # cheap test before the full URL pattern
_HANDLE_RE = re.compile(r"(?<![\w.])@[\w.]{2,}")
_HASHTAG_RE = re.compile(r"#(\w+)")
_EMOJI_RE = re.compile(
    "[\U0001f000-\U0001faff\U0001f1e6-\U0001f1ff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\u20e3\u3030\u303d]+"
)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffd\ud800-\udfff]")
_MONEY_RE = re.compile(r"\b(\d+(?:[.,]\d+)?)\s?(k|tr|ty|tỷ|tỉ|m)\b(?!\s*(?:đồng|dong|usd|đô))", re.IGNORECASE)
# "1,7 tỉ" and "1.7ty" both become "1,7 tỷ đồng": one spelling of money for the rules and the model
_MONEY_UNITS = {"k": "nghìn đồng", "tr": "triệu đồng", "ty": "tỷ đồng", "tỷ": "tỷ đồng", "tỉ": "tỷ đồng", "m": "triệu đồng"}

# Social-media shorthand → the words it stands for (matched on the lowercased token). Only
# forms that are unambiguous in posts; `a`/`e` (anh/em) or `mk` (mình/mật khẩu) are left alone.
SHORTHAND: dict[str, str] = {
    "ko": "không", "k": "không", "khg": "không", "kg": "không", "hok": "không",
    "hem": "không", "hông": "không",
    "dc": "được", "đc": "được", "dx": "được",
    "vs": "với", "j": "gì", "z": "vậy", "v": "vậy", "zậy": "vậy",
    "tp": "thành phố", "tx": "thị xã", "ng": "người", "ngta": "người ta", "mn": "mọi người",
    "mng": "mọi người", "bn": "bao nhiêu", "r": "rồi", "rùi": "rồi", "cx": "cũng", "cg": "cũng",
    "bít": "biết", "bik": "biết", "wa": "quá", "qá": "quá", "trc": "trước", "ntn": "như thế nào",
    "hqua": "hôm qua", "lm": "làm", "ns": "nói", "bh": "bây giờ", "bjo": "bây giờ",
    "ck": "chuyển khoản", "stk": "số tài khoản", "tk": "tài khoản", "sđt": "số điện thoại",
    "sdt": "số điện thoại", "ctv": "cộng tác viên", "cty": "công ty", "ad": "quản trị viên",
    "mxh": "mạng xã hội", "fb": "facebook",
    "cq": "cơ quan", "nn": "nhà nước", "ubnd": "ủy ban nhân dân",
    "tw": "trung ương", "bct": "bộ chính trị", "tbt": "tổng bí thư", "bch": "ban chấp hành",
    "đh": "đại hội", "tr": "triệu",
}
_YEAR_RE = re.compile(r"\d{4}")
_LONGEST_SHORTHAND = max(len(k) for k in SHORTHAND)


@dataclass(frozen=True, slots=True)
class Normalized:
    """A post's text in the forms the later steps need."""

    text: str  # normalised words, one space between tokens, hashtags and URLs removed
    tokens: tuple[str, ...]
    folded: str  # `fold(text)`: what rules, dedup and claims match on
    hashtags: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()
    emoji: tuple[str, ...] = ()
    truncated: bool = False
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def analysis_folded(self) -> str:
        """Folded words plus hashtag words: what the tagger reads (hashtags carry topic)."""
        if not self.hashtags:
            return self.folded
        return self.folded + " " + " ".join(fold(h) for h in self.hashtags)


def _text_normalize(text: str) -> str:
    from underthesea import text_normalize  # underthesea loads lazily; never at import

    return text_normalize(text)


def expand_shorthand(tokens: list[str]) -> list[str]:
    """Spell out shorthand tokens; `SN 1990` is a birth year, `sn` alone a birthday."""
    out: list[str] = []
    for i, tok in enumerate(tokens):
        if len(tok) > _LONGEST_SHORTHAND:  # most tokens: no need to look them up
            out.append(tok)
            continue
        low = tok.lower()
        if low == "sn":
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            out.extend(("sinh", "năm") if _YEAR_RE.fullmatch(nxt) else ("sinh", "nhật"))
            continue
        full = SHORTHAND.get(low)
        if full is None:
            out.append(tok)
        else:
            out.extend(full.split())
    return out


def _take(pattern: re.Pattern[str], text: str, group: int) -> tuple[tuple[str, ...], str]:
    """What a pattern finds, and the text with each find replaced by a space."""
    found: list[str] = []

    def keep(m: re.Match[str]) -> str:
        found.append(m.group(group))
        return " "

    rest = pattern.sub(keep, text)
    return tuple(found), rest


def normalize(raw: str | None) -> Normalized:
    """Normalise one text; never raises on odd input (empty, emoji only, mixed scripts, huge)."""
    text = nfc(raw or "")
    truncated = len(text) > MAX_ANALYSED_CHARS
    if truncated:
        text = text[:MAX_ANALYSED_CHARS]
    text = match_text(text)
    text = _CONTROL_RE.sub(" ", text)
    urls, text = _take(_URL_RE, text, 0) if _URL_HINT_RE.search(text) else ((), text)
    handles, text = _take(_HANDLE_RE, text, 0) if "@" in text else ((), text)
    hashtags, text = _take(_HASHTAG_RE, text, 1) if "#" in text else ((), text)
    emoji, text = _take(_EMOJI_RE, text, 0)
    text = _MONEY_RE.sub(lambda m: f"{m.group(1)} {_MONEY_UNITS[m.group(2).lower()]}", text)
    tokens = expand_shorthand(_text_normalize(text).split()) if text.strip() else []
    joined = " ".join(tokens)
    return Normalized(
        text=joined,
        tokens=tuple(tokens),
        folded=fold(joined),
        hashtags=hashtags,
        urls=urls,
        handles=handles,
        emoji=emoji,
        truncated=truncated,
    )
