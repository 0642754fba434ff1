"""Outputs made inert: what is shown, what a spreadsheet reads, what JSON carries (with properties)."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from misinfo.safe import EXCEL_CELL_LIMIT, csv_cell, json_dumps, safe_url, visible
from tests.hostile import FORMULA_START, HOSTILE_TEXTS, RLO, hidden_chars

_HOSTILE_ALPHABET = st.one_of(
    st.characters(codec="utf-8"),
    st.characters(categories=["Cf", "Cc", "Zl", "Zp"]),
    st.sampled_from(list("=+-@\t\r\n ＝＋－＠") + ["\u200d", "👨", "\ud800"]),
)


def test_visible_drops_what_draws_nothing_and_keeps_emoji_joiners() -> None:
    assert visible(HOSTILE_TEXTS["bidi"]) == "Sáp nhập tỉnh: tải danh sách gnp.exe tại đây x"
    assert visible(HOSTILE_TEXTS["zero_width"]) == "sáp nhập tỉnh: danh sách mới"
    assert visible("👨\u200d👩\u200d👧 ❤️") == "👨\u200d👩\u200d👧 ❤️"  # a family emoji stays one emoji
    assert visible("a\u2028b\x07c\ud800") == "a\nbc\ufffd"
    assert visible("Bình thường, không có gì lạ.\n\tDòng hai") == "Bình thường, không có gì lạ.\n\tDòng hai"


def test_csv_cells_never_start_a_formula() -> None:
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("+cmd") == "'+cmd" and csv_cell("-2") == "'-2"
    assert csv_cell("@SUM(1)") == "'@SUM(1)" and csv_cell("\t=1") == "'\t=1" and csv_cell("\r=1") == "'\r=1"
    assert csv_cell("\u200b=1") == "'=1" and csv_cell(" =1") == "' =1" and csv_cell("＝1") == "'＝1"
    assert csv_cell("sáp nhập") == "sáp nhập" and csv_cell(-5) == -5 and csv_cell(None) is None
    assert len(csv_cell("x" * 40_000)) == EXCEL_CELL_LIMIT - 1


def test_safe_url_only_for_web_pages() -> None:
    assert safe_url(" https://example.test/a ") == "https://example.test/a"
    assert safe_url("javascript:alert(1)") is None and safe_url("data:text/html,x") is None
    assert safe_url("//evil.example") is None and safe_url("http://") is None and safe_url(None) is None


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=_HOSTILE_ALPHABET, max_size=60))
def test_any_text_is_inert_in_every_output(text: str) -> None:
    shown = visible(text)
    assert not hidden_chars(shown) and RLO not in shown
    cell = csv_cell(text)
    assert not cell.lstrip(" ").startswith(FORMULA_START) and not hidden_chars(cell)
    row = next(csv.reader(io.StringIO(_csv_line(cell))))
    assert row == [cell]  # the csv module quotes what needs quoting
    dumped = json_dumps({"text": text})
    assert not hidden_chars(dumped)
    assert json.loads(dumped) == {"text": text}  # JSON is lossless


def _csv_line(cell: str) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([cell])
    return out.getvalue()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.one_of(_HOSTILE_ALPHABET, st.sampled_from(list("<>&\"'sápnhậ. "))), max_size=80),
       st.lists(st.sampled_from(["sap", "nhap", "script", "a", "x"]), max_size=3))
def test_search_snippets_are_inert_for_any_text(text: str, words: list[str]) -> None:
    from misinfo.store.highlight import snippet

    out = snippet(text, [(w,) for w in words])
    assert not hidden_chars(out)
    assert "<" not in out.replace("<mark>", "").replace("</mark>", "")  # the only markup is the mark
