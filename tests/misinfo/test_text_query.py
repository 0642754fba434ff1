"""Folding and the shared query parser."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from misinfo.errors import QueryError
from misinfo.query import parse_query
from misinfo.text import fold, nfc


@pytest.mark.parametrize(
    ("raw", "folded"),
    [("Đồng Nai", "dong nai"), ("SÁP NHẬP", "sap nhap"), ("đăk lăk", "dak lak"), ("Hoà Bình", "hoa binh"),
     ("Thừa Thiên–Huế 🙂", "thua thien–hue 🙂")],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@given(st.text())
def test_fold_keeps_offsets(s: str) -> None:
    assert len(fold(s)) == len(nfc(s))


def test_decomposed_input_folds_like_composed() -> None:
    decomposed = "Đo\u0302\u0300ng"  # o + circumflex + grave, as some keyboards send
    assert fold(decomposed) == fold("Đồng") == "dong"


def test_parse_and_or_phrase_exclude() -> None:
    p = parse_query('sáp nhập "Đồng Nai" -lừa OR tỉnh')
    assert [[t.words for t in g] for g in p.groups] == [[("sap",)], [("nhap",)], [("dong", "nai")], [("tinh",)]]
    assert [t.words for t in p.excluded] == [("lua",)]
    p = parse_query("a OR b c")
    assert [[t.words for t in g] for g in p.groups] == [[("a",), ("b",)], [("c",)]]


@pytest.mark.parametrize("junk", ["OR OR", "-", '"', "()", "* ^ :", ""])
def test_junk_parses_to_nothing(junk: str) -> None:
    assert parse_query(junk).is_empty


def test_limits() -> None:
    with pytest.raises(QueryError, match="too long"):
        parse_query("x" * 501)
    with pytest.raises(QueryError, match="too many"):
        parse_query(" ".join(f"w{i}" for i in range(40)))


@given(st.text(max_size=120))
def test_parser_never_raises_on_anything_short(s: str) -> None:
    with contextlib.suppress(QueryError):
        parse_query(s)
