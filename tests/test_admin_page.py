"""The admin page in the real app (AppTest): disabling a user, ending a session and revoking a
wall-screen token each ask first, naming what they act on, and keep their tab open; the Sistem
tab shows the worker's /metrics figures."""

from __future__ import annotations

import os
import re
import socket
from datetime import timedelta

from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine
from command_center.base.labels import t
from command_center.base.times import utcnow
from command_center.services.reruns import RerunTimes
from command_center.stores import accounts
from command_center.stores import alerts as alert_store
from command_center.stores import hazards as hazard_store
from command_center.stores import processes as process_store
from tests.alerts import flood, person
from tests.conftest import open_tab, shown_column, tab_shown

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
    at = open_tab(open_page(PAGE), "admin_tab", "tab_sessions")
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
    at = open_tab(open_page(PAGE), "admin_tab", "tab_audit")
    at.text_input(key="audit_search").input("pejabat").run()
    assert t("action_create") in shown_column(at, t("col_action"))
    assert any(e.startswith(f"{t('entity_user')} #") for e in shown_column(at, t("col_entity")))
    after = " ".join(shown_column(at, t("col_after")))
    assert f"{t('field_username')}: pejabat" in after and t("role_viewer") in after
    assert not re.search(r'[{}"]|\b(None|null|viewer|create)\b', after)


def test_the_system_tab_shows_feeds_the_outbox_and_each_app_process(
    open_page, with_demo, database_url
) -> None:
    engine = make_engine(database_url)
    now = utcnow()
    with Session(engine) as session, session.begin():
        hazard_store.record_fetch(session, "usgs", "ok", at=now - timedelta(minutes=40))
        hazard_store.record_fetch(session, "gdacs", "error", "server error (HTTP 502)", at=now)
    person(engine, "bandung", email="bandung@dinsos.example", whatsapp="081234567890")
    flood(engine)
    alert_store.fan_out(engine, {}, ("email",))  # e-mail waits, WhatsApp is off: a dead letter
    times = RerunTimes()
    for seconds in (0.2,) * 9 + (4.0,):
        times.observe(seconds)
    process_store.report(engine, "replica-a:11", 2, times.snapshot(), now)
    at = open_page(PAGE)
    at.session_state["admin_tab"] = t("tab_system")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert tab_shown(at, "admin_tab") == t("tab_system")
    figures = {m.label: m.value for m in at.metric}
    assert figures[t("sys_backlog")] == "1"  # the e-mail
    assert figures[t("sys_dead")] == "1"
    assert figures[t("sys_backup")] == t("sys_not_known")  # none taken yet
    assert figures[t("sys_audit")] == t("sys_audit_ok")
    *_, feeds, deliveries, processes = (d.value for d in at.dataframe)  # the last tab's
    states = dict(zip(feeds[t("col_feed")], feeds[t("col_status")], strict=True))
    assert states["USGS"] == t("state_stale") and states["GDACS"] == t("state_failing")
    assert "server error (HTTP 502)" in feeds[t("col_error")].tolist()
    assert (
        dict(zip(deliveries[t("col_status")], deliveries[t("col_count")], strict=True))[
            t("delivery_dead")
        ]
        == 1
    )
    apps = processes.set_index(t("col_process"))
    replica = apps.loc["replica-a:11"]
    assert replica[t("col_sessions")] == 2 and replica[t("col_reruns")] == 10
    assert 0.1 < replica[t("col_rerun_p50")] <= 0.25 < 2.5 < replica[t("col_rerun_p95")] <= 5.0
    own = apps.loc[f"{socket.gethostname()}:{os.getpid()}"]  # this app's own reruns so far
    assert own[t("col_reruns")] >= 1
