"""The matching normalisation: what it undoes, what it leaves alone, its offset map, and its properties."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from misinfo.deobfuscate import _UNIT_RE as QUANTITY_RE
from misinfo.deobfuscate import deobfuscate, match_fold, match_text, resolve, syllables
from misinfo.text import fold, nfc
from nlp.evasion import CYRILLIC, ZERO_WIDTH


@pytest.mark.parametrize(
    ("evaded", "plain"),
    [
        ("s\u200bá\u200bp n\u200ch\u200dậ\u2060p", "sáp nhập"),  # zero-width space, non-joiner, joiner, word joiner
        ("lừ\u00ada đ\ufeffảo \u202esáp\u202c", "lừa đảo sáp"),  # soft hyphen, BOM, bidi override
        ("ｓáｐ 𝐧𝐡ậ𝐩 ⓣỉnh", "sáp nhập tỉnh"),  # fullwidth, mathematical bold, circled
        ("\u0441\u0430\u0301\u0440 nh\u0430\u0302\u0323\u0440", "cáp nhập"),  # Cyrillic с а р, marks kept
        ("Ѕáр Nhậр", "Sáp Nhập"),  # Cyrillic capitals and small letters, case kept
        ("ІN ΙΝ", "IN IN"),  # Cyrillic and Greek capital I (Unicode's prototype would be `l`)
        ("ρο\u0301st", "póst"),  # Greek rho and omicron
        ("s.á.p n.h.ậ.p", "sáp nhập"),
        ("s-á-p n_h_ậ_p", "sáp nhập"),
        ("s.á.p.n.h.ậ.p", "sáp nhập"),  # one run: split into the fewest syllables
        ("s. á. p", "sáp"),
        ("s á p n h ậ p", "sáp nhập"),
        ("S.Á.P N.H.Ậ.P", "SÁP NHẬP"),
        ("l@ 1ừa đả0", "la lừa đảo"),
        ("$ập nhậ7", "sập nhật"),
        ("fải wá jờ kái thíck", "phải quá giờ cái thích"),
    ],
)
def test_tricks_are_undone(evaded: str, plain: str) -> None:
    assert match_text(evaded) == plain
    assert match_fold(evaded) == fold(plain)


@pytest.mark.parametrize(
    "text",
    [
        "Công nghiệp 4.0, A.I, TP.HCM, Q.1, v.v.",  # numbers, abbreviations, two-letter forms
        "1.000.000đ, 1,5 tỷ, 10k, 5tr, 7h30, 7am, 1m7, quốc lộ 1A, lớp 1a, B1, F0, 10A1, H5N1, covid19",  # amounts, units, codes
        "Nguyễn T. Ra, Hồng Kông, fan cứng, ok, kpop",  # initials, names, loan words
        "https://tinhte.vn/a-b-c?x=1 bit.ly/abc t.co/x @tin.tuc #sapnhap",  # links and handles
        "ở à ạ, ờ ơ",  # one-letter words
        "Kể cả khi kỳ kiểm tra kết thúc",  # k where Vietnamese spells k
        "km² … ① ‼",  # symbols that read the same to every matcher
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert match_text(text) == text


def test_offsets_lead_back_to_what_the_poster_wrote() -> None:
    source = "Tin: s.á.p n\u200bh\u200bập 1ừa đả0 \u0441\u0430\u0301\u0440!"
    mapped = deobfuscate(source)
    folded = fold(mapped.text)
    assert folded == "tin: sap nhap lua dao cap!"
    for word, written in [("sap", "s.á.p"), ("nhap", "n\u200bh\u200bập"), ("lua", "1ừa"), ("dao", "đả0"),
                          ("cap", "\u0441\u0430\u0301\u0440"), ("tin", "Tin")]:
        start = folded.index(word)
        s, e = mapped.span(start, start + len(word))
        assert source[s:e] == written
    assert mapped.span(3, 3) == (3, 3)


def test_unchanged_text_has_the_identity_map() -> None:
    mapped = deobfuscate("sáp nhập tỉnh")
    assert mapped.starts is None and mapped.span(4, 8) == (4, 8)


def test_resolve_picks_known_syllables_only() -> None:
    assert resolve("1ừa") == "lừa"
    assert resolve("t1nh") == "tinh"
    assert resolve("L@") == "LA"
    assert resolve("xq7z") is None
    assert len(syllables()) > 5000 and "nhập" in syllables() and "nhap" in syllables()


# --- properties -----------------------------------------------------------------------------------
_SYLLABLES = sorted(s for s in syllables() if len(s) >= 2)
_PLAIN_WORDS = st.sampled_from(_SYLLABLES).map(lambda s: s.capitalize() if len(s) % 3 == 0 else s)
_SEPARATORS = st.sampled_from([" ", " ", " ", ", ", ". ", "\n", " - ", ": ", "! ", "? ", "… "])


@st.composite
def plain_vietnamese(draw: st.DrawFn) -> str:
    words = draw(st.lists(_PLAIN_WORDS, min_size=1, max_size=25))
    out = words[0]
    for w in words[1:]:
        out += draw(_SEPARATORS) + w
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plain_vietnamese())
def test_plain_vietnamese_is_unchanged(text: str) -> None:
    assert match_text(text) == text


@settings(max_examples=300, deadline=None)
@given(plain_vietnamese(), st.data())
def test_invisible_characters_anywhere_are_removed(text: str, data: st.DataObject) -> None:
    chars = list(text)
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(chars)))
        chars.insert(pos, data.draw(st.sampled_from(ZERO_WIDTH + ("\u202e", "\u2066", "\u034f", "\ufe0f"))))
    assert match_text("".join(chars)) == text


@settings(max_examples=300, deadline=None)
@given(plain_vietnamese())
def test_cyrillic_look_alikes_read_as_latin(text: str) -> None:
    decomposed = (unicodedata.normalize("NFD", ch) for ch in text)
    evaded = "".join(CYRILLIC.get(d[0], d[0]) + d[1:] for d in decomposed)
    assert match_text(evaded) == text


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([s for s in _SYLLABLES if len(s) >= 3]))
def test_dotted_syllables_are_joined(syllable: str) -> None:
    assert match_fold(".".join(syllable)) == fold(syllable)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([s for s in _SYLLABLES if len(s) >= 3 and any(c in "oet" for c in s)]))
def test_unambiguous_leet_is_undone(syllable: str) -> None:
    leet = syllable.replace("o", "0").replace("e", "3").replace("t", "7")
    assume(not QUANTITY_RE.fullmatch(leet))  # `7am`, `3m`: a time or an amount (tested above), not leet
    digits = sum(c.isdigit() for c in leet)
    if leet.isascii() and digits >= 2 and digits >= len(leet) - digits:
        assert match_text(leet) == leet  # `b30`, `7r0`: read as a code (`10A1`, `H5N1`), not leet
    else:
        assert match_text(leet) == syllable


_ANY_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list("sápnhậ.-_ @$01347|!") + list(ZERO_WIDTH) + list(CYRILLIC.values()) + ["\u0301", "\u0323"]),
    ),
    max_size=80,
)


@settings(max_examples=500, deadline=None)
@given(_ANY_TEXT)
@example("L@<0")  # undoing the leet `@` reveals a split word: found by hypothesis, needs a second round
def test_never_raises_and_is_idempotent(text: str) -> None:
    text = nfc(text)
    mapped = deobfuscate(text)
    assert mapped.text == nfc(mapped.text)
    assert match_text(mapped.text) == mapped.text
    assert len(fold(mapped.text)) == len(mapped.text)
    # the offset map: every character comes from inside the source, in order
    spans = [mapped.span(i, i + 1) for i in range(len(mapped.text))]
    assert all(0 <= s <= e <= len(text) for s, e in spans)
    assert all(a[0] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_written_as_gives_the_span_a_phrase_matched() -> None:
    from misinfo.store.highlight import written_as

    assert written_as("Tin: s.á.p n\u200bh\u200bập tỉnh ngay", "sáp nhập tỉnh") == "s.á.p n\u200bh\u200bập tỉnh"
    assert written_as("1ừa đả0 qua mạng", "lừa đảo") == "1ừa đả0"
    assert written_as("sáp nhập ngân hàng", "sáp nhập tỉnh") is None  # the words must be adjacent
