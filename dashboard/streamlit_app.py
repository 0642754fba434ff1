"""The dashboard entry point (`misinfo dashboard` runs `streamlit run` on it): login gate, then pages.

Wiring only: which pages exist, who may see them, the sidebar. Pages live in `app_pages/`, the
queries they call in `dashboard.queries`, all UI text in `dashboard/locales/`.
"""

import streamlit as st

from dashboard import i18n, ui
from dashboard.i18n import t
from misinfo.settings import load_settings

st.set_page_config(page_title="Giám sát thông tin sai lệch", page_icon="🛡️", layout="wide")

with ui.guard():
    i18n.use(load_settings().ui_language)



def remember_alert() -> None:
    """An alert's link (`/alerts?id=…`) opened before logging in: keep the id, log in, then show it."""
    if st.query_params.get("id"):
        st.session_state["open_alert"] = st.query_params["id"]
    st.switch_page(login_page)


user = ui.current_user()
if user is None:
    login_page = st.Page("app_pages/login.py", title=t("nav.login"), icon=":material/login:", default=True)
    page = st.navigation([login_page, st.Page(remember_alert, title=t("nav.login"), url_path="alerts")],
                         position="hidden")  # fmt: skip
else:
    alerts_page = st.Page("app_pages/alerts.py", title=t("nav.alerts"), icon=":material/notifications:")
    pages = [
        st.Page("app_pages/trends.py", title=t("nav.trends"), icon=":material/trending_up:", default=True),
        st.Page("app_pages/narrative.py", title=t("nav.narrative"), icon=":material/topic:"),
        st.Page("app_pages/search.py", title=t("nav.search"), icon=":material/search:"),
        st.Page("app_pages/review.py", title=t("nav.review"), icon=":material/fact_check:"),
        st.Page("app_pages/sources.py", title=t("nav.sources"), icon=":material/rss_feed:"),
        alerts_page,
    ]
    if user.can_manage_users:
        pages.append(st.Page("app_pages/users.py", title=t("nav.users"), icon=":material/group:"))
    page = st.navigation(pages)
    if "open_alert" in st.session_state:  # an alert's link, opened before logging in
        st.switch_page(alerts_page, query_params={"id": st.session_state.pop("open_alert")})
    with st.sidebar:
        st.markdown(f"**{t('app.title')}**  \n{t('app.subtitle')}")
        st.caption(t("app.signed_in_as", name=user.display_name, role=t(f"role.{user.role}")))
        st.button(t("app.logout"), on_click=ui.logout, icon=":material/logout:", key="logout")
        st.caption(t("app.principle"))
ui.inject_css()
page.run()
