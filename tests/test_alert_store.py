"""Alerts in the store: written with the change behind them, fanned out by subscription,
claimed and marked once, dead letters, acknowledgement, escalation and channel links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from command_center.base.auth import SYSTEM, Principal
from command_center.base.errors import Forbidden, InvalidInput
from command_center.base.models import Alert, AlertDelivery
from command_center.base.times import utcnow
from command_center.stores import alerts as alert_store
from command_center.stores import incidents as incident_store
from command_center.stores import outbox
from command_center.stores.alerts import Failure, SubscriptionInput
from command_center.stores.incidents import NewIncident
from tests.alerts import DAYEUHKOLOT, flood, person

EVERY = ("telegram", "whatsapp", "email", "webhook")
PUBLIC = "93.184.215.14"  # a public address (nothing is sent in these tests)


def _alerts(engine) -> list[Alert]:
    with Session(engine) as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def _deliveries(engine) -> list[AlertDelivery]:
    with Session(engine) as session:
        return list(session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))


def test_an_alert_is_written_with_its_change_and_not_without_it(area_engine) -> None:
    incident = flood(area_engine, 'Banjir <b>"Citarum"</b>')
    (alert,) = _alerts(area_engine)
    assert (alert.rule, alert.incident_id, alert.hazard) == ("incident_opened", incident, "banjir")
    assert alert.title == 'Kejadian dibuka: Banjir <b>"Citarum"</b>'  # kept as typed
    assert alert.link == f"/incidents?incident={incident}"
    assert sorted(alert.areas) == sorted([DAYEUHKOLOT, "32.04.32"])
    with pytest.raises(InvalidInput):  # refused: neither the incident nor an alert is stored
        incident_store.open_incident(
            area_engine,
            NewIncident("banjir", "X", ("99.99.99",), utcnow()),
            Principal("Operator", "operator"),
        )
    assert len(_alerts(area_engine)) == 1


def test_phases_closing_and_sitreps_alert_too(area_engine) -> None:
    incident = flood(area_engine)
    coordinator = Principal("Koordinator", "coordinator")
    incident_store.add_phase(
        area_engine,
        incident,
        coordinator,
        "tanggap_darurat",
        "188/12/2026",
        "Bupati Bandung",
        utcnow().date(),
    )
    incident_store.close_incident(area_engine, incident, coordinator)
    rules = [a.rule for a in _alerts(area_engine)]
    assert rules == ["incident_opened", "incident_phase", "incident_closed"]
    phase = _alerts(area_engine)[1]
    assert "Tanggap darurat" in phase.body and "188/12/2026" in phase.body


def test_fan_out_follows_scope_subscription_and_linked_channels(area_engine, dns) -> None:
    dns["bpbd.example"] = [PUBLIC]
    person(area_engine, "bandung", email="bandung@dinsos.example")
    person(area_engine, "jabar", "coordinator", "32", webhook="https://bpbd.example/hook")
    person(area_engine, "jateng", scope="33", email="jateng@dinsos.example")
    person(area_engine, "nolink")
    person(area_engine, "picky", email="picky@dinsos.example")
    alert_store.save_subscription(
        area_engine, SYSTEM, "picky", SubscriptionInput(hazards=("gempa_bumi",))
    )
    flood(area_engine)
    assert alert_store.fan_out(area_engine, {}, EVERY) == 2
    got = {(d.channel, d.address, d.status) for d in _deliveries(area_engine)}
    assert got == {
        ("email", "bandung@dinsos.example", "pending"),
        ("webhook", "https://bpbd.example/hook", "pending"),
    }
    assert alert_store.fan_out(area_engine, {}, EVERY) == 0  # nothing twice


def test_an_unconfigured_channel_is_a_dead_letter_an_admin_sees(area_engine) -> None:
    person(area_engine, "bandung", whatsapp="0812-3456-7890")
    flood(area_engine)
    alert_store.fan_out(area_engine, {}, ("email",))
    (dead,) = _deliveries(area_engine)
    assert dead.status == "dead" and "whatsapp is not configured" in dead.last_error


def test_an_override_silences_a_rule(area_engine) -> None:
    person(area_engine, "bandung", email="bandung@dinsos.example")
    flood(area_engine)
    assert alert_store.fan_out(area_engine, {"incident_opened": "off"}, EVERY) == 0
    assert _alerts(area_engine)[0].severity == "off"


def test_quiet_hours_hold_routine_alerts(area_engine) -> None:
    person(area_engine, "bandung", email="bandung@dinsos.example")
    alert_store.save_subscription(
        area_engine,
        SYSTEM,
        "bandung",
        SubscriptionInput(quiet_from="00:00", quiet_until="23:59"),
    )
    flood(area_engine)
    alert_store.fan_out(area_engine, {}, EVERY)
    (held,) = _deliveries(area_engine)
    assert held.next_at > utcnow()
    assert alert_store.claim(area_engine, 10, 60, EVERY) == []


def test_a_claimed_delivery_is_marked_once_and_a_crashed_claim_goes_out_again(area_engine):
    person(area_engine, "bandung", email="bandung@dinsos.example")
    flood(area_engine)
    alert_store.fan_out(area_engine, {}, EVERY)
    (job,) = alert_store.claim(area_engine, 10, 60, EVERY)
    assert job.attempts == 1 and job.title.startswith("Kejadian dibuka")
    assert alert_store.claim(area_engine, 10, 60, EVERY) == []  # claimed: not taken twice
    assert alert_store.release_claims(area_engine) == 1  # the sender died: it goes again
    (again,) = alert_store.claim(area_engine, 10, 60, EVERY)
    assert (again.key, again.attempts) == (job.key, 2)
    alert_store.mark(area_engine, [again.id], [])
    (sent,) = _deliveries(area_engine)
    assert sent.status == "sent" and sent.sent_at is not None
    assert alert_store.release_claims(area_engine) == 0


def test_failures_wait_then_die_and_an_admin_retries_or_discards(area_engine) -> None:
    person(area_engine, "bandung", email="bandung@dinsos.example")
    person(area_engine, "bandung2", email="b2@dinsos.example")
    flood(area_engine)
    alert_store.fan_out(area_engine, {}, EVERY)
    first, second = alert_store.claim(area_engine, 10, 60, EVERY)
    later = utcnow() + timedelta(minutes=5)
    alert_store.mark(
        area_engine, [], [Failure(first.id, "HTTP 500", later), Failure(second.id, "550", None)]
    )
    waiting, dead = _deliveries(area_engine)
    assert (waiting.status, waiting.next_at, waiting.last_error) == ("pending", later, "HTTP 500")
    assert dead.status == "dead"
    operator = Principal("Operator", "operator")
    with pytest.raises(Forbidden):
        alert_store.retry_dead(area_engine, operator, [dead.id])
    assert alert_store.retry_dead(area_engine, SYSTEM, [dead.id, waiting.id]) == 1
    assert _deliveries(area_engine)[1].status == "pending"
    alert_store.mark(area_engine, [], [Failure(dead.id, "550", None)])
    assert alert_store.discard(area_engine, SYSTEM, [dead.id]) == 1
    assert _deliveries(area_engine)[1].status == "discarded"


def _critical(engine) -> int:
    with Session(engine) as session, session.begin():
        alert = outbox.write(
            session,
            "tsunami_warning",
            "Peringatan dini tsunami WASPADA",
            "Pantai selatan",
            "/hazards",
            [DAYEUHKOLOT],
            "tsunami",
        )
        session.flush()
        return alert.id


def test_a_tsunami_reaches_everyone_on_duty_with_an_ack_and_escalates_unacked(area_engine):
    person(area_engine, "bandung", email="bandung@dinsos.example")
    person(area_engine, "jateng", scope="33", email="jateng@dinsos.example")
    person(area_engine, "picky", email="p@x.example")
    alert_store.save_subscription(
        area_engine,
        SYSTEM,
        "picky",
        SubscriptionInput(min_severity="critical", hazards=("banjir",)),
    )
    person(area_engine, "koord", "coordinator", "32.04", telegram="5551")
    person(area_engine, "admin1", "admin", None, email="admin@kemensos.example")
    alert_id = _critical(area_engine)
    alert_store.fan_out(area_engine, {}, EVERY)
    first = _deliveries(area_engine)
    assert {d.address for d in first} == {
        "bandung@dinsos.example",
        "jateng@dinsos.example",
        "p@x.example",
        "5551",
        "admin@kemensos.example",
    }
    assert all(d.ack_token for d in first)
    later = utcnow() + timedelta(minutes=31)
    # everyone already had it: the coordinator's escalation adds nobody, the next the admins
    assert alert_store.escalate(area_engine, 30, EVERY, later) == 0
    token = first[0].ack_token
    acked = alert_store.acknowledge(area_engine, token)
    assert (acked.by, acked.first) == ("bandung", True)
    assert alert_store.acknowledge(area_engine, token).first is False
    assert alert_store.escalate(area_engine, 30, EVERY, later + timedelta(hours=1)) == 0
    assert alert_store.acknowledge(area_engine, "not-a-token") is None
    with Session(area_engine) as session:
        assert session.get(Alert, alert_id).acked_by == "bandung"


def test_an_unacked_critical_alert_goes_to_the_coordinator_then_the_admin(area_engine) -> None:
    person(area_engine, "bandung", email="bandung@dinsos.example")
    alert_store.save_subscription(area_engine, SYSTEM, "bandung", SubscriptionInput())
    person(area_engine, "koord", "coordinator", "32.04", telegram="5551")
    person(area_engine, "admin1", "admin", None, email="admin@kemensos.example")
    alert_store.save_subscription(
        area_engine, SYSTEM, "koord", SubscriptionInput(hazards=("gempa_bumi",))
    )
    alert_store.save_subscription(area_engine, SYSTEM, "admin1", SubscriptionInput(areas=("33",)))
    with Session(area_engine) as session, session.begin():
        outbox.write(
            session,
            "weather_warning",
            "Hujan ekstrem",
            "",
            "/hazards",
            [DAYEUHKOLOT],
            "cuaca_ekstrem",
            severity="critical",
        )
    alert_store.fan_out(area_engine, {}, EVERY)
    assert [d.address for d in _deliveries(area_engine)] == ["bandung@dinsos.example"]
    now = utcnow()
    assert alert_store.escalate(area_engine, 30, EVERY, now + timedelta(minutes=10)) == 0
    assert alert_store.escalate(area_engine, 30, EVERY, now + timedelta(minutes=31)) == 1
    assert alert_store.escalate(area_engine, 30, EVERY, now + timedelta(minutes=62)) == 1
    assert [d.address for d in _deliveries(area_engine)] == [
        "bandung@dinsos.example",
        "5551",
        "admin@kemensos.example",
    ]
    assert alert_store.escalate(area_engine, 30, EVERY, now + timedelta(hours=5)) == 0


def test_subscriptions_are_checked_and_only_one_s_own_or_by_an_admin(area_engine) -> None:
    person(area_engine, "bandung", email="bandung@dinsos.example")
    person(area_engine, "other", email="o@dinsos.example")
    me = Principal("Bandung", "operator", "32.04", "bandung")
    with pytest.raises(InvalidInput) as refused:
        alert_store.save_subscription(
            area_engine,
            me,
            "bandung",
            SubscriptionInput(areas=("33.01", "99.99"), min_severity="loud", quiet_from="25:00"),
        )
    fields = {(e.field, e.code) for e in refused.value.errors}
    assert fields == {
        ("areas", "out_of_scope"),
        ("areas", "unknown_kecamatan"),
        ("min_severity", "bad_choice"),
        ("quiet_from", "bad_time"),
        ("quiet_until", "missing"),
    }
    alert_store.save_subscription(
        area_engine, me, "bandung", SubscriptionInput(areas=("32.04.12",))
    )
    assert alert_store.subscription(area_engine, "bandung").areas == ("32.04.12",)
    with pytest.raises(Forbidden):
        alert_store.save_subscription(area_engine, me, "other", SubscriptionInput())
    with pytest.raises(InvalidInput) as bad:
        alert_store.set_address(area_engine, me, "bandung", "email", "not-an-address")
    assert bad.value.errors[0].field == "email"


def test_only_admins_link_webhooks_off_the_allowed_hosts(area_engine, dns) -> None:
    dns["hook.bpbd.example"], dns["bpbd.lan"] = [PUBLIC], ["10.20.30.40"]
    for role in ("viewer", "operator", "coordinator", "logistik", "pendata"):
        person(area_engine, role, role)
        actor = Principal(role.title(), role, "32.04", role)
        for url in ("https://hook.bpbd.example/x", "http://127.0.0.1:9999/", "http://bpbd.lan/"):
            with pytest.raises(InvalidInput) as refused:  # no host allowed: admins only
                alert_store.set_address(area_engine, actor, role, "webhook", url)
            (error,) = refused.value.errors
            assert (error.field, error.code) == ("webhook", "webhook_admin_only"), url
        for url in ("https://hook.bpbd.example/x", "http://127.0.0.1:9999/"):
            with pytest.raises(InvalidInput) as unlisted:
                alert_store.set_address(area_engine, actor, role, "webhook", url, ("bpbd.lan",))
            (error,) = unlisted.value.errors
            assert (error.code, error.params["hosts"]) == ("webhook_host_not_listed", "bpbd.lan")
        assert alert_store.links(area_engine, role) == {}
        # a host the operator listed: anyone's, though it is on the LAN
        alert_store.set_address(
            area_engine, actor, role, "webhook", "http://bpbd.lan:8080/hook", ("bpbd.lan",)
        )
        assert alert_store.links(area_engine, role) == {"webhook": "http://bpbd.lan:8080/hook"}
    alert_store.set_address(area_engine, SYSTEM, "viewer", "webhook", "https://hook.bpbd.example/x")
    assert alert_store.links(area_engine, "viewer") == {"webhook": "https://hook.bpbd.example/x"}


REFUSED_WEBHOOKS = [  # url, its host as the allow-list would name it, why it is refused
    ("http://127.0.0.1:9999/x", "127.0.0.1", "private"),
    ("http://localhost:9999/x", "localhost", "private"),  # a name for 127.0.0.1
    ("http://2130706433/", "2130706433", "private"),  # 127.0.0.1 as one decimal number
    ("http://0177.0.0.1/", "0177.0.0.1", "private"),  # and in octal
    ("http://0x7f.1/", "0x7f.1", "private"),
    ("http://[::1]/", "::1", "private"),
    ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1", "private"),  # IPv4-mapped IPv6
    ("http://10.1.2.3/", "10.1.2.3", "private"),
    ("http://192.168.1.20/", "192.168.1.20", "private"),
    ("http://[fd12:3456::1]/", "fd12:3456::1", "private"),
    ("http://100.64.0.1/", "100.64.0.1", "private"),  # shared (carrier-grade NAT)
    ("http://mixed.bpbd.example/", "mixed.bpbd.example", "private"),  # one address of two
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", "never"),
    ("http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254", "never"),
    ("http://[fd00:ec2::254]/latest/", "fd00:ec2::254", "never"),  # AWS metadata over IPv6
    ("http://metadata.google.internal/computeMetadata/v1/", "metadata.google.internal", "never"),
    ("http://100.100.100.200/", "100.100.100.200", "never"),
    ("http://[fe80::1]/", "fe80::1", "never"),
    ("http://0.0.0.0:8501/", "0.0.0.0", "never"),
    ("http://224.0.0.1/", "224.0.0.1", "never"),
    ("http://240.0.0.1/", "240.0.0.1", "never"),
]


def test_an_admin_cannot_link_a_local_private_or_metadata_address_unless_allowed(
    area_engine, dns
) -> None:
    dns["mixed.bpbd.example"] = [PUBLIC, "10.9.8.7"]
    person(area_engine, "bandung")
    for url, host, reason in REFUSED_WEBHOOKS:
        with pytest.raises(InvalidInput) as refused:
            alert_store.set_address(area_engine, SYSTEM, "bandung", "webhook", url)
        (error,) = refused.value.errors
        assert (error.field, error.code) == ("webhook", f"webhook_{reason}"), url
        if reason == "private":  # the operator's explicit choice: a receiver on the LAN
            alert_store.set_address(area_engine, SYSTEM, "bandung", "webhook", url, (host,))
            assert alert_store.links(area_engine, "bandung") == {"webhook": url}
            alert_store.unlink(area_engine, SYSTEM, "bandung", "webhook")
        else:  # metadata and link-local: never, listed or not
            with pytest.raises(InvalidInput) as listed:
                alert_store.set_address(area_engine, SYSTEM, "bandung", "webhook", url, (host,))
            assert listed.value.errors[0].code == "webhook_never", url
    with pytest.raises(InvalidInput) as nowhere:
        alert_store.set_address(area_engine, SYSTEM, "bandung", "webhook", "http://tidak.ada/")
    assert nowhere.value.errors[0].code == "webhook_unresolved"
    assert alert_store.links(area_engine, "bandung") == {}


def test_a_telegram_chat_links_by_a_one_time_code(area_engine) -> None:
    person(area_engine, "bandung")
    me = Principal("Bandung", "operator", "32.04", "bandung")
    code = alert_store.start_telegram(area_engine, me, "bandung")
    assert alert_store.links(area_engine, "bandung") == {"telegram": None}
    assert alert_store.link_telegram(area_engine, "/start WRONG", "99") is None
    assert alert_store.link_telegram(area_engine, f"/start {code.lower()}", "4242") == "bandung"
    assert alert_store.links(area_engine, "bandung") == {"telegram": "4242"}
    assert alert_store.link_telegram(area_engine, code, "666") is None  # used once
    code = alert_store.start_telegram(area_engine, me, "bandung")
    late = utcnow() + timedelta(minutes=alert_store.LINK_CODE_MIN + 1)
    assert alert_store.link_telegram(area_engine, code, "777", late) is None


def test_a_user_s_list_shows_each_alert_once_with_its_best_delivery(area_engine) -> None:
    person(area_engine, "bandung", email="bandung@dinsos.example", whatsapp="081234567890")
    flood(area_engine)
    alert_store.fan_out(area_engine, {}, ("email",))  # WhatsApp is off here: dead at once
    (row,) = alert_store.user_alerts(area_engine, "bandung").itertuples()
    assert row.status == "pending"
    (job,) = alert_store.claim(area_engine, 10, 60, EVERY)
    alert_store.mark(area_engine, [job.id], [])
    assert alert_store.user_alerts(area_engine, "bandung")["status"].tolist() == ["sent"]


def test_the_in_app_list_holds_every_alert_of_ones_scope_and_subscription_read_per_user(
    area_engine,
) -> None:
    ani = person(area_engine, "ani", "viewer")  # Kab. Bandung, no channel linked
    budi = person(area_engine, "budi", "logistik")
    cici = person(area_engine, "cici", "pendata", "32.03")  # Kab. Cianjur
    flood(area_engine)  # Kab. Bandung
    with Session(area_engine) as session, session.begin():
        outbox.write(session, "report_waiting", "Laporan Cugenang", "", "/reports", ["32.03.11"])
    bandung, cianjur = (a.id for a in _alerts(area_engine))

    listed = alert_store.inbox(area_engine, ani)
    assert list(listed["id"]) == [bandung] and not listed["read"].any()  # no fan-out needed
    assert list(listed["severity"]) == ["warning"] and listed["deliveries"].iloc[0] == []
    assert list(alert_store.inbox(area_engine, cici)["id"]) == [cianjur]

    me = Principal("Ani", "viewer", "32.04", ani)
    assert alert_store.mark_read(area_engine, me, [bandung, cianjur]) == 1  # not another's
    assert list(alert_store.inbox(area_engine, ani)["read"]) == [True]
    assert list(alert_store.inbox(area_engine, budi)["read"]) == [False]  # read per user
    assert alert_store.mark_read(area_engine, me, [bandung]) == 0  # once
    assert (
        alert_store.mark_read(area_engine, Principal("Cici", "pendata", "32.03", cici), [bandung])
        == 0
    )

    alert_store.save_subscription(area_engine, me, ani, SubscriptionInput(min_severity="critical"))
    assert alert_store.inbox(area_engine, ani).empty  # her subscription holds it back
    assert alert_store.inbox(area_engine, budi, {"incident_opened": "off"}).empty  # rule off
    newest_first = alert_store.inbox(area_engine, person(area_engine, "dedi", "admin", None))
    assert list(newest_first["id"]) == [cianjur, bandung]


def test_a_channel_that_is_off_cannot_be_linked_and_a_failure_keeps_its_reason(
    area_engine,
) -> None:
    person(area_engine, "ani", "operator")
    off = {"email": "CC_SMTP_HOST", "telegram": "CC_TELEGRAM_BOT_TOKEN"}
    me = Principal("Ani", "operator", "32.04", "ani")
    with pytest.raises(InvalidInput) as refused:
        alert_store.set_address(area_engine, me, "ani", "email", "ani@dinsos.example", (), off)
    assert [(e.field, e.code, e.params) for e in refused.value.errors] == [
        ("email", "channel_off", {"needs": "CC_SMTP_HOST"})
    ]
    with pytest.raises(InvalidInput):
        alert_store.start_telegram(area_engine, me, "ani", off)
    assert alert_store.links(area_engine, "ani") == {}
    alert_store.set_address(area_engine, me, "ani", "whatsapp", "0812 3456 7890", (), off)
    flood(area_engine)
    alert_store.fan_out(area_engine, {}, ())  # WhatsApp switched off since it was linked
    (listed,) = alert_store.inbox(area_engine, "ani")["deliveries"]
    assert listed == [("whatsapp", "dead", "channel whatsapp is not configured")]
