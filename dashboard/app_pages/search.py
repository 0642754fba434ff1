"""Tìm kiếm: the archive by keyword (with or without diacritics), filters, sort, paging, CSV export."""

from typing import cast

import streamlit as st

from dashboard import actions, ui
from dashboard import queries as q
from dashboard.i18n import label_of, t
from misinfo import fmt
from misinfo.domain import VERDICTS
from misinfo.store.base import SearchQuery, Sort

ctx = ui.context()
st.title(t("search.title"))
labels = ctx.labels
with ui.guard():
    version = ctx.version
    everything = SearchQuery(size=1)
    platforms = [v for v, _ in q.cached_facets(ctx.store, ctx.key, version, everything, "platform", 20)]
    sources = sorted(v for v, _ in q.cached_facets(ctx.store, ctx.key, version, everything, "source", 500))

saved_id = st.query_params.get("saved")
if saved_id and st.session_state.get("search_saved_loaded") != saved_id:  # opened from Cảnh báo: fill the form
    with ui.guard():
        saved = next((x for x in q.saved_searches(ctx.settings.home) if x.id == saved_id), None)
    if saved is not None:
        st.session_state.update(search_text=saved.text, search_narratives=list(saved.narratives),
                                search_platforms=list(saved.platforms), search_sources=list(saved.sources),
                                search_status=list(saved.review_statuses), search_aigc=saved.aigc,
                                search_page=1, search_run=True,
                                search_saved_loaded=saved_id)  # fmt: skip
        st.info(t("search.saved_loaded", name=saved.name), icon=":material/bookmark:")

with st.form("search_form"):
    text = st.text_input(t("search.query"), key="search_text", help=t("search.query_help"), max_chars=500)
    with st.expander(t("search.filters"), expanded=True):
        f1, f2, f3 = st.columns(3)
        narratives = f1.multiselect(
            t("search.narratives"), list(labels), format_func=lambda n: labels.get(n, n), key="search_narratives",
            placeholder=t("common.choose"),
        )
        chosen_platforms = f2.multiselect(
            t("search.platforms"), platforms, format_func=lambda p: label_of("platform", p), key="search_platforms",
            placeholder=t("common.choose"),
        )
        chosen_sources = f3.multiselect(t("search.sources"), sources, key="search_sources", placeholder=t("common.choose"))
        g1, g2, g3 = st.columns(3)
        date_from = g1.date_input(t("search.date_from"), value=None, key="search_from", format="DD/MM/YYYY")
        date_to = g2.date_input(t("search.date_to"), value=None, key="search_to", format="DD/MM/YYYY")
        statuses = g3.multiselect(
            t("search.review_status"), ["unreviewed", *VERDICTS], format_func=lambda v: label_of("verdict", v),
            key="search_status", placeholder=t("common.choose"),
        )  # fmt: skip
        aigc = st.checkbox(t("search.aigc"), key="search_aigc")
    s1, s2 = st.columns(2)
    sort = s1.selectbox(
        t("search.sort"), ["relevance", "newest", "engagement"], key="search_sort", format_func=lambda s: t(f"search.sort_{s}")
    )
    size = s2.selectbox(t("search.size"), [20, 50, 100], key="search_size")
    if st.form_submit_button(t("search.submit"), type="primary", icon=":material/search:"):
        st.session_state["search_page"] = 1
        st.session_state["search_run"] = True

if not st.session_state.get("search_run"):
    st.stop()

since = until = None
first_day, last_day = date_from or date_to, date_to or date_from
if first_day is not None and last_day is not None:
    since, until = q.day_bounds(first_day, last_day, ctx.tz)
    since = since if date_from else None
    until = until if date_to else None
query = SearchQuery(
    text=text, narratives=tuple(narratives), platforms=tuple(chosen_platforms), sources=tuple(chosen_sources),
    review_statuses=tuple(statuses), since=since, until=until, sort=cast(Sort, sort), aigc=aigc,
    page=st.session_state.get("search_page", 1), size=size,
)  # fmt: skip
with ui.guard():
    result = q.cached_search(ctx.store, ctx.key, version, query)
    if st.session_state.get("search_audited") != query:  # one audit record per search, not per rerun
        actions.audit_search(ctx.settings.home, ctx.user, query, result.total)
        st.session_state["search_audited"] = query

with st.expander(t("search.save_title"), icon=":material/bookmark_add:"):
    if not ctx.user.can_save_searches:
        st.caption(t("search.save_viewer"))
    else:
        rules: dict[str, str] = {}
        with ui.guard(stop=False):
            rules = q.saved_search_rules(str(ctx.settings.alerts))
        with st.form("save_search_form", clear_on_submit=True):
            name = st.text_input(t("search.save_name"), max_chars=120, key="save_search_name")
            rule = st.selectbox(t("search.save_rule"), ["", *rules], key="save_search_rule",
                                format_func=lambda r: rules.get(r, t("search.save_rule_none")))  # fmt: skip
            if st.form_submit_button(t("search.save_submit"), icon=":material/bookmark_add:"):
                if not name.strip():
                    st.warning(t("search.save_need_name"))
                else:
                    with ui.guard(stop=False):
                        actions.save_search(ctx.settings.home, ctx.settings.alerts, ctx.store, ctx.user, name,
                                            query, rule or None)  # fmt: skip
                        st.success(t("search.save_done", name=name.strip()))

if result.total == 0:
    st.info(t("search.none"))
    st.stop()

top1, top2 = st.columns([3, 2])
top1.markdown(t("search.total", total=fmt.number(result.total), page=result.page, pages=fmt.number(result.pages)))
top2.download_button(
    t("search.export", total=fmt.number(result.total)),
    data=lambda: q.export_file(ctx.store, query, home=ctx.settings.home, who=ctx.user.username, tz=ctx.tz,
                               header=[t(f"csv.{f}") for f in q.CSV_FIELDS]),
    file_name=t("search.export_file"), mime="text/csv", on_click="ignore", help=t("search.export_help"),
    icon=":material/download:", key="search_export",
)  # fmt: skip
for hit in result.hits:
    ui.post_card(hit.post, ctx, snippet=hit.snippet, transcript_snippet=hit.transcript_snippet)


def _go(delta: int) -> None:
    st.session_state["search_page"] = max(1, st.session_state.get("search_page", 1) + delta)


p1, p2, p3 = st.columns([1, 2, 1])
p1.button(t("common.previous"), on_click=_go, args=(-1,), disabled=result.page <= 1, key="search_prev")
p2.caption(f"{t('common.page')} {result.page}/{fmt.number(result.pages)}")
p3.button(t("common.next"), on_click=_go, args=(1,), disabled=result.page >= result.pages, key="search_next")
