"""Nguồn: each configured source with its last crawl from the crawl-health log, blocked ones first;
then the accounts first seen in the last week per narrative (what discovery sources turned up)."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard import charts, ui
from dashboard import queries as q
from dashboard.i18n import label_of, t
from misinfo import fmt

NEW_ACCOUNT_DAYS = 7  # accounts first seen this recently (often found by hashtag and search sources)

ctx = ui.context()
st.title(t("sources.title"))
st.caption(t("sources.intro"))

with ui.guard():
    from misinfo.crawl import read_crawl_runs
    from misinfo.sources import load_sources

    sources = load_sources(ctx.settings.sources)
    runs = read_crawl_runs(ctx.settings.home)
rows = q.source_health(sources, runs)
if not rows:
    st.info(t("sources.none"))
    st.stop()

failing = [r for r in rows if r.failing]
if failing:
    st.error(t("sources.blocked_alert", n=len(failing), names=", ".join(r.label for r in failing)), icon=":material/block:")
if not runs:
    st.info(t("sources.no_runs"))


def _when(value):
    return fmt.datetime_vi(value, ctx.tz) if value else "–"


table = pd.DataFrame(
    [
        {
            t("sources.col_source"): r.label + ("" if r.configured else " " + t("sources.removed")),
            t("sources.col_platform"): label_of("platform", r.platform),
            t("sources.col_enabled"): t("sources.enabled_yes") if r.enabled else t("sources.enabled_no"),
            t("sources.col_status"): t(f"sources.status_{r.status}"),
            t("sources.col_mode"): t(f"sources.mode_{r.mode}") if r.mode in ("http", "browser") else "–",
            t("sources.col_last_run"): _when(r.last_run),
            t("sources.col_items"): fmt.number(r.items),
            t("sources.col_new"): fmt.number(r.new_items),
            t("sources.col_blocks"): fmt.number(r.blocks) + (f" ({r.block_kinds})" if r.block_kinds else ""),
            t("sources.col_errors"): fmt.number(r.errors),
            t("sources.col_transcripts"): t("sources.transcripts_cell", fetched=fmt.number(r.transcripts_fetched),
                                            missed=fmt.number(r.transcripts_missed)) if r.platform == "tiktok" else "–",
            t("sources.col_last_ok"): _when(r.last_ok),
            t("sources.col_failing"): fmt.number(r.failing_runs),
            t("sources.col_message"): r.message,
        }
        for r in rows
    ]
)
status_col = t("sources.col_status")
bad = {t("sources.status_blocked"), t("sources.status_error")}
styled = table.style.apply(
    lambda row: ["background-color: #fdecea; color: #8e1b1b" if row[status_col] in bad else "" for _ in row], axis=1
)
st.dataframe(styled, hide_index=True, width="stretch")

frame = q.runs_frame(runs, ctx.tz)
if not frame.empty:
    frame["status_label"] = [t(f"sources.run_{s}") if s in ("ok", "blocked", "error") else s for s in frame.status]
    st.subheader(t("sources.chart_title"))
    st.altair_chart(charts.runs_chart(frame), width="stretch")

with ui.guard():
    newest, n_posts = q.cached_newest(ctx.store, ctx.key, ctx.version)
if n_posts:
    at, _ = q.report_end(newest)
    ui.new_accounts_section(ctx, at - timedelta(days=NEW_ACCOUNT_DAYS), at)
