"""The admin page in the real app (AppTest): disabling a user, ending a session and revoking a
wall-screen token each ask first, naming what they act on, and keep their tab open."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from command_center import accounts
from command_center.auth import SYSTEM
from command_center.db import make_engine
from command_center.labels import t
from tests.conftest import shown_column, tab_shown

PAGE = "pages/admin.py"


def _click(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def _asked(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if w.icon == ":material/warning:"]


def test_disabling_a_user_asks_first_and_then_disables_only_them(
    open_page, with_demo, database_url
) -> None:
    engine = make_engine(database_url)
    accounts.create_user(engine, SYSTEM, "pejabat", "kata-sandi-1", "viewer")
    at = open_page(PAGE)
    at.text_input(key="edit_username").input("pejabat")
    next(s for s in at.selectbox if s.label == t("col_active")).set_value(False)
    at = _click(at, t("edit_user"))
    assert accounts.principal_for(engine, "pejabat") is not None  # one click only asks
    assert _asked(at) == [t("ask_disable_user", name="pejabat")]
    at = _click(at, t("confirm_yes"))
    assert not at.exception, [e.message for e in at.exception]
    assert accounts.principal_for(engine, "pejabat") is None
    assert t("user_changed", name="pejabat") in at.success[0].value


def test_ending_a_session_asks_first_naming_it_and_keeps_the_sessions_tab(
    open_page, with_demo, database_url
) -> None:
    engine = make_engine(database_url)
    accounts.create_user(engine, SYSTEM, "pejabat", "kata-sandi-1", "viewer")
    token = accounts.open_session(engine, "pejabat", 8)
    (session,) = accounts.open_sessions(engine, SYSTEM, "pejabat")
    at = open_page(PAGE)
    at.session_state["admin_tab"] = t("tab_sessions")
    at.text_input(key="session_user").input("pejabat").run()
    next(n for n in at.number_input if n.label == "id").set_value(session["id"])
    at = _click(at, t("revoke_session"))
    assert accounts.session_principal(engine, token) is not None
    assert _asked(at) == [t("ask_revoke_session", id=session["id"], name="pejabat")]
    at = _click(at, t("confirm_no"))
    assert not _asked(at) and accounts.session_principal(engine, token) is not None
    at = _click(at, t("revoke_session"))
    at = _click(at, t("confirm_yes"))
    assert accounts.session_principal(engine, token) is None
    assert tab_shown(at, "admin_tab") == t("tab_sessions")


def test_revoking_a_wall_screen_token_asks_first_naming_it(
    open_page, with_demo, database_url
) -> None:
    engine = make_engine(database_url)
    token = accounts.create_token(engine, SYSTEM, "Layar posko Cianjur")
    (row,) = accounts.tokens(engine, SYSTEM)
    at = open_page(PAGE)
    at.session_state["admin_tab"] = t("tab_tokens")
    at.run()
    next(n for n in at.number_input if n.label == "id" and n.form_id == "revoke_token").set_value(
        row.id
    )
    at = _click(at, t("revoke_token"))
    assert accounts.kiosk_principal(engine, token) is not None
    assert _asked(at) == [t("ask_revoke_token", id=row.id, label="Layar posko Cianjur")]
    at = _click(at, t("confirm_yes"))
    assert accounts.kiosk_principal(engine, token) is None
    assert tab_shown(at, "admin_tab") == t("tab_tokens")


def test_the_audit_log_is_written_in_words(open_page, with_demo, database_url) -> None:
    """Item 9 of #34: actions, records and their fields in words, not codes and JSON."""
    engine = make_engine(database_url)
    accounts.create_user(engine, SYSTEM, "pejabat", "kata-sandi-1", "viewer")
    at = open_page(PAGE)
    at.text_input(key="audit_search").input("pejabat").run()
    assert t("action_create") in shown_column(at, t("col_action"))
    assert any(e.startswith(f"{t('entity_user')} #") for e in shown_column(at, t("col_entity")))
    after = " ".join(shown_column(at, t("col_after")))
    assert f"{t('field_username')}: pejabat" in after and t("role_viewer") in after
    assert not re.search(r'[{}"]|\b(None|null|viewer|create)\b', after)
