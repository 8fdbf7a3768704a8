"""The Notifikasi page in the real app (AppTest): a user's channels, subscription and alerts
with acknowledgement; the admin's outbox and dead letters; the ACK link without sign-in; an
incident showing who acknowledged its alert."""

from __future__ import annotations

import pytest
import streamlit as st
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine, migrate
from command_center.base.labels import t
from command_center.base.models import Alert, AlertDelivery
from command_center.base.settings import PROJECT_ROOT
from command_center.stores import accounts, outbox
from command_center.stores import alerts as alert_store
from command_center.stores import common as base
from command_center.ui.messages import md
from tests.alerts import DAYEUHKOLOT, flood
from tests.conftest import open_tab, signed_in

PAGE = "pages/notifications.py"
EVERY = ("telegram", "whatsapp", "email", "webhook")


@pytest.fixture
def store(app_env, database_url, geography, monkeypatch):
    monkeypatch.setenv("CC_AUTH_MODE", "local")
    engine = make_engine(database_url)
    migrate(engine)
    base.sync_areas(engine, geography.area_rows())
    yield engine
    engine.dispose()


def _account(engine, username: str, role: str, scope: str | None = "32.04") -> None:
    accounts.create_user(engine, SYSTEM, username, "kata-sandi-1", role, scope, username)


def _signed_in(username: str, tab: str | None = None) -> AppTest:
    at = signed_in(username, page=PAGE)
    if tab:
        at.session_state["notifications_tab"] = t(tab)
        at = at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == t(label))


def _critical(engine, title: str = "Tsunami <b>WASPADA</b>") -> None:
    with Session(engine) as session, session.begin():
        outbox.write(session, "tsunami_warning", title, "", "/hazards", [DAYEUHKOLOT], "tsunami")
    alert_store.fan_out(engine, {}, EVERY)


