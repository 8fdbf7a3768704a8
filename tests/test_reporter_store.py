"""Field reporters' links in a real store: issue, report through, revoke, expire; what a link
may and may not reach; the token never stored."""

from datetime import timedelta

import pytest
from sqlalchemy import text

from command_center.base.auth import SYSTEM, Principal
from command_center.base.errors import Forbidden, InvalidInput
from command_center.base.settings import ProbeLimits
from command_center.base.times import utcnow
from command_center.services.reporters import NewLink
from command_center.stores import common as store
from command_center.stores import reporters as reporter_store
from command_center.stores import reports as report_store


def _link(geography, **changes) -> NewLink:
    values = {
        "name": "Siti (TKSK Cugenang)",
        "phone": "0812-1111-2222",
        "role": "PSM",
        "kecamatan": "32.03.11, 32.03.12",
        **changes,
    }
    return NewLink.check(values, geography)


def _report(incident_id: int, **changes) -> dict:
    moment = (utcnow() - timedelta(minutes=5)).isoformat()
    values = {"incident_id": incident_id, "kecamatan_code": "32.03.11", "report_time": moment}
    return values | {"deaths": 2, "displaced": 120, "needs": "selimut: 50"} | changes


@pytest.fixture
def incident(demo_engine) -> int:
    (record,) = store.incidents(demo_engine)
    return record.id


def test_a_report_through_a_link_is_the_reporters_unverified_report(
    demo_engine, geography, incident
) -> None:
    link_id, token = reporter_store.create_link(demo_engine, SYSTEM, _link(geography))
    holder = reporter_store.reporter_for(demo_engine, token)
    assert holder is not None and holder.kecamatan == ("32.03.11", "32.03.12")
    assert incident in reporter_store.reporter_incidents(demo_engine, holder)
    saved = reporter_store.save_field_report(demo_engine, token, _report(incident), geography)
    row = report_store.all_versions(demo_engine).set_index("id").loc[saved.id]
    assert (row["source"], row["reporter"], row["verification"]) == (
        "psm",
        "Siti (TKSK Cugenang)",
        "unverified",
    )
    mine = reporter_store.own_reports(demo_engine, holder)
    assert list(mine["id"]) == [saved.id] and mine.iloc[0]["displaced"] == 120
    with demo_engine.connect() as conn:
        actor = conn.execute(
            text("SELECT actor FROM audit_log WHERE entity = 'impact_report' ORDER BY id DESC")
        ).scalar()
        stored = conn.execute(text("SELECT token_hash FROM reporter_links")).scalar()
        audit = " ".join(map(str, conn.execute(text("SELECT after FROM audit_log")).scalars()))
    assert actor == f"Siti (TKSK Cugenang) (lapor #{link_id})"
    assert token not in stored and token not in audit  # only its hash is kept


def test_a_link_reaches_only_its_kecamatan_and_its_incidents(
    demo_engine, geography, incident
) -> None:
    _, token = reporter_store.create_link(demo_engine, SYSTEM, _link(geography))
    before = len(report_store.all_versions(demo_engine))
    with pytest.raises(Forbidden):  # another kecamatan of the same incident
        reporter_store.save_field_report(
            demo_engine, token, _report(incident, kecamatan_code="32.03.13"), geography
        )
    _, elsewhere = reporter_store.create_link(
        demo_engine, SYSTEM, _link(geography, kecamatan="32.73.01")
    )
    holder = reporter_store.reporter_for(demo_engine, elsewhere)
    assert reporter_store.reporter_incidents(demo_engine, holder) == {}
    with pytest.raises(Forbidden):  # a kecamatan outside every open incident
        reporter_store.save_field_report(
            demo_engine, elsewhere, _report(incident, kecamatan_code="32.73.01"), geography
        )
    assert len(report_store.all_versions(demo_engine)) == before


