"""Alert rules as plain functions: who is told, quiet hours, escalation, escaping, signing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from command_center.services import alerts as rules


def person(user_id=1, role="operator", scope="32.03", **chosen) -> rules.Subscriber:
    links = chosen.pop("links", {"email": "a@example.org", "telegram": "77"})
    return rules.Subscriber(user_id, f"u{user_id}", role, scope, links, **chosen)


FLOOD_IN_CIANJUR = rules.AlertFacts("incident_opened", "warning", ("32.03.01",), "banjir")


def test_an_alert_reaches_users_whose_scope_and_choices_fit() -> None:
    assert rules.wants(person(), FLOOD_IN_CIANJUR)
    assert rules.wants(person(scope=None), FLOOD_IN_CIANJUR)  # national
    assert rules.wants(person(scope="32"), FLOOD_IN_CIANJUR)  # the province
    assert not rules.wants(person(scope="33"), FLOOD_IN_CIANJUR)
    assert not rules.wants(person(areas=("32.03.02",)), FLOOD_IN_CIANJUR)
    assert rules.wants(person(areas=("32.03.01",)), FLOOD_IN_CIANJUR)
    assert not rules.wants(person(hazards=("gempa_bumi",)), FLOOD_IN_CIANJUR)
    assert not rules.wants(person(min_severity="critical"), FLOOD_IN_CIANJUR)


def test_a_national_alert_reaches_only_the_national_and_a_tsunami_everyone() -> None:
    stale = rules.AlertFacts("feed_stale", "warning", ())
    assert rules.wants(person(scope=None), stale)
    assert not rules.wants(person(scope="32.03"), stale)
    tsunami = rules.AlertFacts("tsunami_warning", "critical", ("13.09.01",), "tsunami")
    picky = person(scope="32.03", hazards=("banjir",), min_severity="critical")
    assert rules.wants(picky, tsunami)


def test_only_chosen_and_linked_channels_are_used() -> None:
    both = person()
    assert rules.channels_of(both) == [("telegram", "77"), ("email", "a@example.org")]
    assert rules.channels_of(person(channels=("email", "webhook"))) == [("email", "a@example.org")]
    assert rules.recipients(FLOOD_IN_CIANJUR, [person(links={})]) == []


def test_quiet_hours_hold_until_they_end_across_midnight_in_local_time() -> None:
    sleeper = person(quiet_from="22:00", quiet_until="06:00")
    night = datetime(2026, 12, 3, 16, 30, tzinfo=UTC)  # 23:30 WIB
    assert rules.held_until(sleeper, "warning", night) == datetime(
        2026, 12, 3, 23, 0, tzinfo=UTC
    )  # 06:00 WIB the next day
    assert rules.held_until(sleeper, "critical", night) is None
    day = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)  # 12:00 WIB
    assert rules.held_until(sleeper, "warning", day) is None
    papua = person(scope="94", quiet_from="22:00", quiet_until="06:00", zone="Asia/Jayapura")
    assert rules.held_until(papua, "info", datetime(2026, 12, 3, 14, 0, tzinfo=UTC))  # 23:00 WIT


def test_quiet_hour_bounds_must_be_clock_times() -> None:
    assert not rules.quiet_error("22:00")
    assert rules.quiet_error("25:00") and rules.quiet_error("jam 10") and rules.quiet_error("7:61")


def test_escalation_goes_to_the_next_role_covering_the_area() -> None:
    alert = rules.AlertFacts("tsunami_warning", "critical", ("32.03.01",), "tsunami")
    people = [
        person(1, "operator"),
        person(2, "coordinator", "32.03"),
        person(3, "coordinator", "33"),
        person(4, "admin", None, channels=("email",)),
    ]
    first = rules.escalation_targets(alert, 0, people)
    assert {s.user_id for s, _, _ in first} == {2}
    second = rules.escalation_targets(alert, 1, people)
    # an escalation uses every linked channel, whatever the admin chose for routine alerts
    assert {(s.user_id, c) for s, c, _ in second} == {(4, "telegram"), (4, "email")}


def test_overrides_set_or_silence_a_rule() -> None:
    assert rules.severity_of("sitrep_issued", {}) == "info"
    assert rules.severity_of("weather_warning", {}, "critical") == "critical"
    assert rules.severity_of("sitrep_issued", {"sitrep_issued": "warning"}) == "warning"
    assert rules.severity_of("sitrep_issued", {"sitrep_issued": "off"}) is None


def test_backoff_doubles_and_is_capped() -> None:
    assert [rules.backoff_s(n, 30) for n in (1, 2, 3)] == [30, 60, 120]
    assert rules.backoff_s(20, 30) == rules.MAX_BACKOFF_S


HOSTILE = rules.Message(
    "cc-1-2-telegram",
    "incident_opened",
    "critical",
    'Banjir <script>alert(1)</script> & "Desa"',
    "Kec. <b>Cugenang</b>\n2 baris",
    "https://cc.example/incidents?incident=1&x=<y>",
    "tok",
    "https://cc.example/notifications?ack=tok",
)


def test_user_text_is_escaped_for_telegram_and_email_html() -> None:
    telegram = rules.telegram_html(HOSTILE)
    assert "<script>" not in telegram and "&lt;script&gt;" in telegram
    assert "&lt;b&gt;Cugenang&lt;/b&gt;" in telegram
    assert 'href="https://cc.example/incidents?incident=1&amp;x=&lt;y&gt;"' in telegram
    mail = rules.email_html(HOSTILE)
    assert "<script>" not in mail and "&lt;b&gt;Cugenang" in mail and "<br>" in mail
    assert "Terima/ACK" in mail
    assert "<script>alert(1)</script>" in rules.plain_text(HOSTILE)  # plain text stays as typed


def test_a_template_parameter_has_no_newlines_or_long_spaces() -> None:
    assert rules.template_parameter("a\n\tb     c") == "a b c"
    assert rules.template_parameter("   ") == "-"


def test_a_webhook_body_is_signed_and_a_change_breaks_the_signature() -> None:
    body = rules.webhook_payload(HOSTILE)
    assert json.loads(body)["title"] == HOSTILE.title
    header = rules.signature("s3cret", "1700000000", body)
    assert header.startswith("sha256=") and rules.verify("s3cret", "1700000000", body, header)
    assert not rules.verify("s3cret", "1700000000", body + b" ", header)
    assert not rules.verify("other", "1700000000", body, header)
    assert not rules.verify("s3cret", "1700000001", body, header)
