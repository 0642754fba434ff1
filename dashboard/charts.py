"""Altair charts of the dashboard: built from small frames, labelled in the UI language."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.i18n import t
from misinfo.safe import visible


def counts_chart(frame: pd.DataFrame, interval: str) -> alt.Chart:
    """Posts per narrative over time: one line per narrative, hover for the exact number."""
    time_format = "%H:%M %d/%m" if interval == "hour" else "%d/%m/%Y"
    return (
        alt.Chart(frame)
        .mark_line(point=interval == "day", interpolate="monotone" if interval == "hour" else "linear")
        .encode(
            x=alt.X("time:T", title=t("common.local_time"), axis=alt.Axis(format="%d/%m", labelOverlap=True)),
            y=alt.Y("count:Q", title=t("common.count"), axis=alt.Axis(format="d", tickMinStep=1)),
            color=alt.Color("narrative:N", title=t("common.narrative"), legend=alt.Legend(orient="bottom", columns=2)),
            tooltip=[
                alt.Tooltip("time:T", title=t("common.time"), format=time_format),
                alt.Tooltip("narrative:N", title=t("common.narrative")),
                alt.Tooltip("count:Q", title=t("common.count"), format=",d"),
            ],
        )
        .properties(height=320)
    )


def bar_chart(rows: list[tuple[str, int]], label: str) -> alt.Chart:
    """Horizontal bars, most frequent on top (hashtags, sources)."""
    frame = pd.DataFrame([(visible(v), n) for v, n in rows], columns=["value", "count"])
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("count:Q", title=t("common.count"), axis=alt.Axis(format="d", tickMinStep=1)),
            y=alt.Y("value:N", title=label, sort="-x"),
            tooltip=[alt.Tooltip("value:N", title=label), alt.Tooltip("count:Q", title=t("common.count"))],
        )
        .properties(height=max(120, 26 * len(frame)))
    )


def runs_chart(frame: pd.DataFrame) -> alt.Chart:
    """New posts per crawl run per source; blocked and failed runs drawn in red at zero height."""
    return (
        alt.Chart(frame)
        .mark_circle(size=70)
        .encode(
            x=alt.X("time:T", title=t("common.local_time"),
                    axis=alt.Axis(format="%H:%M %d/%m", labelOverlap=True, tickCount=6)),
            y=alt.Y("new_items:Q", title=t("sources.col_new"), axis=alt.Axis(format="d", tickMinStep=1)),
            color=alt.Color(
                "status_label:N",
                title=t("sources.col_status"),
                scale=alt.Scale(
                    domain=[t("sources.run_ok"), t("sources.run_blocked"), t("sources.run_error")],
                    range=["#2e7d32", "#c62828", "#ef6c00"],
                ),
            ),
            shape=alt.Shape("source:N", title=t("sources.col_source")),
            tooltip=[
                alt.Tooltip("source:N", title=t("sources.col_source")),
                alt.Tooltip("status_label:N", title=t("sources.col_status")),
                alt.Tooltip("new_items:Q", title=t("sources.col_new")),
                alt.Tooltip("time:T", title=t("common.time"), format="%H:%M %d/%m/%Y"),
            ],
        )
        .properties(height=260)
    )
