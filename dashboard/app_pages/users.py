"""Người dùng (admins only): the same operations as `misinfo users`, on the same file."""

import pandas as pd
import streamlit as st

from dashboard import auth, ui
from dashboard.i18n import t
from misinfo.audit import audit

ctx = ui.context()
st.title(t("users.title"))
if not ctx.user.can_manage_users:
    st.warning(t("users.admin_only"), icon=":material/lock:")
    st.stop()
st.caption(t("users.intro"))
path = ctx.settings.users_file
with ui.guard():
    users = auth.load_users(path)
st.dataframe(
    pd.DataFrame(
        [{t("users.username"): u.username, t("users.name"): u.name, t("users.role"): t(f"role.{u.role}")}
         for u in users.values()]  # fmt: skip
    ),
    hide_index=True,
    width="stretch",
)
with st.form("user_add", clear_on_submit=True):
    c1, c2, c3 = st.columns(3)
    username = c1.text_input(t("users.username"), max_chars=64)
    name = c2.text_input(t("users.name"), max_chars=128)
    role = c3.selectbox(t("users.role"), auth.ROLES, format_func=lambda r: t(f"role.{r}"))
    password = st.text_input(t("users.password"), type="password", max_chars=72)
    if st.form_submit_button(t("users.add"), type="primary"):
        with ui.guard(stop=False):
            if username in users:
                auth.set_password(path, username, password, role)
            else:
                auth.add_user(path, username, password, role, name)
            audit(ctx.settings.home, who=ctx.user.username, action="user_saved", user=username, role=role)
            st.success(t("users.saved", username=username))
with st.form("user_remove"):
    gone = st.selectbox(t("users.username"), [u for u in users if u != ctx.user.username])
    if st.form_submit_button(t("users.remove")) and gone:
        with ui.guard(stop=False):
            auth.remove_user(path, gone)
            audit(ctx.settings.home, who=ctx.user.username, action="user_removed", user=gone)
            st.success(t("users.removed", username=gone))
