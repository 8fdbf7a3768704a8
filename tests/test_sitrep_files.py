"""The files of an issued Laporan Situasi: the A4 PDF of each training scenario looked at
through poppler (page 1 as a PNG a reviewer can open, the text layer, the fonts), the WhatsApp
card, their storage with the sitrep, the incident page's and a wall screen's downloads, and
`command-center sitrep issue`."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from command_center import demo
from command_center.base.auth import SYSTEM, Principal
from command_center.base.db import make_engine, migrate
from command_center.base.errors import NotFound
from command_center.base.labels import number, t
from command_center.base.scenarios import SCENARIOS
from command_center.base.settings import PROJECT_ROOT
from command_center.base.times import utcnow
from command_center.services.reports import ReportInput
from command_center.services.sitrep_files import CARD_WIDTH_PX
from command_center.stores import accounts
from command_center.stores import common as store
from command_center.stores import reports as report_store
from command_center.stores import sitreps as sitrep_store
from tests.commands import command, command_process

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def issued(tmp_path_factory, geography) -> dict[str, tuple]:
    """Every training scenario with its first sitrep issued (rendered once): key ->
    (facts, files, folder for what a reviewer may look at)."""
    folder = tmp_path_factory.mktemp("sitrep-files")
    engine = make_engine(f"sqlite:///{folder / 'store.db'}")
    migrate(engine)
    demo.load(engine, geography)
    made = {}
    for incident in store.incidents(engine):
        facts = sitrep_store.gather(engine, incident.id, organisation="Dinas Sosial Jawa Barat")
        number_ = sitrep_store.issue(engine, facts, incident.id, SYSTEM, geography)
        made[incident.key] = (facts, sitrep_store.files(engine, incident.id, number_), folder)
    engine.dispose()
    return made


def _poppler(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("key", [s.key for s in SCENARIOS])
def test_the_pdf_of_each_scenario_reads_right_through_poppler(issued, key) -> None:
    facts, files, folder = issued[key]
    pdf = folder / f"{key}.pdf"
    pdf.write_bytes(files.pdf)
    _poppler(
        "pdftoppm",
        "-f",
        "1",
        "-l",
        "1",
        "-r",
        "80",
        "-png",
        "-singlefile",
        str(pdf),
        str(pdf.with_suffix("")),
    )
    page = pdf.with_suffix(".png")
    print(f"page 1 of {key}'s sitrep: {page}")  # for a reviewer (pytest -s)
    width, height = Image.open(page).size
    assert abs(height / width - 297 / 210) < 0.01  # A4 portrait
    text = " ".join(_poppler("pdftotext", "-layout", str(pdf), "-").split())
    assert facts.incident in text and "Dinas Sosial Jawa Barat" in text
    assert f"Laporan Situasi No. {facts.number}" in text
    displaced = number(facts.totals["displaced"])
    assert "." in displaced and displaced in text  # 22.144, not 22,144
    for k in facts.kecamatan:
        assert k.name in text
    assert t("sitrep_map_key", "id") in text and " km" in text  # the key and the scale bar
    assert "Mengungsi per hari" in text
    fonts = _poppler("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts and all(" yes yes " in line for line in fonts), fonts  # embedded (subsets)
    assert "A4" in _poppler("pdfinfo", str(pdf))
    assert len(files.pdf) < 2_000_000


@pytest.mark.parametrize("key", [s.key for s in SCENARIOS])
def test_the_whatsapp_card_is_a_png_1080_wide(issued, key) -> None:
    _, files, folder = issued[key]
    assert files.png.startswith(PNG_SIGNATURE)
    Image.open(io.BytesIO(files.png)).verify()
    image = Image.open(io.BytesIO(files.png))
    assert image.format == "PNG" and image.width == CARD_WIDTH_PX
    assert image.height > image.width  # portrait, for a phone
    (folder / f"{key}-card.png").write_bytes(files.png)


def test_each_issued_sitrep_keeps_its_files_and_names_no_reporter(demo_engine, tmp_path) -> None:
    (incident,) = store.incidents(demo_engine)
    with pytest.raises(NotFound):
        sitrep_store.files(demo_engine, incident.id)  # none issued yet
    for _ in range(2):
        facts = sitrep_store.gather(demo_engine, incident.id)
        sitrep_store.issue(demo_engine, facts, incident.id, SYSTEM)  # no boundaries: no map
        _report_by_a_person(demo_engine, incident.id)
    assert sitrep_store.with_files(demo_engine, incident.id) == {1, 2}
    newest, first = (
        sitrep_store.files(demo_engine, incident.id),
        sitrep_store.files(demo_engine, incident.id, 1),
    )
    assert (newest.number, first.number) == (2, 1)
    assert newest.pdf.startswith(b"%PDF") and newest.pdf != first.pdf
    with pytest.raises(NotFound):
        sitrep_store.files(demo_engine, incident.id, 3)
    pdf = tmp_path / "2.pdf"
    pdf.write_bytes(newest.pdf)
    text = _poppler("pdftotext", str(pdf), "-")
    assert "12.345" in text  # the person's report is counted ...
    assert "Siti Aminah" not in text and "0812" not in text  # ... but never named


def _report_by_a_person(engine, incident_id: int) -> None:
    """A verified report from a named reporter with a phone number in its note."""
    report = ReportInput.check(
        {
            "incident_id": incident_id,
            "kecamatan_code": "32.03.11",
            "report_time": (utcnow() - timedelta(minutes=5)).isoformat(),
            "reporter": "Siti Aminah",
            "source": "bpbd",
            "displaced": 12345,
            "notes": "hubungi 0812-3456-7890",
        },
        None,
    )
    saved = report_store.save_report(engine, report, SYSTEM)
    report_store.set_verification(engine, saved.id, "verified", Principal("Operator", "admin"))


def _download_labels(at: AppTest) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_the_incident_page_lists_issued_sitreps_with_their_pdf_and_image(
    with_demo, database_url, geography
) -> None:
    engine = make_engine(database_url)
    (incident,) = store.incidents(engine)
    facts = sitrep_store.gather(engine, incident.id)
    sitrep_store.issue(engine, facts, incident.id, SYSTEM, geography)
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["incident"] = str(incident.id)
    at.run()
    at.switch_page("pages/incidents.py").run()
    assert not at.exception, [e.message for e in at.exception]
    labels = _download_labels(at)
    assert t("download_sitrep_pdf") in labels and t("download_sitrep_png") in labels
    listed = next(d.value for d in at.dataframe if t("col_number") in d.value.columns)
    assert list(listed[t("col_number")]) == [1] and list(listed[t("col_by")]) == ["system"]


@pytest.fixture
def local_auth(with_demo, monkeypatch: pytest.MonkeyPatch, database_url) -> None:
    monkeypatch.setenv("CC_AUTH_MODE", "local")


def _kiosk(token: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["kiosk"] = "1"
    at.query_params["token"] = token
    return at.run()


def test_a_wall_screen_token_downloads_the_latest_pdf_of_its_incident_only(
    local_auth, database_url
) -> None:
    engine = make_engine(database_url)
    (incident,) = store.incidents(engine)
    own = accounts.create_token(engine, SYSTEM, "Layar posko", "32.03", incident.id)
    area = accounts.create_token(engine, SYSTEM, "Layar Cianjur", "32.03")
    assert _download_labels(_kiosk(own)) == []  # none issued yet
    for _ in range(2):
        facts = sitrep_store.gather(engine, incident.id)
        sitrep_store.issue(engine, facts, incident.id, SYSTEM)
    at = _kiosk(own)
    assert not at.exception, [e.message for e in at.exception]
    (button,) = at.get("download_button")
    assert button.proto.label == t("download_latest_sitrep", number=2)  # the latest
    assert _download_labels(_kiosk(area)) == []  # an area's screen: no file at all


def test_the_command_line_issues_a_sitrep_and_writes_its_files(
    tmp_path, database_url, shared_data, boundary_cache
) -> None:
    env = {
        "DATABASE_URL": database_url,
        "CC_SHARED_DATA_DIR": str(shared_data),
        "CC_CACHE_DIR": str(boundary_cache),
    }
    assert command("demo", **env).returncode == 0
    pdf, png = tmp_path / "sitrep.pdf", tmp_path / "sitrep.png"
    done = command(
        "sitrep", "issue", demo.INCIDENT_KEY, "--pdf", str(pdf), "--png", str(png), **env
    )
    assert done.returncode == 0, done.stderr
    assert f"sitrep No. 1 of {demo.INCIDENT_KEY} issued" in done.stdout
    engine = make_engine(database_url)
    incident = next(i for i in store.incidents(engine) if i.key == demo.INCIDENT_KEY)
    stored = sitrep_store.files(engine, incident.id, 1)
    assert pdf.read_bytes() == stored.pdf and png.read_bytes() == stored.png
    assert sitrep_store.issued(engine, incident.id)[0].issued_by == SYSTEM.name
    (audit,) = store.changes(engine, [("sitrep", "issue")], 5)["after"]
    assert audit == {"number": 1, "final": False, "files": True}
    unknown = command("sitrep", "issue", "tidak-ada", **env)
    assert unknown.returncode == 2 and "tidak-ada" in unknown.stderr
    # a machine without Pango: WeasyPrint cannot load it; everything else still works
    fake = tmp_path / "no_pango"
    fake.mkdir()
    (fake / "weasyprint.py").write_text('raise OSError("cannot load library libpango-1.0-0")\n')
    bare = command_process("sitrep", "issue", demo.INCIDENT_KEY, PYTHONPATH=str(fake), **env)
    assert bare.returncode == 0, bare.stderr
    assert "sitrep No. 2" in bare.stdout and "issued without its PDF and image" in bare.stderr
    latest = store.changes(engine, [("sitrep", "issue")], 5)["after"][0]
    assert latest == {"number": 2, "final": False, "files": False}
