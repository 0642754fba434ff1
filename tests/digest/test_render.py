"""Rendering: Vietnamese text, escaped post text, links only from http(s) URLs, a real PNG chart."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest

from misinfo.digest.render import COLORS, render_digest, safe_url
from tests.digest.conftest import EVIL_URL, compose


class Tags(HTMLParser):
    """Every start tag and every href, as a browser or mail client would parse them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name == "href":
                self.hrefs.append(value)
            if name == "src":
                self.srcs.append(value)

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Tags:
    p = Tags()
    p.feed(html)
    return p


@pytest.fixture()
def rendered(home):
    return render_digest(compose(home), chart_cid="chart-123@test")


def test_hostile_post_text_arrives_inert(rendered):
    _subject, html, text, _png = rendered
    tags = parse(html)
    assert "script" not in tags.tags
    assert not any("evil.example" in h for h in tags.hrefs)  # the forged link is text, not a link
    assert not any(h.lower().startswith("javascript:") for h in tags.hrefs)
    visible = "".join(tags.text)
    assert '<script>alert("xss")</script>' in visible  # shown to the reader as the text it was
    assert '<a href="https://evil.example/login">Cổng thông tin Chính phủ</a>' in visible
    assert "&lt;script&gt;" in html
    assert EVIL_URL not in text  # the plain-text version prints no javascript: "link" either
    # every link is a post, the fact-check source or the dashboard
    assert set(tags.hrefs) <= {*(h for h in tags.hrefs if h.startswith("https://example.test/")),
                              "https://moha.gov.vn/", "https://giamsat.example.vn/"}
    assert "https://giamsat.example.vn/" in tags.hrefs


def test_vietnamese_content_numbers_and_chart_reference(rendered):
    subject, html, text, _png = rendered
    assert subject.startswith("[Giám sát tin giả] Bản tin ngày 08/11/2026")
    assert "1 chủ đề tăng mạnh (Sáp nhập tỉnh, xã)" in subject
    for body in (html, text):
        assert "Sáp nhập tỉnh, xã" in body
        assert "Chủ nhật, 08/11/2026" in body or "Chủ Nhật, 08/11/2026" in body
        assert "5.000 tương tác" in body  # Vietnamese thousands separator
    assert "20:00 08/11/2026" in html and "13:00 08/11/2026" not in html  # Asia/Ho_Chi_Minh, not UTC
    assert "cid:chart-123@test" in parse(html).srcs
    assert "Danh sách sáp nhập 63 tỉnh thành còn 31 tỉnh" in html  # the false claim, from the registry


def line_rows(png: bytes, colour: str, from_x: int = 120) -> dict[int, float]:
    """Per pixel column right of the legend: the mean row of the pixels drawn in `colour`."""
    import numpy as np
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size) == ("PNG", (720, 300))
    rgb = np.asarray(image.convert("RGB")).astype(int)
    target = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    ys, xs = (np.abs(rgb - target).sum(axis=2) < 30).nonzero()
    return {x: float(ys[xs == x].mean()) for x in sorted(set(xs.tolist())) if x >= from_x}


def test_chart_draws_each_narrative_to_scale(rendered):
    """Decode the PNG: the province-merger line (2 posts a day, then 25 on the digest's day) runs
    level and then climbs at the right edge; the scam line (4 a day) runs level just above it.
    Rows grow downwards, and the heights keep the numbers' proportions (2 : 23)."""
    merger, scams = line_rows(rendered[3], COLORS[0]), line_rows(rendered[3], COLORS[3])  # taxonomy order
    assert len(merger) > 400 and len(scams) > 400  # both lines cross the plot
    last = max(merger)
    level = [y for x, y in merger.items() if x < last - 60]
    climb = [y for x, y in merger.items() if x >= last - 40]
    assert max(level) - min(level) < 2 and max(scams.values()) - min(scams.values()) < 2
    assert climb == sorted(climb, reverse=True)  # rising to the last day
    two, four, peak = sum(level) / len(level), sum(scams.values()) / len(scams), merger[last]
    assert peak < four < two
    assert 0.07 < (two - four) / (two - peak) < 0.11  # (4 − 2) / (25 − 2) ≈ 0.087


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.facebook.com/x/posts/1", True),
        ("http://tiktok.com/@a/video/1", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//evil.example/x", False),
        ("https://", False),
        ("", False),
        (None, False),
    ],
)
def test_safe_url(url, ok):
    assert (safe_url(url) is not None) is ok
