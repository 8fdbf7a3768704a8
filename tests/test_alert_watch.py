"""The conditions the sender watches for: each writes one alert, once per episode."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from command_center.base.auth import SYSTEM, Principal
from command_center.base.models import Alert, Deployment, ImpactReport, Team
from command_center.base.times import utcnow
from command_center.services.logistics import StockLine, WarehouseInput
from command_center.services.reports import ReportInput
from command_center.stores import hazards as hazard_store
from command_center.stores import incidents as incident_store
from command_center.stores import logistics as logistics_store
from command_center.stores import reports as report_store
from command_center.stores.incidents import NewIncident
from command_center.workers import alert_watch
from command_center.workers.alert_watch import Watch


def _alerts(engine) -> list[Alert]:
    with Session(engine) as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


WATCH = Watch(("bmkg_autogempa",), 15, 12, 6, 3)


def test_a_stale_feed_alerts_once_per_outage(area_engine) -> None:
    long_ago = utcnow() - timedelta(hours=2)
    with Session(area_engine) as session, session.begin():
        hazard_store.record_fetch(session, "bmkg_autogempa", "ok", at=long_ago)
        hazard_store.record_fetch(session, "bmkg_autogempa", "error", "timeout after 10 s")
        hazard_store.record_fetch(session, "usgs", "error", "timeout")  # not watched
    assert alert_watch.watch(area_engine, WATCH) == 1
    assert alert_watch.watch(area_engine, WATCH) == 0
    (alert,) = _alerts(area_engine)
    assert alert.rule == "feed_stale" and "timeout after 10 s" in alert.body
    assert alert.title == "Sumber data BMKG autogempa tidak diperbarui"  # its name, not its key
    assert re.search(r"Terakhir berhasil: \d{1,2} \w{3} \d{4} \d{2}\.\d{2} WIB", alert.body)
    assert alert.areas == []  # national: the national duty officers


def test_silent_teams_waiting_reports_and_low_stock_alert(demo_engine) -> None:
    with Session(demo_engine) as session:
        deployed = session.scalar(
            select(func.count()).select_from(Deployment).where(Deployment.ended_at.is_(None))
        )
        waiting = session.scalar(
            select(func.count())
            .select_from(ImpactReport)
            .where(ImpactReport.verification == "unverified")
        )
    assert deployed and waiting  # the demo has both
    # noon UTC in two days: an hour later is the same day, so no daily alert comes due again
    later = (utcnow() + timedelta(days=2)).replace(hour=12, minute=0, second=0, microsecond=0)
    alert_watch.watch(demo_engine, WATCH, later)
    rules = {a.rule for a in _alerts(demo_engine)}
    assert {"deployment_silent", "report_waiting"} <= rules
    silent = next(a for a in _alerts(demo_engine) if a.rule == "deployment_silent")
    assert silent.title.startswith("Tim ") and "jam" in silent.title
    count = len(_alerts(demo_engine))
    alert_watch.watch(demo_engine, WATCH, later)
    assert len(_alerts(demo_engine)) == count  # once per condition
    with Session(demo_engine) as session, session.begin():  # a team reports in
        session.execute(update(Team).values(updated_at=later))
    alert_watch.watch(demo_engine, WATCH, later + timedelta(hours=1))
    assert len(_alerts(demo_engine)) == count


def test_a_daily_item_running_out_for_the_displaced_alerts_once_a_day(area_engine) -> None:
    now = utcnow()  # one moment for every check: a day that ends mid-test would alert again
    key = incident_store.open_incident(
        area_engine,
        NewIncident("banjir", "Banjir Cianjur", ("32.03.11",), now - timedelta(hours=1)),
        SYSTEM,
    )
    incident = incident_store.incident_id(area_engine, key)
    assert alert_watch.watch(area_engine, WATCH, now) == 0  # no logistics here: nothing to say
    lumbung = logistics_store.create_warehouse(
        area_engine,
        WarehouseInput.check(
            {"name": "Lumbung Sosial Cugenang", "kind": "lumbung", "kecamatan_code": "32.03.11"}
        ),
        SYSTEM,
    )
    line = StockLine.check({"item": "beras", "batch": "B1", "quantity": 200})
    logistics_store.receive(area_engine, lumbung, [line], "Kemensos", "BAST-1", SYSTEM)
    report = ReportInput.check(
        {
            "incident_id": incident,
            "kecamatan_code": "32.03.11",
            "report_time": (now - timedelta(minutes=5)).isoformat(),
            "reporter": "TKSK Cugenang",
            "source": "tksk",
            "displaced": 250,
        },
        None,
    )
    saved = report_store.save_report(area_engine, report, SYSTEM)
    assert alert_watch.watch(area_engine, WATCH, now) == 0  # unverified figures do not count
    checker = Principal("Verifikator", "admin")  # not the report's author
    report_store.set_verification(area_engine, saved.id, "verified", checker)
    assert alert_watch.watch(area_engine, WATCH, now) == 1
    (alert,) = [a for a in _alerts(area_engine) if a.rule == "stock_low"]
    # 200 kg of rice at 0.4 kg a day for 250 people: 2 days
    assert alert.title == "Stok beras tinggal 2,0 hari: Banjir Cianjur"  # words, decimal comma
    assert alert.incident_id == incident and alert.areas == ["32.03"]
    assert alert_watch.watch(area_engine, WATCH, now) == 0


def test_waiting_reports_say_their_limit_with_a_decimal_comma(demo_engine) -> None:
    """Item 9 of #34: outgoing messages write numbers as screens do ("1,5 jam")."""
    alert_watch.watch(demo_engine, Watch((), 15, 12, 1.5, 3), utcnow() + timedelta(days=2))
    waiting = next(a for a in _alerts(demo_engine) if a.rule == "report_waiting")
    assert waiting.body.startswith("Lebih dari 1,5 jam · ")
