"""Rà soát: tagged posts nobody has reviewed yet, highest score first; analysts record a verdict."""

from datetime import timedelta

import streamlit as st

from dashboard import actions, ui
from dashboard import queries as q
from dashboard.i18n import label_of, t
from misinfo import fmt
from misinfo.domain import VERDICTS

ctx = ui.context()
st.title(t("review.title"))
st.caption(t("review.intro"))
if not ctx.user.can_review:
    st.warning(t("review.viewer_only"), icon=":material/lock:")
    st.stop()

flash = st.session_state.pop("review_flash", None)
if flash:
    st.success(flash, icon=":material/check_circle:")
warn = st.session_state.pop("review_warn", None)
if warn:
    st.warning(warn, icon=":material/warning:")

labels = ctx.labels
c1, c2 = st.columns(2)
narrative = c1.selectbox(
    t("review.filter_narrative"), ["", *labels], key="review_narrative",
    format_func=lambda n: labels.get(n, n) if n else t("common.all_posts"),
)  # fmt: skip
days = c2.radio(
    t("review.period"), [7, 30, 0], horizontal=True, key="review_days",
    format_func=lambda n: t("common.last_days", n=n) if n else t("common.all_time"),
)  # fmt: skip

with ui.guard():
    version = ctx.version
    newest, _ = q.cached_newest(ctx.store, ctx.key, version)
    at, _ = q.report_end(newest)
    since = at - timedelta(days=days) if days else None
    wanted = (narrative,) if narrative else ()
    waiting, queue = q.cached_review_queue(ctx.store, ctx.key, version, wanted, since, 10)

if not queue:
    st.success(t("review.empty"))
    st.stop()
st.markdown(t("review.queue_size", n=fmt.number(waiting)))


def _save(key: str) -> None:
    verdict = st.session_state[f"verdict-{key}"]
    if verdict is None:  # no default verdict: a stray click must not mark a post false
        st.session_state["review_warn"] = t("review.pick_verdict")
        return
    about = st.session_state[f"about-{key}"] or None
    note = st.session_state[f"note-{key}"]
    with ui.guard(stop=False):
        found = actions.save_review(ctx.settings.home, ctx.store, ctx.user, key, verdict, about, note)
        message = t("review.saved", verdict=label_of("verdict", verdict), key=key)
        st.session_state["review_flash"] = message if found else t("review.missing")


for tp in queue:
    ui.post_card(tp, ctx)
    with st.form(f"review-{tp.key}", border=False):
        f1, f2 = st.columns([3, 2])
        f1.radio(t("review.verdict"), VERDICTS, index=None, horizontal=True, key=f"verdict-{tp.key}",
                 format_func=lambda v: label_of("verdict", v))  # fmt: skip
        f2.selectbox(t("review.about"), ["", *tp.narratives], key=f"about-{tp.key}",
                     format_func=lambda n: labels.get(n, n) if n else t("review.whole_post"))  # fmt: skip
        st.text_area(t("review.note"), key=f"note-{tp.key}", help=t("review.note_help"), max_chars=2000, height=68)
        st.form_submit_button(t("review.save"), type="primary", on_click=_save, args=(tp.key,))
    st.divider()
