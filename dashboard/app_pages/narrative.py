"""Chủ đề: one narrative in depth: timeline, top posts with their evidence, hashtags, sources,
matched false claims and copy-paste groups."""

from datetime import timedelta

import streamlit as st

from dashboard import charts, ui
from dashboard import queries as q
from dashboard.i18n import t
from misinfo import fmt
from misinfo.store.base import SearchQuery

ctx = ui.context()
st.title(t("narrative.title"))
labels = ctx.labels
c1, c2 = st.columns([2, 1])
nid = c1.selectbox(t("narrative.pick"), list(labels), format_func=lambda n: labels.get(n, n), key="narrative_pick")
days = c2.radio(
    t("common.period"), [7, 30, 90], horizontal=True, key="narrative_days", format_func=lambda n: t("common.last_days", n=n)
)
st.caption(q.narrative_descriptions(str(ctx.settings.narratives)).get(nid, ""))

with ui.guard():
    version = ctx.version
    newest, _ = q.cached_newest(ctx.store, ctx.key, version)
    at, anchored = q.report_end(newest)
    since = at - timedelta(days=days)
    query = SearchQuery(narratives=(nid,), since=since, until=at, sort="engagement", size=10)
    top = q.cached_search(ctx.store, ctx.key, version, query)
    buckets = q.cached_counts(ctx.store, ctx.key, version, "hour", since, at, (nid,))
    statuses = dict(q.cached_facets(ctx.store, ctx.key, version, query, "review_status", 10))
if anchored and newest is not None:
    st.info(t("common.anchored", newest=fmt.datetime_vi(newest, ctx.tz)), icon=":material/schedule:")
if top.total == 0:
    st.info(t("narrative.empty"))
    st.stop()

m1, m2, m3 = st.columns(3)
m1.metric(t("narrative.posts"), fmt.number(top.total))
m2.metric(t("narrative.engagement"), fmt.number(sum(b.engagement for b in buckets if b.narrative == nid)))
m3.metric(t("narrative.reviewed"), fmt.number(top.total - statuses.get("unreviewed", 0)))

st.subheader(t("narrative.timeline"))
interval = "day"  # hourly spikes over a week hide the trend; the Trends page has the hourly view
frame = q.count_frame(buckets, interval, since, at, labels, ctx.tz, narratives=(nid,))
st.altair_chart(charts.counts_chart(frame, interval), width="stretch")

with ui.guard():
    hashtags = q.cached_facets(ctx.store, ctx.key, version, query, "hashtag", 10)
    sources = q.cached_facets(ctx.store, ctx.key, version, query, "source", 10)
    claims = q.cached_facets(ctx.store, ctx.key, version, query, "claim", 10)
    groups = q.cached_facets(ctx.store, ctx.key, version, query, "dup_group", 10)
h1, h2 = st.columns(2)
with h1:
    st.subheader(t("narrative.hashtags"))
    if hashtags:
        st.altair_chart(charts.bar_chart([(f"#{h}", n) for h, n in hashtags], t("common.hashtag")), width="stretch")
    else:
        st.caption(t("common.none"))
with h2:
    st.subheader(t("narrative.sources"))
    st.altair_chart(charts.bar_chart(sources, t("common.source")), width="stretch")

st.subheader(t("narrative.top_posts"))
for hit in top.hits:
    ui.post_card(hit.post, ctx)

registry = q.claim_texts(str(ctx.settings.claims))
for claim_id, n in ui.boxed_section(t("narrative.claims"), claims, t("narrative.claims_none")):
    info = registry.get(claim_id, {})
    st.markdown(f"**{fmt.number(n)} {t('common.posts')}** · {ui.esc(info.get('text', claim_id))}")
    if info.get("url"):
        st.caption(t("trends.claim_source", source=info.get("source", ""), url=info["url"]))

st.subheader(t("narrative.dup_groups"))
if not groups:
    st.caption(t("narrative.dup_none"))
for group, n in groups:
    with st.expander(t("narrative.dup_row", group=group, count=fmt.number(n))), ui.guard(stop=False):
        sample = q.cached_search(
            ctx.store, ctx.key, version, SearchQuery(dup_groups=(group,), since=since, until=at, size=3)
        )
        for hit in sample.hits:
            st.html(ui.post_html(hit.post, ctx))
