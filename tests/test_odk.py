"""The ODK Collect / KoboCollect field form: the XLSForm (checked with pyxform), and pulling
submissions from ODK Central and KoboToolbox, served by a local HTTP server from recorded API
responses: paging, edits, rejections, bad credentials and a server failing mid-pull."""

import base64
from pathlib import Path

import openpyxl
import pytest
from pytest_httpserver import HTTPServer
from pyxform.xls2xform import convert
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from command_center.base.auth import SYSTEM
from command_center.base.errors import FeedUnavailable
from command_center.base.http import make_session
from command_center.base.models import FormSubmission
from command_center.base.pdp import Vault
from command_center.base.settings import PROJECT_ROOT, load_settings
from command_center.services import xlsform
from command_center.services.households import MemberRow
from command_center.services.reports import ReportInput
from command_center.stores import common as store
from command_center.stores import hazards as hazard_store
from command_center.stores import households as household_store
from command_center.stores import imports
from command_center.stores import reports as report_store
from command_center.workers import form_pull, ingest
from command_center.workers.form_pull import FormServer
from tests.commands import command
from tests.households import KEY, family

FIXTURES = Path(__file__).parent / "fixtures" / "odk"
FORM = PROJECT_ROOT / "forms" / "laporan_dampak_kecamatan.xlsx"
SUBMISSIONS = "/v1/projects/7/forms/laporan_dampak_kecamatan.svc/Submissions"
BASIC = "Basic " + base64.b64encode(b"pusdalops@kemensos.go.id:rahasia").decode()


def _central(httpserver: HTTPServer) -> FormServer:
    return FormServer(
        "central",
        httpserver.url_for("/"),
        "7",
        "laporan_dampak_kecamatan",
        "pusdalops@kemensos.go.id",
        "rahasia",
        page_size=2,
    )


def _serve_central(httpserver: HTTPServer, second: tuple[bytes, int] | None = None) -> None:
    first = (FIXTURES / "central_page1.json").read_bytes()
    body, status = second or ((FIXTURES / "central_page2.json").read_bytes(), 200)
    auth = {"Authorization": BASIC}
    httpserver.expect_request(
        SUBMISSIONS, query_string={"$top": "2", "$expand": "*"}, headers=auth
    ).respond_with_data(first, content_type="application/json")
    httpserver.expect_request(SUBMISSIONS, headers=auth).respond_with_data(
        body, status=status, content_type="application/json"
    )


def _pull(engine, httpserver, **options) -> imports.ImportReport:
    return form_pull.pull(
        engine, make_session("test", retries=0), _central(httpserver), 5, **options
    )


def _stored(engine) -> tuple[int, int]:
    with Session(engine) as session:
        seen = session.scalar(select(func.count()).select_from(FormSubmission))
    return len(report_store.all_versions(engine)), seen


def test_the_shipped_xlsform_converts_and_matches_the_boundaries(geography) -> None:
    result = convert(xlsform=str(FORM), validate=False)
    assert 'id="laporan_dampak_kecamatan"' in result.xform
    book = openpyxl.load_workbook(FORM, read_only=True)
    shipped = {s.title: [list(r) for r in s.iter_rows(values_only=True)] for s in book}
    fresh = xlsform.sheets(geography.points, "0")

    def cells(rows):
        return [[c if c is not None else "" for c in row] for row in rows]

    assert cells(shipped["survey"]) == fresh["survey"]
    assert cells(shipped["choices"]) == fresh["choices"]  # regenerate: command-center odk form
    names = {row[1] for row in fresh["survey"][1:] if row[0] in ("integer", "text", "dateTime")}
    assert names - {"start", "end"} <= set(ReportInput.model_fields)
    kecamatan = [r for r in fresh["choices"] if r[0] == "kecamatan"]
    assert (
        len(kecamatan) == len(geography.kecamatan)
        and ["kecamatan", "32.03.11"] == kecamatan[[r[1] for r in kecamatan].index("32.03.11")][:2]
    )


