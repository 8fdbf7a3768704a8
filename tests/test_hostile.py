"""Script and HTML typed into every write path come back inert wherever they are shown."""

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from command_center.base.auth import SYSTEM, Principal
from command_center.base.settings import PROJECT_ROOT
from command_center.base.times import utcnow
from command_center.services import figures, sitrep
from command_center.services.reports import ReportInput
from command_center.services.roster import TeamInput
from command_center.services.teams import on_map
from command_center.stores import accounts
from command_center.stores import common as store
from command_center.stores import reports as report_store
from command_center.stores import sitreps as sitrep_store
from command_center.stores import teams as team_store
from command_center.ui import maps
from tests.conftest import tabs_of

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>[klik](javascript:alert(3))"
RAW = ("<script>", "<img src=x", "](javascript:")
ADMIN = Principal(f"Admin {PAYLOAD}"[:80], "admin")  # names are at most 80 characters
SECOND = Principal("Verifikator", "admin")  # a report is verified by someone else


def _inert(text: str) -> bool:
    return not any(marker in text for marker in RAW)


@pytest.fixture
def hostile(demo_engine, geography):
    """Payloads through teams, members, status, assignment, reports, verification, accounts."""
    engine = demo_engine
    entry = TeamInput.check(
        {
            "name": f"Tim {PAYLOAD}"[:120],
            "home_kecamatan_code": "32.03.01",
            "equipment": PAYLOAD,
            "contact_name": PAYLOAD[:120],
        },
        geography,
    )
    team_id = team_store.create_team(engine, entry, ADMIN)
    detail = team_store.team_detail(engine, team_id)
    team_store.set_members(engine, team_id, detail.version, [{"name": PAYLOAD[:120]}], ADMIN)
    (incident,) = store.incidents(engine)
    detail = team_store.team_detail(engine, team_id)
    job = {"incident_id": incident.id, "kecamatan_code": "32.03.11", "task": PAYLOAD}
    team_store.assign(engine, team_id, detail.version, job, ADMIN)
    garut = team_store.roster(engine).set_index("name").loc["Tagana Kab. Garut (Latihan)"]
    team_store.change_status(engine, garut.id, garut.version, "unavailable", ADMIN, PAYLOAD)
    report = ReportInput.check(
        {
            "incident_id": incident.id,
            "kecamatan_code": "32.03.11",
            "report_time": (utcnow() - timedelta(minutes=1)).isoformat(),
            "reporter": PAYLOAD[:120],
            "source": "bpbd",
            "deaths": 50,
            "notes": PAYLOAD,
            "needs": "tenda <b>besar</b>: 10",
        },
        None,
    )
    saved = report_store.save_report(engine, report, ADMIN)
    report_store.set_verification(engine, saved.id, "verified", SECOND)  # not its author
    accounts.create_user(engine, SYSTEM, "x", "kata-sandi-x", "viewer", None, PAYLOAD[:80])
    return engine, incident.id


def test_map_tooltips_stay_text(hostile) -> None:
    engine, _ = hostile
    group = maps.team_layer(on_map(team_store.roster(engine)), {})
    fmap = maps.base_map("", "")
    group.add_to(fmap)
    html = fmap.get_root().render()
    assert "<script>alert(1)" not in html and "<img src=x" not in html


def test_the_sitrep_in_html_and_whatsapp_stays_text(hostile, geography) -> None:
    engine, incident = hostile
    facts = sitrep_store.gather(engine, incident)
    shapes = geography.kecamatan.loc[[k.code for k in facts.kecamatan]]
    page = sitrep.html(
        facts,
        figures.map_svg(shapes, {k.code: k.displaced for k in facts.kecamatan}),
        figures.bar_svg([(PAYLOAD, 5)]),
    )
    assert _inert(page.replace("](javascript:", "")) and "&lt;script&gt;" in page
    assert "<b>besar</b>" not in page
    text = sitrep.whatsapp(facts)
    assert "Tim <script>" in text  # plain text in a chat; nothing renders it as HTML


@pytest.mark.parametrize(
    ("page", "setup", "tabs"),
    [
        ("pages/deployments.py", None, "deployments_tab"),
        ("pages/reports.py", "include_unverified", "reports_tab"),
        ("pages/briefing.py", None, None),
        ("pages/live_map.py", None, None),
        ("pages/admin.py", None, "admin_tab"),
    ],
)
def test_every_page_shows_the_payload_as_text(
    hostile, app_env, database_url, page, setup, tabs
) -> None:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120).run()
    at.switch_page(page).run()
    if setup:
        at.toggle(key=setup).set_value(True).run()
    for label in [tab.label for tab in tabs_of(at, tabs)] if tabs else [None]:
        if label:  # only the open tab runs: each in turn
            at.session_state[tabs] = label
            at.run()
        assert not at.exception, [e.message for e in at.exception]
        shown = [
            e.value
            for kind in (at.markdown, at.caption, at.info, at.warning, at.success, at.error)
            for e in kind
            if "cc-" not in str(e.value)  # our own kiosk markup, checked below
        ]
        assert all(_inert(text) for text in shown), (label, [t for t in shown if not _inert(t)])


def test_the_wall_screen_ticker_escapes_names(hostile, app_env) -> None:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["kiosk"] = "1"
    at.run()
    at.switch_page("pages/briefing.py").run()
    ticker = next(m.value for m in at.markdown if m.value.startswith('<div class="cc-ticker'))
    assert "Tim &lt;script&gt;" in ticker and "<script>" not in ticker  # the team's name


def test_hostile_data_reaches_the_store_unchanged(hostile) -> None:
    engine, _ = hostile
    versions = report_store.all_versions(engine)
    assert PAYLOAD in set(versions["notes"])  # kept as typed; only rendering escapes it


def test_sql_in_a_name_is_only_a_name(area_engine, geography) -> None:
    name = "Tim'); DROP TABLE teams; --"
    entry = TeamInput.check({"name": name, "home_kecamatan_code": "32.03.01"}, geography)
    team_store.create_team(area_engine, entry, ADMIN)
    assert team_store.roster(area_engine)["name"].tolist() == [name]
