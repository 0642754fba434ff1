"""Digest → (subject, HTML, plain text, chart PNG), with Jinja2 templates in `templates/`.

Post text, sources and URLs are untrusted input: the HTML template is autoescaped, and a link is
only made from an http(s) URL, so a post carrying `<script>` or a forged `<a href>` arrives as text.
Every value printed by either template loses its invisible controls first (`finalize`), so a bidi
override cannot reorder what a reader sees.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from misinfo import fmt
from misinfo.digest.compose import Digest
from misinfo.safe import safe_url, visible

TEMPLATES = Path(__file__).parent / "templates"
CHART_CID = "chart"  # placeholder; `send` swaps in a unique Content-ID
COLORS = ("#c0392b", "#2980b9", "#8e44ad", "#d35400", "#16a085", "#7f8c8d")


@lru_cache(maxsize=4)
def environment(tz: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=lambda v: visible(v) if isinstance(v, str) and not isinstance(v, Markup) else v,
    )
    env.filters.update(
        number=fmt.number,
        signed=fmt.signed,
        percent=fmt.percent,
        duration=fmt.duration_vi,
        safe_url=safe_url,
        dt=lambda v: fmt.datetime_vi(v, tz),
        hm=lambda v: fmt.time_vi(v, tz),
        date_vi=fmt.date_vi,
    )
    return env


def subject(digest: Digest) -> str:
    n = len(digest.rising)
    head = f"[Giám sát tin giả] Bản tin ngày {fmt.date_vi(digest.day)}"
    if n:
        names = ", ".join(t.label for t in digest.rising[:2]) + ("…" if n > 2 else "")
        return f"{head}: {n} chủ đề tăng mạnh ({names})"
    return f"{head}: không có chủ đề nào tăng bất thường"


def chart_png(digest: Digest) -> bytes:
    """Posts per narrative per day over the last two weeks; matplotlib imported here, Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.2, 3.0), dpi=100)
    try:
        x = list(range(len(digest.chart_days)))
        for i, (nid, counts) in enumerate(digest.chart_series.items()):
            ax.plot(x, counts, marker="o", markersize=3, linewidth=1.8, color=COLORS[i % len(COLORS)],
                    label=digest.labels.get(nid, nid))
        ax.set_xticks(x)
        ax.set_xticklabels([d.strftime("%d/%m") for d in digest.chart_days], fontsize=7)
        ax.tick_params(axis="y", labelsize=8)
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt.number(v)))
        ax.set_ylim(bottom=0)
        ax.set_ylabel("Số bài đăng / ngày", fontsize=8)
        ax.set_title(f"Bài đăng theo chủ đề, {len(x)} ngày đến {fmt.date_vi(digest.day)}", fontsize=9)
        ax.grid(axis="y", alpha=0.3)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.legend(fontsize=7, frameon=False, loc="upper left")
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        plt.close(fig)


def render_digest(digest: Digest, *, chart_cid: str = CHART_CID) -> tuple[str, str, str, bytes]:
    """(subject, html, text, chart_png); the HTML shows the chart from `cid:<chart_cid>`."""
    env = environment(digest.tz)
    title = subject(digest)
    context = {
        "d": digest,
        "r": digest.report,
        "subject": title,
        "long_date": fmt.long_date_vi(digest.day),
        "chart_cid": chart_cid,
        "dashboard": safe_url(digest.dashboard_url),
        "dashboard_text": digest.dashboard_url,
    }
    html = env.get_template("digest.html.j2").render(**context)
    text = env.get_template("digest.txt.j2").render(**context)
    return title, html, text, chart_png(digest)