def test_a_central_pull_pages_through_and_stores_each_version_once(
    demo_engine, geography, httpserver: HTTPServer
) -> None:
    reports_before, _ = _stored(demo_engine)
    _serve_central(httpserver)
    result = _pull(demo_engine, httpserver, geography=geography)
    assert (result.total, result.landed) == (4, 2), result.problems
    reasons = {p.values["submission_id"]: p.errors[0].code for p in result.problems}
    assert reasons == {
        "uuid:c3b2a190-7f6e-4d5c-8b4a-39281706f503": "rejected_on_server",
        "uuid:d4c3b2a1-8e7f-4a6b-9c5d-4e3f2a1b0c04": "negative",
    }
    versions = report_store.all_versions(demo_engine)
    psm = versions[versions["source"] == "psm"].set_index("kecamatan_code")
    (incident,) = store.incidents(demo_engine)
    assert set(psm["incident_id"]) == {incident.id}  # the open incident holding the kecamatan
    assert psm.loc["32.03.11", "displaced"] == 640 and psm.loc["32.03.11", "version"] == 1
    assert psm.loc["32.03.11", "reporter"] == "Dedi (PSM Cugenang)"
    assert psm.loc["32.03.11", "needs"] == [  # the form's "tenda: 40; selimut: 600"
        {"item": "tenda_keluarga", "qty": 40, "unit": "buah"},
        {"item": "selimut", "qty": 600, "unit": "lembar"},
    ]
    assert _stored(demo_engine) == (reports_before + 2, 4)
    waiting = imports.quarantine(demo_engine, report_store.REPORTS, SYSTEM)
    assert {w.file_name for w in waiting} == {"odk:laporan_dampak_kecamatan"}

    again = _pull(demo_engine, httpserver, geography=geography)  # nothing new
    assert (again.total, again.landed, len(again.problems)) == (0, 0, 0)
    assert _stored(demo_engine) == (reports_before + 2, 4)
    assert len(imports.quarantine(demo_engine, report_store.REPORTS, SYSTEM)) == 2

    httpserver.clear()  # the first submission, edited on the server
    edited = (FIXTURES / "central_edited.json").read_bytes()
    httpserver.expect_request(SUBMISSIONS).respond_with_data(
        edited, content_type="application/json"
    )
    third = _pull(demo_engine, httpserver, geography=geography)
    assert third.landed == 1
    versions = report_store.all_versions(demo_engine)
    cugenang = versions[(versions["source"] == "psm") & (versions["kecamatan_code"] == "32.03.11")]
    assert list(cugenang["version"]) == [1, 2] and list(cugenang["displaced"]) == [640, 700]


def test_answers_that_are_none_of_our_fields_are_kept_with_the_report(
    demo_engine, geography, httpserver: HTTPServer
) -> None:
    """A form a kabupaten extended (the village, a chronology) keeps those answers; the
    submission's own identity (`meta/instanceID`) is not an answer."""
    row = {
        "__id": "uuid:desa-1",
        "kecamatan_code": "32.03.11",
        "report_time": "2026-11-22T16:00:00.000+07:00",
        "reporter": "Dedi (PSM Cugenang)",
        "source": "psm",
        "pengungsi": {"displaced": 700},
        "lokasi": {"desa": "Sarampad", "kronologi": "longsor susulan pukul 15.10"},
        "meta": {"instanceID": "uuid:desa-1"},
        "__system": {"submitterName": "hp-psm-cugenang", "reviewState": None},
    }
    httpserver.expect_request(SUBMISSIONS).respond_with_json({"value": [row]})
    server = FormServer("central", httpserver.url_for("/"), "7", "laporan_dampak_kecamatan")
    result = form_pull.pull(demo_engine, make_session("test", retries=0), server, 5, geography)
    assert result.landed == 1, result.problems
    versions = report_store.all_versions(demo_engine)
    (kept,) = versions.loc[versions["source"] == "psm", "other_columns"]
    assert kept == {"desa": "Sarampad", "kronologi": "longsor susulan pukul 15.10"}


@pytest.mark.parametrize(
    ("second", "reason"),
    [
        ((b'{"message": "internal"}', 500), "server error (HTTP 500)"),
        ((b'{"value": [{"__id": ', 200), "unreadable payload"),
    ],
)
def test_a_failure_mid_pull_stores_nothing(
    demo_engine, httpserver: HTTPServer, second, reason: str
) -> None:
    before = _stored(demo_engine)
    _serve_central(httpserver, second)
    with pytest.raises(Exception, match=reason.replace("(", r"\(").replace(")", r"\)")):
        _pull(demo_engine, httpserver)
    assert _stored(demo_engine) == before


def test_bad_credentials_are_named_and_store_nothing(demo_engine, httpserver: HTTPServer) -> None:
    before = _stored(demo_engine)
    httpserver.expect_request(SUBMISSIONS).respond_with_data(
        '{"code": 401.2, "message": "Could not authenticate with the provided credentials."}',
        status=401,
        content_type="application/json",
    )
    with pytest.raises(FeedUnavailable, match=r"refused the credentials \(HTTP 401\)"):
        _pull(demo_engine, httpserver)
    assert _stored(demo_engine) == before