def test_a_user_links_an_email_and_chooses_what_they_are_told(store, monkeypatch) -> None:
    monkeypatch.setenv("CC_SMTP_HOST", "127.0.0.1")  # e-mail and Telegram switched on
    monkeypatch.setenv("CC_TELEGRAM_BOT_TOKEN", "123:abc")
    st.cache_resource.clear()
    _account(store, "ani", "operator")
    at = _signed_in("ani", "tab_channels")
    assert t("tab_outbox") not in [tab.label for tab in at.tabs]  # an operator's page
    form_select = next(s for s in at.selectbox if s.label == t("col_channel"))
    form_select.set_value("email")
    next(i for i in at.text_input if i.label == t("field_address")).input("bukan-alamat")
    at = _button(at, "link_channel").click().run()
    assert t("field_email") in at.error[0].value  # the field named
    next(i for i in at.text_input if i.label == t("field_address")).input("ani@dinsos.example")
    at = _button(at, "link_channel").click().run()
    assert alert_store.links(store, "ani") == {"email": "ani@dinsos.example"}
    at = _button(at, "telegram_code").click().run()
    assert "/start " in at.info[0].value
    assert alert_store.links(store, "ani")["telegram"] is None  # waiting for the code
    at.session_state["notifications_tab"] = t("tab_subscription")
    at = at.run()
    next(m for m in at.multiselect if m.label == t("field_hazards")).set_value(["banjir"])
    next(s for s in at.selectbox if s.label == t("field_min_severity")).set_value("warning")
    next(i for i in at.text_input if i.label == t("field_quiet_from")).input("22:00")
    next(i for i in at.text_input if i.label == t("field_quiet_until")).input("05:30")
    at = _button(at, "save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    chosen = alert_store.subscription(store, "ani")
    assert (chosen.hazards, chosen.min_severity, chosen.quiet_from) == (
        ("banjir",),
        "warning",
        "22:00",
    )


def test_a_scoped_user_subscribes_only_to_kabupaten_of_their_area(store) -> None:
    _account(store, "ani", "operator", "32.04")
    at = _signed_in("ani", "tab_subscription")
    areas = next(m for m in at.multiselect if m.label == t("field_areas"))
    assert areas.options == ["Kabupaten Bandung (32.04)"]  # not all 514 of Indonesia


def test_the_page_says_who_may_link_a_webhook_and_refuses_other_hosts(
    store, monkeypatch, dns
) -> None:
    monkeypatch.setenv("CC_SMTP_HOST", "127.0.0.1")  # e-mail is on: the form is offered
    st.cache_resource.clear()
    _account(store, "ani", "viewer")
    at = _signed_in("ani", "tab_channels")
    assert t("webhook_rule_admin") in [c.value for c in at.caption]
    choices = next(s for s in at.selectbox if s.label == t("col_channel")).options
    assert t("channel_webhook") not in choices  # no field the store would refuse
    monkeypatch.setenv("CC_WEBHOOK_ALLOWED_HOSTS", "bpbd.lan")  # the operator allows one host
    monkeypatch.setenv("CC_WEBHOOK_SECRET", "rahasia-bersama")  # and switches webhooks on
    st.cache_resource.clear()
    dns["bpbd.lan"] = ["10.20.30.40"]
    at = _signed_in("ani", "tab_channels")
    assert t("webhook_rule_hosts", hosts=md("bpbd.lan")) in [c.value for c in at.caption]
    next(s for s in at.selectbox if s.label == t("col_channel")).set_value("webhook")
    address = next(i for i in at.text_input if i.label == t("field_address"))
    address.input("http://127.0.0.1:9999/")
    at = _button(at, "link_channel").click().run()
    assert at.error[0].value.startswith(t("field_webhook"))  # the field named
    assert alert_store.links(store, "ani") == {}
    next(i for i in at.text_input if i.label == t("field_address")).input("http://bpbd.lan/cap")
    at = _button(at, "link_channel").click().run()
    assert alert_store.links(store, "ani") == {"webhook": "http://bpbd.lan/cap"}


def test_a_user_sees_their_alerts_and_acknowledges_a_critical_one(store) -> None:
    _account(store, "ani", "operator")
    alert_store.set_address(store, SYSTEM, "ani", "email", "ani@dinsos.example")
    flood(store)
    _critical(store)
    at = _signed_in("ani")
    table = at.dataframe[0].value
    assert list(table[t("col_alert")]) == [
        "Tsunami <b>WASPADA</b>",
        "Kejadian dibuka: Banjir Dayeuhkolot",
    ]
    assert set(table[t("col_acked")]) == {"-"}
    at = _button(at, "ack_button").click().run()
    assert at.success[0].value == t("ack_saved")
    acked = at.dataframe[0].value[t("col_acked")].iloc[0]
    assert acked.startswith("ani · ")


def _outbox_with_a_dead_letter(store) -> AppTest:
    """An admin's outbox holding one dead letter (WhatsApp to Ani, not configured)."""
    _account(store, "root", "admin", None)
    _account(store, "ani", "operator")
    alert_store.set_address(store, SYSTEM, "ani", "whatsapp", "0812 3456 7890")
    flood(store)
    alert_store.fan_out(store, {}, ("email",))  # WhatsApp not configured: dead at once
    return _signed_in("root", "tab_outbox")


def test_an_admin_sees_the_outbox_and_retries_a_dead_letter(store) -> None:
    at = _outbox_with_a_dead_letter(store)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("delivery_dead")] == "1"
    assert "whatsapp is not configured" in at.dataframe[0].value.to_csv()
    next(m for m in at.multiselect if m.label == t("dead_letters")).select(
        at.dataframe[0].value["id"].iloc[0]
    )
    at = _button(at, "retry").click().run()
    assert at.success[0].value == t("retried", n=1)
    with Session(store) as session:
        assert session.scalar(select(AlertDelivery.status)) == "pending"
    assert {m.label: m.value for m in at.metric}[t("delivery_pending")] == "1"


def test_discarding_a_dead_letter_asks_first_naming_it(store) -> None:
    at = _outbox_with_a_dead_letter(store)
    dead = at.dataframe[0].value["id"].iloc[0]
    next(m for m in at.multiselect if m.label == t("dead_letters")).select(dead)
    at = _button(at, "discard_dead").click().run()
    question = t("ask_discard_dead", n=1, ids=f"#{dead}")
    assert [w.value for w in at.warning] == [question]
    with Session(store) as session:
        assert session.scalar(select(AlertDelivery.status)) == "dead"  # one click did nothing
    at = _button(at, "confirm_yes").click().run()
    assert at.success[0].value == t("dead_discarded", n=1)
    with Session(store) as session:
        assert session.scalar(select(AlertDelivery.status)) == "discarded"


