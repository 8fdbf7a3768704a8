"""Admin: accounts, wall-screen tokens, the read-only audit log and the system's figures. Only
the open tab runs."""

import streamlit as st

from command_center.adapters import admin
from command_center.base.auth import ROLES
from command_center.base.errors import CommandCenterError
from command_center.base.labels import t
from command_center.ui import shell
from command_center.ui.irreversible import ask, confirmed
from command_center.ui.messages import done, explain, md, show_done, show_table

lang = shell.start_page()
st.title(t("page_admin", lang))
show_done()
who = shell.actor()
users, sessions, tokens, audit, system = st.tabs(
    [t(k, lang) for k in ("tab_users", "tab_sessions", "tab_tokens", "tab_audit", "tab_system")],
    key="admin_tab",
    on_change="rerun",
)
try:
    if users.open:
        with users:
            show_table(admin.load_users(who, lang), lang, hide_index=True, width="stretch")
            with st.form("add_user", enter_to_submit=False):
                left, right = st.columns(2)
                values = {
                    "username": left.text_input(t("username", lang), max_chars=120),
                    "display_name": right.text_input(t("display_name", lang), max_chars=80),
                    "password": left.text_input(t("password", lang), type="password"),
                    "role": right.selectbox(
                        t("role", lang), ROLES, format_func=lambda r: t(f"role_{r}", lang)
                    ),
                    "scope": left.text_input(t("scope", lang), max_chars=13),
                }
                if st.form_submit_button(t("add_user", lang), type="primary"):
                    admin.add_user(who, values)
                    done(t("user_added", lang, name=md(values["username"])))
            with st.form("edit_user", enter_to_submit=False):
                left, right = st.columns(2)
                username = left.text_input(t("username", lang), max_chars=120, key="edit_username")
                role = right.selectbox(
                    t("role", lang),
                    [None, *ROLES],
                    format_func=lambda r: "-" if r is None else t(f"role_{r}", lang),
                )
                scope = left.text_input(t("keep_scope", lang), max_chars=13)
                password = right.text_input(t("reset_password", lang), type="password")
                active = left.selectbox(
                    t("col_active", lang),
                    [None, True, False],
                    format_func=lambda a: "-" if a is None else t("yes" if a else "no", lang),
                )
                unlock = right.checkbox(t("unlock_user", lang))
                if st.form_submit_button(t("edit_user", lang)):
                    change = (username, role, scope, password, active, unlock)
                    if active is False:  # a disabled user is signed out at once
                        ask("disable_user", t("ask_disable_user", lang, name=md(username)), change)
                    else:
                        admin.edit_user(who, *change)
                        done(t("user_changed", lang, name=md(username)))
            if asked := confirmed("disable_user", lang):
                admin.edit_user(who, *asked.payload)
                done(t("user_changed", lang, name=md(asked.payload[0])))
    if sessions.open:
        with sessions:
            username = st.text_input(t("sessions_of", lang), max_chars=120, key="session_user")
            if username.strip():
                show_table(admin.load_sessions(who, username, lang), lang, hide_index=True)
                with st.form("revoke_session", enter_to_submit=False):
                    session_id = st.number_input("id", min_value=1, step=1)
                    if st.form_submit_button(t("revoke_session", lang)):
                        question = t("ask_revoke_session", lang, id=session_id, name=md(username))
                        ask("revoke_session", question, int(session_id))
                if asked := confirmed("revoke_session", lang):
                    admin.revoke_session(who, asked.payload)
                    done(t("session_revoked", lang))
    if tokens.open:
        with tokens:
            tokens_table = admin.load_tokens(who, lang)
            show_table(tokens_table, lang, hide_index=True, width="stretch")
            with st.form("add_token", enter_to_submit=False):
                label = st.text_input(t("token_label", lang), max_chars=60)
                scope = st.text_input(t("scope", lang), max_chars=13, key="token_scope")
                incident = st.number_input(t("token_incident", lang), min_value=0, step=1)
                if st.form_submit_button(t("add_token", lang)):
                    link = admin.add_token(who, label, scope, int(incident) or None)
                    st.success(t("token_made", lang, link=link))
            with st.form("revoke_token", enter_to_submit=False):
                token_id = st.number_input("id", min_value=1, step=1)
                if st.form_submit_button(t("revoke_token", lang)):
                    label = md(
                        tokens_table.set_index("id")[t("token_label", lang)].get(token_id, "?")
                    )
                    ask(
                        "revoke_token",
                        t("ask_revoke_token", lang, id=token_id, label=label),
                        token_id,
                    )
            if asked := confirmed("revoke_token", lang):
                admin.revoke_token(who, int(asked.payload))
                done(t("token_revoked", lang))
    if audit.open:
        with audit:
            st.caption(t("audit_readonly", lang))
            intact, chain = admin.load_audit_chain(who, lang)
            (st.success if intact else st.error)(chain)
            search = st.text_input(t("audit_filter", lang), key="audit_search")
            entries = admin.load_audit(who, lang, search)
            show_table(entries, lang, hide_index=True, width="stretch")
            st.download_button(
                t("export_audit", lang),
                admin.audit_csv(entries),
                "audit-log.csv",
                "text/csv",
            )
    if system.open:
        with system:
            st.caption(t("system_readonly", lang))
            view = admin.load_system(who, lang)
            for column, (label, value) in zip(
                st.columns(len(view.figures)), view.figures, strict=True
            ):
                column.metric(label, value)
            for title, table in (
                ("sys_feeds", view.feeds),
                ("sys_deliveries", view.deliveries),
                ("sys_processes", view.processes),
            ):
                st.subheader(t(title, lang))
                show_table(table, lang, hide_index=True, width="stretch")
except CommandCenterError as exc:
    st.error(explain(exc, lang))