def test_a_kobo_pull_follows_next_with_the_api_token(
    demo_engine, geography, httpserver: HTTPServer
) -> None:
    path = "/api/v2/assets/aK3vXq9ZkYpT2mNc/data/"
    host = httpserver.url_for("/").removeprefix("http://").rstrip("/")
    pages = [(FIXTURES / f"kobo_page{n}.json").read_text().replace("HOST", host) for n in (1, 2)]
    auth = {"Authorization": "Token 0123abcd"}
    httpserver.expect_request(
        path, query_string="format=json&limit=1", headers=auth
    ).respond_with_data(pages[0], content_type="application/json")
    httpserver.expect_request(path, headers=auth).respond_with_data(
        pages[1], content_type="application/json"
    )
    server = FormServer(
        "kobo", httpserver.url_for("/"), "", "aK3vXq9ZkYpT2mNc", token="0123abcd", page_size=1
    )
    result = form_pull.pull(demo_engine, make_session("test", retries=0), server, 5, geography)
    assert (result.total, result.landed) == (2, 2), result.problems
    versions = report_store.all_versions(demo_engine)
    youth = versions[versions["source"] == "karang_taruna"].set_index("kecamatan_code")
    assert youth.loc["32.03.11", "displaced"] == 300 and youth.loc["32.03.10", "displaced"] == 90


def test_a_page_link_to_another_host_is_not_followed(demo_engine, httpserver: HTTPServer) -> None:
    page = (FIXTURES / "central_page1.json").read_text()
    page = page.replace(
        '"@odata.nextLink": "/v1', '"@odata.nextLink": "http://elsewhere.example/v1'
    )
    httpserver.expect_request(SUBMISSIONS).respond_with_data(page, content_type="application/json")
    with pytest.raises(Exception, match="another host"):
        _pull(demo_engine, httpserver)


def test_a_server_sending_the_same_page_again_is_stopped(
    demo_engine, httpserver: HTTPServer
) -> None:
    page = (FIXTURES / "central_page1.json").read_bytes()
    httpserver.expect_request(SUBMISSIONS).respond_with_data(page, content_type="application/json")
    with pytest.raises(Exception, match="same page again"):
        _pull(demo_engine, httpserver)
    assert len(httpserver.log) == 2


def test_the_worker_pulls_the_form_on_its_schedule(
    demo_engine, database_url, httpserver: HTTPServer
) -> None:
    _serve_central(httpserver)
    settings = load_settings(
        database_url=database_url,
        odk_url=httpserver.url_for("/"),
        odk_project="7",
        odk_username="pusdalops@kemensos.go.id",
        odk_password="rahasia",
        odk_page_size=2,
    )
    feeds = ingest.registry(settings)
    assert feeds["odk_forms"].interval_s == settings.poll_forms_s
    outcome = ingest.poll(demo_engine, make_session("test", retries=0), feeds["odk_forms"], 5)
    assert outcome == "ok"
    status = hazard_store.feed_statuses(demo_engine).set_index("feed").loc["odk_forms"]
    assert status["last_outcome"] == "ok"
    assert _stored(demo_engine)[1] == 4  # every version seen, two landed, two quarantined


def test_odk_from_the_command_line(
    demo_engine, httpserver: HTTPServer, database_url, shared_data, boundary_cache, tmp_path
) -> None:
    env = {
        "DATABASE_URL": database_url,
        "CC_SHARED_DATA_DIR": str(shared_data),
        "CC_CACHE_DIR": str(boundary_cache),
    }
    form = tmp_path / "form.xlsx"
    made = command("odk", "form", "--out", str(form), "--version", "2026120299", **env)
    assert made.returncode == 0, made.stderr
    assert 'version="2026120299"' in convert(xlsform=str(form), validate=False).xform
    unset = command("odk", "pull", **env)
    assert unset.returncode == 2 and "set CC_ODK_URL (and its credentials)" in unset.stderr
    _serve_central(httpserver)
    (incident,) = store.incidents(demo_engine)
    server = {
        "CC_ODK_URL": httpserver.url_for("/"),
        "CC_ODK_PROJECT": "7",
        "CC_ODK_USERNAME": "pusdalops@kemensos.go.id",
        "CC_ODK_PASSWORD": "rahasia",
        "CC_ODK_PAGE_SIZE": "2",
    }
    pulled = command("odk", "pull", "--incident", str(incident.id), **env, **server)
    assert pulled.returncode == 0, pulled.stderr
    assert "2 new report versions; quarantined 2" in pulled.stdout
    assert "rejected" in pulled.stdout


HOUSEHOLD_SUBMISSIONS = "/v1/projects/7/forms/data_kk_terdampak.svc/Submissions"


