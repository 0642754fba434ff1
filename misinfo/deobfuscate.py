"""The text matching reads: posts undone of the tricks people use to slip past keyword filters.

The people this tool watches know keyword filters exist. Before anything matches a post (the tagger,
the stores' search on both sides, near-duplicate groups, claim matching), its text is undone of:

1. format characters (Unicode category Cf: zero-width spaces and joiners, soft hyphens, bidi
   controls, tag characters) and the other default-ignorable code points (variation selectors,
   combining grapheme joiner, Hangul fillers), which draw nothing;
2. compatibility forms (NFKC: fullwidth `ｓáｐ`, mathematical `𝐬𝐚𝐩`, ligatures, circled letters);
3. look-alike letters from other scripts (Unicode's confusables data, as shipped by the
   `confusable-homoglyphs` package): Cyrillic `р`, `а`, `о`, Greek `ο`, …, marks kept (`ậ` written
   as Cyrillic `а` + marks is `ậ`);
4. letters split by dots, dashes, other symbols or spaces inside a word (`s.á.p`, `n-h-ậ-p`,
   `s á p`), joined when the joined word is Vietnamese (one syllable, or up to four run together);
5. leetspeak (`l@`, `1ừa`, `đả0`) and common teencode (`fải`, `wá`, `jờ`, `kái`, `thíck`) where the
   result is a known Vietnamese syllable.

"Vietnamese" means a syllable of underthesea's Viet74K word list (shipped in its package) that is
shaped like a Vietnamese syllable. Plain Vietnamese text comes out unchanged but for its invisible
characters and compatibility forms, so its matching result is unchanged. The original text is what
is stored and shown: `Mapped.span` takes a span of the matching text back to the original, so a
highlight marks what the poster wrote (`s.á.p` for a search on `sáp`).

Not handled (documented in README): letters replaced by images or emoji (`🅰`, regional
indicators), words split by newlines or by two or more spaces between single letters only two long,
look-alikes that are digits rather than letters (Cyrillic `З` for 3), deliberate misspellings that
are not leet or the teencode above (`sáp nhậb`), transliteration into another alphabet, text in
images or in the video itself, and two-letter words split by symbols (`l.à`: too many
abbreviations look the same).
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from misinfo.text import fold, nfc

VERSION = "2"  # bump when the output changes: stored folded text and tags are recomputed
MATCH_CHARS = 100_000  # how much of a text is undone (posts are capped well below; see `deobfuscate`)

# --- 1. invisible characters ----------------------------------------------------------------------
_SCAN_LIMIT = 0x30000  # planes 0-2: every code point NFKC or the confusables change lives there
# default-ignorable code points that are not Cf (Unicode's DerivedCoreProperties)
_IGNORABLE_EXTRA = "\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0000-\U000e0fff"


def _ranges(codes: Sequence[int]) -> str:
    """A regex character class body for sorted code points, as ranges."""
    out: list[str] = []
    for _, group in itertools.groupby(enumerate(codes), key=lambda p: p[1] - p[0]):
        run = [c for _, c in group]
        out.append(re.escape(chr(run[0])) + ("-" + re.escape(chr(run[-1])) if len(run) > 1 else ""))
    return "".join(out)


@functools.cache
def _tables() -> tuple[re.Pattern[str], frozenset[str], dict[int, str]]:
    """The invisible-character pattern, the characters NFKC or the confusables may change, and the
    look-alike → Latin letter map; built once per process (a scan of planes 0-2 takes ~50 ms)."""
    from confusable_homoglyphs.confusables import confusables_data

    cf, compat, marks = [], [], []
    for cp in range(_SCAN_LIMIT):
        ch = chr(cp)
        cat = unicodedata.category(ch)
        if cat == "Cf":
            cf.append(cp)
        elif cat[0] == "M":
            marks.append(cp)
        if unicodedata.normalize("NFKC", ch) != ch:
            compat.append(cp)
    lookalike: dict[int, str] = {}
    for ch, glyphs in confusables_data.items():
        if len(ch) != 1 or ch.isascii() or ch in "đĐ" or not unicodedata.category(ch).startswith("L"):
            continue
        if unicodedata.normalize("NFD", ch)[0].isascii():  # a Latin letter with marks: Vietnamese `ơ`, `ạ`
            continue
        latin = [g["c"] for g in glyphs if len(g["c"]) == 1 and g["c"].isascii() and g["c"].isalpha()]
        if latin:
            lookalike[ord(ch)] = latin[0]
    # Unicode's prototype for I-like capitals is `l` (`I`, `l`, `1` draw alike); Cyrillic `І` is the
    # capital of `і`, which is `i`: a capital maps to its small letter's look-alike, capitalised
    for code, latin_letter in list(lookalike.items()):
        small = chr(code).lower()
        if chr(code).isupper() and latin_letter.islower() and len(small) == 1 and ord(small) in lookalike:
            lookalike[code] = lookalike[ord(small)].upper()
    # a look-alike with marks composed into one code point (Cyrillic `ѐ` is `е` + grave)
    composed = [cp for cp in range(_SCAN_LIMIT) if ord(unicodedata.normalize("NFD", chr(cp))[0]) in lookalike]
    invisible = re.compile("[" + _ranges(cf) + "]|[" + _IGNORABLE_EXTRA + "]")
    # what NFKC or the look-alike map may change, and combining marks (which join the letter before)
    special = frozenset(map(chr, set(compat) | set(lookalike) | set(composed) | set(marks)))
    return invisible, special, lookalike


# --- the syllables that count as Vietnamese ---------------------------------------------------------
# onset, vowels, coda of a Vietnamese syllable, written without diacritics
_SYLLABLE_SHAPE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt]|)")


def _wordlist() -> Path:
    spec = importlib.util.find_spec("underthesea")  # located, not imported: importing it is slow
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("underthesea is not installed: its Viet74K word list is needed for matching")
    path = Path(next(iter(spec.submodule_search_locations))) / "corpus" / "data" / "Viet74K.txt"
    if not path.is_file():
        raise RuntimeError(f"underthesea's word list is missing at {path}: reinstall underthesea")
    return path


@functools.cache
def syllables() -> dict[str, int]:
    """Known Vietnamese syllables (lowercase NFC, and each also without diacritics) → how many
    dictionary words use it (the tie-breaker between two readings of `1`)."""
    with open(_wordlist(), encoding="utf-8") as fh:
        used = Counter(nfc(fh.read()).lower().split())
    counts = {syl: n for syl, n in used.items() if syl.isalpha() and _SYLLABLE_SHAPE.fullmatch(fold(syl))}
    for syl, n in list(counts.items()):
        plain = fold(syl)
        counts[plain] = counts.get(plain, 0) + n if plain != syl else counts[plain]
    return counts


# --- 4-5. split words, leetspeak, teencode -------------------------------------------------------------
LEET: dict[str, str] = {"0": "o", "1": "li", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
                        "@": "a", "$": "s", "€": "e", "!": "i", "|": "l"}
_MAX_VARIANTS = 32
_TEEN: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (  # teencode → standard spelling, tried on
    (re.compile(r"^f"), ("ph",)),                                   # words with a Vietnamese letter only
    (re.compile(r"^w"), ("qu",)),
    (re.compile(r"^j"), ("gi",)),
    (re.compile(r"^dz"), ("d", "v")),
    (re.compile(r"^z"), ("v", "d", "gi")),
    (re.compile(r"^k(?=[aăâoôơuưáàảãạắằẳẵặấầẩẫậóòỏõọốồổỗộớờởỡợúùủũụứừửữự])"), ("c",)),
    (re.compile(r"ck$"), ("ch",)),
)
# a token with a leet character between letters: `l@`, `1ừa`, `đả0`, `t!nh` (not a trailing `!`)
_LEETY_RE = re.compile(r"(?<![\w@$€|!])(?=[\w@$€|!]*[^\W\d_])(?=[\w@$€|!]*[\d@$€|!])[\w@$€|]+(?:!+[\w@$€|]+)*")
# `1m`, `7h`, `10k`, `5tr`: a quantity; `1A`, `4C`, `B1`, `F0`, `U23`: a road, class or code; not leet
_UNIT_RE = re.compile(r"\d+(?:[a-zđ]|cm|mm|km|kg|mg|ml|tr|ty|gb|mb|tb|ha|st|nd|rd|th|am|pm)|[a-z]\d+", re.IGNORECASE)
_TEENY_RE = re.compile(r"(?<!\w)(?=\w*[^\x00-\x7f])(?:[fwjz]\w*|k(?!h)\w*|\w*ck(?!\w))", re.IGNORECASE)
_LEET_HINT_RE = re.compile(r"[^\W\d_][\d@$€|!]|[\d@$€|][^\W\d_]")  # cheap test before `_LEETY_RE`
# letters split by symbols: chunks of letters/leet joined by 1-3 symbols (spaces around allowed)
_SEP_CHARS = r"[.\-_*·•/\\|~+^'`…=#%&><]{1,3}"
_SEP = rf"[ \t]?{_SEP_CHARS}[ \t]?"
_CHUNK = r"[^\W_]+|[@$€]"
_SPLIT_RE = re.compile(rf"(?<![\w@$€])(?:{_CHUNK})(?:(?:{_SEP})(?:{_CHUNK})){{1,40}}(?![\w@$€])")
# cheap test before `_SPLIT_RE`: a one-character chunk next to a separator
_SPLIT_HINT_RE = re.compile(rf"(?<![^\W_])[^\W_][ \t]?{_SEP_CHARS}|{_SEP_CHARS}[ \t]?[^\W_](?![^\W_])")
_SPACED_RE = re.compile(r"(?<!\S)(?:[^\W\d_] ){2,40}[^\W\d_](?!\S)")  # `s á p n h ậ p`
_CHUNK_RE = re.compile(_CHUNK)


def _is_code(word: str) -> bool:
    """`10A1`, `H5N1`, `b40`: letters and two or more digits, more digits than letters: a code, not leet."""
    digits = sum(ch.isdigit() for ch in word)
    return word.isascii() and digits >= 2 and digits >= sum(ch.isalpha() for ch in word)


def _case_like(word: str, model: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


def _known(word: str) -> bool:
    return word in syllables()


def _variants(low: str) -> list[str]:
    """Readings of a lowercase word with its leet characters undone (at most `_MAX_VARIANTS`)."""
    options = [LEET.get(ch, ch) for ch in low]
    return [nfc("".join(combo)) for combo in itertools.islice(itertools.product(*options), _MAX_VARIANTS)]


@functools.lru_cache(maxsize=65536)
def resolve(word: str) -> str | None:
    """The known syllable `word` stands for (leet and teencode undone, case kept), or None."""
    low = nfc(word).lower()
    if _known(low):
        return word
    counts = syllables()
    found = [v for v in _variants(low) if v in counts] if any(ch in LEET for ch in low) else []
    if not found and not low.isascii() and word.islower():  # `Hồng Kông` is a name, not teencode
        for pattern, repls in _TEEN:
            for repl in repls:
                cand = pattern.sub(repl, low, count=1)
                if cand != low and cand in counts:
                    found.append(cand)
    if not found:
        return None
    return _case_like(max(found, key=lambda v: counts[v]), word)


def _split_known(joined: str) -> list[str] | None:
    """`joined` as one known syllable, or as the fewest (2-4) known syllables of 2+ letters each."""
    one = resolve(joined)
    if one is not None:
        return [one]
    n = len(joined)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(2, n + 1):
        for start in range(max(0, end - 7), end - 1):
            prev = best[start]
            if prev is None or len(prev) >= 4:
                continue
            piece = resolve(joined[start:end])
            if piece is not None and (best[end] is None or len(prev) + 1 < len(best[end] or ())):
                best[end] = prev + [piece]
    return best[n] if best[n] and len(best[n] or ()) > 1 else None


def _join(chunks: list[str], spaced: bool) -> str | None:
    """Chunks split by symbols joined into Vietnamese, or None when they are not a split word.

    `spaced`: a separator holds a space (`s. á. p`, `s á p`); then every chunk must be one letter
    and there must be three, since `Nguyễn T. Ra` or `ở a` are ordinary text.
    """
    if len(chunks) < 2 or not any(len(c) == 1 for c in chunks) or any(len(c) > 2 for c in chunks):
        return None
    if spaced and (len(chunks) < 3 or any(len(c) > 1 for c in chunks)):
        return None
    joined = "".join(chunks)
    letters = sum(ch.isalpha() for ch in joined)
    if len(joined) < 3 or letters * 3 < len(joined) * 2:  # `4.0`, `1.5`, `A.I`: numbers, two-letter forms
        return None
    parts = _split_known(joined)
    return " ".join(parts) if parts else None


# --- the offset-tracked text ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Mapped:
    """The matching text and, for each of its characters, the span of `source` it came from."""

    text: str
    source: str
    starts: array | None = None  # None: the identity (nothing changed)
    ends: array | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of `source` that the span `start:end` of `text` came from."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.source)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def _edit(m: Mapped, edits: list[tuple[int, int, str]]) -> Mapped:
    """Apply sorted, non-overlapping `(start, end, replacement)` edits of `m.text`, keeping the map."""
    if not edits:
        return m
    n = len(m.text)
    old_s: Sequence[int] = m.starts if m.starts is not None else range(n)
    old_e: Sequence[int] = m.ends if m.ends is not None else range(1, n + 1)
    parts: list[str] = []
    starts, ends = array("q"), array("q")
    pos = 0
    for s, e, repl in edits:
        parts.append(m.text[pos:s])
        starts.extend(old_s[pos:s])
        ends.extend(old_e[pos:s])
        if repl:
            src_s = old_s[s] if s < n else len(m.source)
            src_e = old_e[e - 1] if e > s else src_s
            parts.append(repl)
            starts.extend([src_s] * len(repl))
            ends.extend([src_e] * len(repl))
        pos = e
    parts.append(m.text[pos:])
    starts.extend(old_s[pos:])
    ends.extend(old_e[pos:])
    return Mapped("".join(parts), m.source, starts, ends)


def _clusters(text: str, special: frozenset[str]) -> list[tuple[int, int]]:
    """Spans of a letter with its combining marks around each `special` character of `text`."""
    out: list[tuple[int, int]] = []
    if special.isdisjoint(text):  # most posts: one pass in C
        return out
    n = len(text)
    for pos in (i for i, ch in enumerate(text) if ch in special):
        start = pos
        while start > 0 and unicodedata.combining(text[start]):
            start -= 1
        end = pos + 1
        while end < n and unicodedata.combining(text[end]):
            end += 1
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


def _undo_cluster(cluster: str, lookalike: dict[int, str]) -> str:
    return nfc(unicodedata.normalize("NFKD", cluster).translate(lookalike))


def deobfuscate(text: str) -> Mapped:
    """The matching text of `text` (taken as given; callers pass NFC) with its offset map.

    Only the first `MATCH_CHARS` characters are undone; the rest (of a text far longer than any
    post, see `misinfo.schema.MAX_TEXT_CHARS`) is matched as written, so no text can stall a batch.
    """
    if len(text) > MATCH_CHARS:
        head = _deobfuscate(text[:MATCH_CHARS])
        if head.starts is None or head.ends is None:
            return Mapped(text, text)
        starts, ends = array("q", head.starts), array("q", head.ends)
        starts.extend(range(MATCH_CHARS, len(text)))
        ends.extend(range(MATCH_CHARS + 1, len(text) + 1))
        return Mapped(head.text + text[MATCH_CHARS:], text, starts, ends)
    return _deobfuscate(text)


# Undoing one trick can reveal another (`L@<0`: the leet `@` makes `LA`, which then joins across the
# `<`), so the steps run again on their own output until nothing changes: the result is a fixed
# point, which is what makes the normalisation idempotent. Each round only shortens or keeps the
# text's tricks, so a handful of rounds is the most any text needs.
_MAX_ROUNDS = 4


def _deobfuscate(text: str) -> Mapped:
    m = Mapped(text, text)
    for _ in range(_MAX_ROUNDS):
        done = _round(m)
        if done.text == m.text:
            return done
        m = done
    return m


def _round(m: Mapped) -> Mapped:
    """One pass of every step over `m.text`, composing the offset map."""
    invisible, special, lookalike = _tables()
    if not m.text.isascii():
        m = _edit(m, [(a.start(), a.end(), "") for a in invisible.finditer(m.text)])
        edits = []
        for start, end in _clusters(m.text, special):
            cluster = m.text[start:end]
            undone = _undo_cluster(cluster, lookalike)
            # letters only: `km²`, `…`, `①` read the same to every matcher and stay as written
            if undone != cluster and (any(ch.isalpha() for ch in undone) or len(cluster) > 1):
                edits.append((start, end, undone))
        m = _edit(m, edits)
    edits = []
    runs = _SPLIT_RE.finditer(m.text) if _SPLIT_HINT_RE.search(m.text) else ()
    for r in itertools.chain(runs, _SPACED_RE.finditer(m.text)):
        edits.extend(_join_edits(m.text, r))
    m = _edit(m, _disjoint(edits))
    edits = []
    leety = _LEETY_RE.finditer(m.text) if _LEET_HINT_RE.search(m.text) else ()
    words = itertools.chain(
        (w for w in leety if not _UNIT_RE.fullmatch(w.group()) and not _is_code(w.group())),
        _TEENY_RE.finditer(m.text) if not m.text.isascii() else (),
    )
    for w in words:
        known = resolve(w.group())
        if known is not None and known != w.group():
            edits.append((w.start(), w.end(), known))
    return _edit(m, _disjoint(edits))


def _join_edits(text: str, run: re.Match[str]) -> list[tuple[int, int, str]]:
    """Edits joining the split words of one run: the longest stretches of short chunks that join."""
    chunks = [(c.start() + run.start(), c.end() + run.start(), c.group()) for c in _CHUNK_RE.finditer(run.group())]
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(chunks):
        if len(chunks[i][2]) > 2:
            i += 1
            continue
        j = i
        while j + 1 < len(chunks) and len(chunks[j + 1][2]) <= 2:
            j += 1
        # the longest stretch from chunk i that joins; else move on one chunk
        for end in range(j, i, -1):
            stretch = chunks[i : end + 1]
            spaced = any(" " in text[a[1] : b[0]] or "\t" in text[a[1] : b[0]] for a, b in itertools.pairwise(stretch))
            joined = _join([c[2] for c in stretch], spaced)
            if joined is not None:
                out.append((stretch[0][0], stretch[-1][1], _case_like(joined, "".join(c[2] for c in stretch))))
                i = end + 1
                break
        else:
            i += 1
    return out


def _disjoint(edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Edits sorted, overlapping ones dropped (the first found wins)."""
    out: list[tuple[int, int, str]] = []
    end = -1
    for e in sorted(edits, key=lambda x: (x[0], -x[1])):
        if e[0] >= end:
            out.append(e)
            end = e[1]
    return out


def match_text(text: str) -> str:
    """`text` as matching reads it (NFC, tricks undone, case and diacritics kept)."""
    return deobfuscate(nfc(text)).text


def match_fold(text: str) -> str:
    """`fold(match_text(text))`: what the stores index and search, and claims and dedup compare."""
    return fold(match_text(text))
