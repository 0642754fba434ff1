"""Cảnh báo: recent early-warning alerts with their delivery status; one alert with exactly its posts (the
page an alert's link opens, `?id=`); and saved searches, which analysts may attach to an alert rule."""

import streamlit as st

from dashboard import actions, ui
from dashboard import queries as q
from dashboard.i18n import label_of, t
from misinfo import fmt

ctx = ui.context()
s = ctx.settings
st.title(t("alerts.title"))
st.caption(t("alerts.intro"))


def show_alert(a: dict, posts: bool) -> None:
    """Title, numbers and per-channel delivery of one alert (all escaped: titles quote posts and claims)."""
    alert = q.alert_record(a)
    st.html(f"<h4>{ui.esc(q.alert_title(alert))}</h4>")
    st.caption(t("alerts.meta", when=fmt.datetime_vi(alert.at, ctx.tz), rule=alert.rule_label))
    st.html("<br>".join(ui.esc(line) for line in q.alert_details(alert)))
    deliveries = a.get("deliveries") or {}
    if not deliveries:
        st.caption(t("alerts.no_channel"))
    for channel, d in deliveries.items():
        st.caption(t("alerts.delivery", channel=channel, status=t(f"alerts.status_{d.get('status', 'pending')}")))
    if posts:
        st.subheader(t("alerts.posts_title"))
        found, missing = q.alert_posts(ctx.store, alert.keys)
        for tp in found:
            ui.post_card(tp, ctx)
        if missing:
            st.caption(t("alerts.posts_missing", n=missing))


alert_id = st.query_params.get("id")
if alert_id:
    with ui.guard():
        found = q.recent_alerts(s.home, alert_id=alert_id)
    st.page_link("app_pages/alerts.py", label=t("alerts.back"), icon=":material/arrow_back:")
    if not found:
        st.warning(t("alerts.not_found", id=alert_id))
    else:
        with st.container(border=True):
            show_alert(found[0], posts=True)
    st.stop()

with ui.guard():
    recent = q.recent_alerts(s.home, days=7)
for a in ui.boxed_section(t("alerts.recent_title"), recent[:100], t("alerts.none")):
    show_alert(a, posts=False)
    st.page_link("app_pages/alerts.py", label=t("alerts.open"), query_params={"id": a["id"]},
                 icon=":material/open_in_new:")  # fmt: skip

# --- saved searches ------------------------------------------------------------------------------

st.subheader(t("alerts.saved_title"))
st.caption(t("alerts.saved_intro"))
with ui.guard():
    searches = [x for x in q.saved_searches(s.home) if x.owner == ctx.user.username or ctx.user.can_manage_users]
rules: dict[str, str] = {}
with ui.guard(stop=False):
    rules = q.saved_search_rules(str(s.alerts))
if not searches:
    st.caption(t("alerts.saved_none"))
labels = ctx.labels
for search in searches:
    with st.container(border=True):
        st.html(f"<b>{ui.esc(search.name)}</b>")
        st.caption(t("alerts.saved_row", text=search.text or "*", owner=search.owner,
                     when=fmt.datetime_vi(search.created_at, ctx.tz)))  # fmt: skip
        filters = [labels.get(n, n) for n in search.narratives] + [label_of("platform", p) for p in search.platforms]
        filters += list(search.sources) + [label_of("verdict", v) for v in search.review_statuses]
        if filters:
            st.caption(t("alerts.saved_filters", filters=", ".join(filters)))
        c1, c2, c3 = st.columns([3, 2, 1])
        options = ["", *rules]
        current = search.alert_rule if search.alert_rule in rules else ""
        chosen = c1.selectbox(t("alerts.saved_rule"), options, index=options.index(current),
                              format_func=lambda r: rules.get(r, t("alerts.saved_rule_none")),
                              key=f"saved_rule_{search.id}", disabled=not ctx.user.can_save_searches)  # fmt: skip
        if chosen != current:
            with ui.guard(stop=False):
                actions.attach_search(s.home, s.alerts, ctx.store, ctx.user, search.id, chosen or None)
                st.toast(t("alerts.saved_attached", name=search.name))
        c2.page_link("app_pages/search.py", label=t("alerts.saved_open"), query_params={"saved": search.id},
                     icon=":material/search:")  # fmt: skip
        if c3.button(t("alerts.saved_delete"), key=f"saved_delete_{search.id}", icon=":material/delete:"):
            with ui.guard(stop=False):
                actions.delete_search(s.home, ctx.user, search.id)
                st.toast(t("alerts.saved_deleted", name=search.name))
                st.rerun()