def test_the_household_xlsform_converts_with_one_repeat_per_person(geography) -> None:
    book = xlsform.sheets(geography.points, "1", households=True)
    path = PROJECT_ROOT / "test-artifacts" / "data_kk_terdampak.xlsx"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(xlsform.to_xlsx(book))
    result = convert(xlsform=str(path), validate=False)
    assert 'id="data_kk_terdampak"' in result.xform and "/anggota/nik" in result.xform
    rows = book["survey"][1:]
    names = {row[1] for row in rows if row[0] not in ("start", "end", "begin_repeat", "end_repeat")}
    assert names - {"provinsi", "kabupaten"} <= set(MemberRow.model_fields) | {"shelter"}


def _family_answers(values: dict, central: bool) -> dict:
    """One household-form submission as the server lists it (Central nests, Kobo flattens)."""
    people = [
        {
            "nik": p["nik"],
            "name": p["name"],
            "sex": p["sex"],
            "birth_date": p["birth_date"].isoformat(),
            "relation": "kepala_keluarga" if p["relation"] == "kepala keluarga" else "anak",
            "casualty": (p.get("casualty") or "").replace(" ", "_") or None,
        }
        for p in values["members"]
    ]
    family = {
        "kk": values["kk"],
        "provinsi": "32",
        "kabupaten": "32.03",
        "kecamatan_code": values["kecamatan_code"],
        "desa": values["desa"],
        "damage": "berat",
        "displaced": "ya",
    }
    if central:
        return {**family, "anggota": people}
    return {**family, "anggota": [{f"anggota/{k}": v for k, v in p.items()} for p in people]}


def test_household_submissions_land_per_person_sealed_and_once(
    demo_engine, geography, httpserver: HTTPServer
) -> None:
    vault = Vault(KEY)
    good, bad = family(), family(serial=2)
    bad["members"][1]["nik"] = bad["members"][0]["nik"]  # the father's NIK typed twice
    rows = [
        {
            "__id": f"uuid:{n}",
            "meta": {"instanceID": f"uuid:{n}"},
            "__system": {"submitterName": "hp-tksk-cugenang", "reviewState": None},
            **_family_answers(values, central=True),
        }
        for n, values in ((1, good), (2, bad))
    ]
    httpserver.expect_request(HOUSEHOLD_SUBMISSIONS).respond_with_json({"value": rows})
    server = FormServer("central", httpserver.url_for("/"), "7", "data_kk_terdampak")
    http = make_session("test", retries=0)
    result = form_pull.pull_households(demo_engine, http, server, 5, vault, geography)
    assert (result.total, result.landed) == (6, 5), result.problems
    assert [(p.errors[0].field, p.errors[0].code) for p in result.problems] == [
        ("nik", "nik_sex")  # a man's NIK on the mother
    ]
    (incident,) = store.incidents(demo_engine)  # the open incident holding Cugenang
    assert len(household_store.households(demo_engine, incident.id)) == 2
    held = imports.quarantine(demo_engine, "households", SYSTEM)
    assert bad["members"][0]["nik"] not in repr([h.data for h in held])  # sealed
    again = form_pull.pull_households(demo_engine, http, server, 5, vault, geography)
    assert (again.total, again.landed) == (0, 0)
    assert len(household_store.members(demo_engine, incident.id)) == 5


def test_a_kobo_household_form_lists_its_people_inline(
    demo_engine, geography, httpserver: HTTPServer
) -> None:
    path = "/api/v2/assets/aHouseholds01/data/"
    row = {
        "_id": 9,
        "meta/instanceID": "uuid:9",
        "_validation_status": {},
        "_attachments": [],
        **_family_answers(family(), central=False),
    }
    httpserver.expect_request(path).respond_with_json({"results": [row], "next": None})
    server = FormServer("kobo", httpserver.url_for("/"), "", "aHouseholds01", token="t")
    result = form_pull.pull_households(
        demo_engine, make_session("test", retries=0), server, 5, Vault(KEY), geography
    )
    assert (result.total, result.landed, result.problems) == (3, 3, ())
    (incident,) = store.incidents(demo_engine)
    counted = household_store.totals(demo_engine, incident.id)
    assert (counted["families"], counted["deaths"], counted["injured_severe"]) == (1, 1, 1)


def test_the_worker_polls_the_household_form_only_with_a_key() -> None:
    closed = ingest.registry(load_settings(odk_url="https://odk.example", pdp_key=None))
    assert "odk_forms" in closed and "odk_households" not in closed
    feeds = ingest.registry(load_settings(odk_url="https://odk.example", pdp_key=KEY))
    assert feeds["odk_households"].forms.form == "data_kk_terdampak"
    assert feeds["odk_households"].vault is not None