def test_a_revoked_or_expired_link_stops_at_once(demo_engine, geography, incident) -> None:
    link_id, token = reporter_store.create_link(demo_engine, SYSTEM, _link(geography, days=1))
    assert reporter_store.reporter_for(demo_engine, token, utcnow() + timedelta(days=2)) is None
    reporter_store.revoke_link(demo_engine, SYSTEM, link_id)
    assert reporter_store.reporter_for(demo_engine, token) is None
    with pytest.raises(Forbidden):
        reporter_store.save_field_report(demo_engine, token, _report(incident), geography)
    assert reporter_store.reporter_for(demo_engine, token + "x") is None


def test_links_are_issued_by_coordinators_inside_their_area(demo_engine, geography) -> None:
    cianjur = Principal("Koordinator Cianjur", "coordinator", "32.03")
    reporter_store.create_link(demo_engine, cianjur, _link(geography))
    with pytest.raises(Forbidden):
        reporter_store.create_link(demo_engine, cianjur, _link(geography, kecamatan="32.04.12"))
    with pytest.raises(Forbidden):
        reporter_store.create_link(demo_engine, Principal("Op", "operator"), _link(geography))
    assert [r.name for r in reporter_store.links(demo_engine, cianjur)] == ["Siti (TKSK Cugenang)"]


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"role": "dukun"}, "role", "bad_pilar_role"),
        ({"role": "dinsos"}, "role", "bad_pilar_role"),  # an office, not a field reporter
        ({"kecamatan": ""}, "kecamatan", "too_short"),
        ({"kecamatan": "32.03.99"}, "kecamatan", "unknown_kecamatan"),
        ({"phone": "telepon saya"}, "phone", "bad_phone"),
        ({"days": 365}, "days", "too_large"),
        ({"name": " "}, "name", "missing"),
    ],
)
def test_a_bad_link_request_names_the_field(geography, changes, field, code) -> None:
    with pytest.raises(InvalidInput) as refused:
        _link(geography, **changes)
    assert (refused.value.errors[0].field, refused.value.errors[0].code) == (field, code)


def test_a_link_sending_too_fast_is_refused_until_its_window_passes(
    demo_engine, geography, incident
) -> None:
    """The reproduced flood: one link sent 100 reports in 0.8 s. A link writes at most
    `link_writes` times within its window (counted in the audit log); nothing more lands."""
    limits = ProbeLimits(link_writes=5, link_window_min=10)
    _, token = reporter_store.create_link(demo_engine, SYSTEM, _link(geography))
    refused = []
    for n in range(8):
        try:
            reporter_store.save_field_report(
                demo_engine, token, _report(incident, displaced=100 + n), geography, limits=limits
            )
        except InvalidInput as exc:
            refused.append(exc.errors[0])
    assert [(e.field, e.code, e.params["minutes"]) for e in refused] == [
        ("link", "too_many_writes", 10)
    ] * 3
    mine = reporter_store.own_reports(demo_engine, reporter_store.reporter_for(demo_engine, token))
    assert len(mine) == 5
    with demo_engine.begin() as conn:  # ten minutes later the link writes again
        conn.execute(
            text("UPDATE audit_log SET at = :at"), {"at": utcnow() - timedelta(minutes=11)}
        )
    reporter_store.save_field_report(
        demo_engine, token, _report(incident), geography, limits=limits
    )


def test_a_report_sent_again_after_a_lost_receipt_is_stored_once(
    demo_engine, geography, incident
) -> None:
    """A phone that never saw the receipt sends what it typed again, with a later time: the
    store keeps one version and answers with it; anything else typed is a new version."""
    _, token = reporter_store.create_link(demo_engine, SYSTEM, _link(geography))
    first = reporter_store.save_field_report(demo_engine, token, _report(incident), geography)
    later = (utcnow() - timedelta(minutes=1)).isoformat()
    again = reporter_store.save_field_report(
        demo_engine, token, _report(incident, report_time=later), geography
    )
    assert (again.id, again.version, again.current) == (first.id, 1, True)
    other = reporter_store.save_field_report(
        demo_engine, token, _report(incident, notes="jembatan putus"), geography
    )
    assert other.version == 2
    versions = report_store.all_versions(demo_engine).query("source == 'psm'")
    assert sorted(versions["version"]) == [1, 2]