def test_an_ack_link_works_without_sign_in_and_shows_on_the_incident(store) -> None:
    _account(store, "root", "admin", None)
    _account(store, "ani", "operator")
    alert_store.set_address(store, SYSTEM, "ani", "email", "ani@dinsos.example")
    incident = flood(store)
    with Session(store) as session, session.begin():
        outbox.write(
            session,
            "incident_phase",
            "Status KRITIS",
            "",
            "/incidents",
            [DAYEUHKOLOT],
            "banjir",
            incident,
            severity="critical",
        )
    alert_store.fan_out(store, {}, EVERY)
    with Session(store) as session:
        token = session.scalar(
            select(AlertDelivery.ack_token).where(AlertDelivery.ack_token.is_not(None))
        )
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["ack"] = "wrong"
    at = at.run()
    assert not at.text_input  # no sign-in screen
    assert at.error[0].value == t("ack_unknown") and not at.button
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["ack"] = token
    at = at.run()
    assert at.markdown[0].value == "**Status KRITIS**"  # what is acknowledged, before the press
    with Session(store) as session:
        assert session.scalar(select(Alert.acked_at)) is None  # opening the link did nothing
    at = _button(at, "ack_button").click().run()
    assert "Status KRITIS" in at.success[0].value and "ani" in at.success[0].value
    at = _signed_in("root")
    at = at.switch_page("pages/incidents.py")
    at.query_params["incident"] = str(incident)
    at = open_tab(at, "incident_tab", "tab_incident_audit")  # the alerts sent about it
    assert not at.exception, [e.message for e in at.exception]
    shown = "\n".join(d.value.to_csv() for d in at.dataframe)
    assert "Status KRITIS" in shown and "ani · " in shown


def _navigation(at: AppTest) -> list[str]:
    """The page titles of the sidebar's navigation (AppTest keeps them only here)."""
    return [page["page_name"] for page in at._registered_pages.values()]


def test_every_alert_of_ones_area_is_listed_with_no_channel_and_the_sidebar_counts_unread(
    store,
) -> None:
    _account(store, "ani", "viewer")  # Kab. Bandung, no channel linked, no sender running
    flood(store)
    with Session(store) as session, session.begin():
        outbox.write(session, "report_waiting", "Laporan Cugenang", "", "/reports", ["32.03.11"])
    at = signed_in("ani", page="pages/live_map.py")
    assert t("page_notifications_unread", n="1") in _navigation(at)
    at = at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    table = at.dataframe[0].value
    assert list(table[t("col_alert")]) == ["Kejadian dibuka: Banjir Dayeuhkolot"]  # not Cianjur
    assert list(table[t("col_new")]) == [t("alert_new")]  # new when the list was opened
    assert list(table[t("col_sent_to")]) == [t("alert_in_app_only")]
    assert list(table["link"]) == [f"/incidents?incident={base.incidents(store)[0].id}"]
    assert t("page_notifications") in _navigation(at)  # opening the list read it
    assert list(alert_store.inbox(store, "ani")["read"]) == [True]
    at = at.switch_page("pages/live_map.py").run()
    assert t("page_notifications") in _navigation(at)


def test_a_channel_that_is_off_is_not_offered_and_a_failure_says_why(store) -> None:
    _account(store, "ani", "operator")
    alert_store.set_address(store, SYSTEM, "ani", "whatsapp", "0812 3456 7890")  # before
    flood(store)
    alert_store.fan_out(store, {}, ())  # nothing switched on on this server
    at = _signed_in("ani")
    (sent,) = at.dataframe[0].value[t("col_sent_to")]
    assert (
        sent
        == f"{t('channel_whatsapp')}: {t('delivery_dead')} (channel whatsapp is not configured)"
    )
    at.session_state["notifications_tab"] = t("tab_channels")
    at = at.run()
    assert not any(s.label == t("col_channel") for s in at.selectbox)  # no field to refuse
    assert t("channels_all_off") in [c.value for c in at.caption]
    email = next(m.value for m in at.markdown if m.value.startswith(f"**{t('channel_email')}**"))
    assert t("channel_off", needs="CC_SMTP_HOST") in email  # and why
    assert not [b for b in at.button if b.label == t("telegram_code")]
