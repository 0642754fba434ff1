"""Xu hướng: what is rising now, with its numbers and posts; counts over time; campaigns; false claims."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard import charts, ui
from dashboard import queries as q
from dashboard.i18n import t
from misinfo import fmt
from misinfo.store.base import SearchQuery

ctx = ui.context()
st.title(t("trends.title"))

with ui.guard():
    version = ctx.version
    newest, n_posts = q.cached_newest(ctx.store, ctx.key, version)
if n_posts == 0:
    st.info(t("errors.empty_store"), icon=":material/info:")
    st.stop()

at, anchored = q.report_end(newest)
c1, c2, c3 = st.columns(3)
window_h = c1.radio(
    t("trends.window"), [24, 168], horizontal=True, key="trends_window",
    format_func=lambda h: t("trends.window_24h") if h == 24 else t("trends.window_7d"),
)  # fmt: skip
interval = c2.radio(
    t("common.interval"), ["hour", "day"], horizontal=True, key="trends_interval", format_func=lambda i: t(f"common.{i}")
)
range_days = c3.selectbox(
    t("trends.chart_range"), [7, 14, 30], key="trends_range", format_func=lambda n: t("common.last_days", n=n)
)
if anchored and newest is not None:
    st.info(t("common.anchored", newest=fmt.datetime_vi(newest, ctx.tz)), icon=":material/schedule:")

s = ctx.settings
config = (str(s.narratives), str(s.claims), s.trend_threshold, s.trend_min_count, s.trend_baseline_days)
with ui.guard():
    report = q.cached_trends(ctx.store, s, ctx.key, version, at, window_h, config)
    since = at - timedelta(days=max(range_days, 8))
    buckets = q.cached_counts(ctx.store, ctx.key, version, "hour", since, at, None)



def show_top_posts(size: int = 3, cards: bool = False, **filters) -> None:
    """The most engaging posts of the window for one narrative, campaign or claim (cached search)."""
    query = SearchQuery(since=report.since, until=report.at, sort="engagement", size=size, **filters)
    with ui.guard(stop=False):
        for hit in q.cached_search(ctx.store, ctx.key, version, query).hits:
            if cards:
                ui.post_card(hit.post, ctx)
            else:
                st.html(ui.post_html(hit.post, ctx))


st.caption(
    t("trends.caption", window=t("trends.window_24h") if window_h == 24 else t("trends.window_7d"),
      since=fmt.datetime_vi(report.since, ctx.tz), until=fmt.datetime_vi(report.at, ctx.tz), days=report.baseline_days)
)  # fmt: skip
totals = q.window_totals(buckets, at)
m1, m2, m3 = st.columns(3)
m1.metric(t("trends.posts_24h"), fmt.number(totals["24h"]), fmt.signed(totals["24h"] - totals["prev_24h"]))
m2.metric(t("trends.posts_7d"), fmt.number(totals["7d"]))
m3.metric(t("trends.rising_count"), fmt.number(len(report.rising)))
if not report.history:
    st.warning(t("trends.no_history"))

alerts: list[dict] = []
with ui.guard(stop=False):
    alerts = q.recent_alerts(s.home, days=1)
for a in ui.boxed_section(t("trends.alerts_title"), alerts[:5], t("trends.alerts_none")):
    alert = q.alert_record(a)
    st.html(f"<b>{ui.esc(q.alert_title(alert))}</b> · {ui.esc(fmt.datetime_vi(alert.at, ctx.tz))}")
    st.page_link("app_pages/alerts.py", label=t("alerts.open"), query_params={"id": alert.id},
                 icon=":material/notifications:")  # fmt: skip
if len(alerts) > 5:
    st.page_link("app_pages/alerts.py", label=t("trends.alerts_all"), icon=":material/notifications:")

for trend in ui.boxed_section(t("trends.rising_title"), report.rising, t("trends.rising_none"), st.success):
    st.markdown(f"#### :red[:material/trending_up:] {trend.label}")
    k1, k2, k3, k4 = st.columns(4)
    k1.metric(t("trends.col_count"), fmt.number(trend.count))
    k2.metric(t("trends.col_baseline"), fmt.number(trend.baseline, 1))
    k3.metric(t("trends.col_score"), fmt.number(trend.score, 1))
    k4.metric(t("trends.col_growth"), fmt.percent(trend.growth))
    show_top_posts(cards=True, narratives=(trend.id,))

st.subheader(t("trends.table_title"))
aigc: dict[str, int] = {}
with ui.guard(stop=False):  # TikTok's own AI-generated label, per narrative, in the window
    labelled = SearchQuery(aigc=True, since=report.since, until=report.at)
    aigc = dict(q.cached_facets(ctx.store, ctx.key, version, labelled, "narrative", 100))
table = pd.DataFrame(
    [
        {
            t("trends.col_label"): n.label,
            t("trends.col_count"): fmt.number(n.count),
            t("trends.col_baseline"): fmt.number(n.baseline, 1),
            t("trends.col_score"): fmt.number(n.score, 1),
            t("trends.col_growth"): fmt.percent(n.growth),
            t("trends.col_engagement"): fmt.number(n.engagement),
            t("trends.col_aigc"): fmt.number(aigc.get(n.id, 0)),
            t("trends.col_rising"): t("trends.rising_badge") if n.rising else "",
        }
        for n in report.narratives
    ]
)
st.dataframe(table, hide_index=True, width="stretch")
st.caption(t("trends.score_help", threshold=fmt.number(s.trend_threshold, 1), min_count=s.trend_min_count))
st.caption(t("trends.aigc_help"))

st.subheader(t("trends.chart_title"))
chart_since = at - timedelta(days=range_days)
frame = q.count_frame(
    [b for b in buckets if b.bucket >= chart_since], interval, chart_since, at, ctx.labels, ctx.tz
)
st.altair_chart(charts.counts_chart(frame, interval), width="stretch")

for c in ui.boxed_section(t("trends.campaigns_title"), report.campaigns[:10], t("trends.campaigns_none")):
    st.markdown(
        t("trends.campaign_row", posts=fmt.number(c.posts_in_window), accounts=fmt.number(c.accounts),
          sources=fmt.number(c.sources), spread=fmt.duration_vi(c.spread_minutes),
          new=f"· **{t('common.new')}**" if c.new else "")
    )  # fmt: skip
    show_top_posts(size=1, dup_groups=(c.id,))

ui.new_accounts_section(ctx, report.since, report.at)

for claim in ui.boxed_section(t("trends.claims_title"), report.claims, t("trends.claims_none")):
    st.markdown(f"**{ui.esc(claim.text or claim.id)}**")
    st.markdown(
        t("trends.claim_row", count=fmt.number(claim.count), previous=fmt.number(claim.previous),
          new=f"· **{t('common.new')}**" if claim.new else "")
    )  # fmt: skip
    if claim.source_url:
        st.caption(t("trends.claim_source", source=claim.source, url=claim.source_url))
    show_top_posts(size=2, claim_ids=(claim.id,))
