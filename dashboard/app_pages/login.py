"""Đăng nhập: the only page before login. A wrong password is refused with one message."""

import streamlit as st

from dashboard import ui
from dashboard.auth import load_users
from dashboard.i18n import t
from misinfo.settings import load_settings

settings = load_settings()
st.title(t("app.title"))
st.caption(t("app.subtitle"))
if settings.demo:
    st.info(t("login.demo"), icon=":material/info:")
else:
    with ui.guard():
        if not load_users(settings.users_file):
            st.warning(t("login.no_users"))
with st.form("login"):
    st.subheader(t("login.title"))
    username = st.text_input(t("login.username"), key="login_username", max_chars=64)
    password = st.text_input(t("login.password"), type="password", key="login_password", max_chars=128)
    submitted = st.form_submit_button(t("login.submit"), type="primary")
if submitted:
    with ui.guard():
        refused = ui.login(settings, username, password)
        if refused is None:
            st.rerun()
        st.error(refused, icon=":material/block:")
