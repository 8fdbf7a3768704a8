"""The `command-center` console script, run as a user would."""

import json
import urllib.error
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import text

from command_center import cli
from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine
from command_center.base.errors import SignInRefused
from command_center.base.pdp import Vault
from command_center.base.settings import SignInLimits
from command_center.base.times import utcnow
from command_center.cli import build_parser
from command_center.services.incidents import HAZARDS
from command_center.stores import accounts
from command_center.stores import common as store
from command_center.stores import hazards as hazard_store
from command_center.stores import incidents as incident_store
from command_center.stores import reporters as reporter_store
from command_center.stores import reports as report_store
from tests.commands import Ran, command, command_process
from tests.conftest import dawn_in_java


@pytest.fixture
def cli_env(database_url: str, shared_data: Path, boundary_cache: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "CC_SHARED_DATA_DIR": str(shared_data),
        "CC_CACHE_DIR": str(boundary_cache),
    }


def test_init_db_creates_schema_and_areas_and_is_harmless_twice(cli_env, database_url) -> None:
    first = command_process("init-db", **cli_env)  # the console script, in a new Python
    assert first.returncode == 0, first.stderr
    assert "areas: 7837 in the store (7837 added)" in first.stdout
    second = command_process("init-db", **cli_env)
    assert second.returncode == 0, second.stderr
    assert "areas: 7837 in the store (0 added)" in second.stdout
    assert store.area_count(make_engine(database_url)) == 7837


def test_demo_command_loads_once(cli_env, database_url) -> None:
    loaded = command("demo", **cli_env).stdout
    assert "loaded: latihan-gempa-cianjur, latihan-banjir-bandung" in loaded
    again = command("demo", **cli_env)
    assert again.returncode == 0
    assert "already loaded" in again.stdout
    kinds = {i.kind for i in store.incidents(make_engine(database_url))}
    assert kinds == {"gempa_bumi", "banjir"}


def test_boundaries_check_reports_the_counts(cli_env) -> None:
    result = command("boundaries", "check", **cli_env)
    assert result.returncode == 0, result.stderr
    assert "38 provinces, 514 kabupaten/kota, 7285 kecamatan" in result.stdout


def test_missing_boundaries_say_what_and_how(cli_env, tmp_path: Path) -> None:
    missing = tmp_path / "kecamatan.geojson"
    result = command("demo", **{**cli_env, "CC_BOUNDARIES_PATH": str(missing), "CC_LANGUAGE": "en"})
    assert result.returncode == 2
    assert f"Kecamatan boundaries not found at `{missing}`" in result.stderr
    assert "command-center boundaries download" in result.stderr
    assert "Traceback" not in result.stderr
    # init-db still creates the schema and says why areas were not loaded
    init = command("init-db", **{**cli_env, "CC_BOUNDARIES_PATH": str(missing)})
    assert init.returncode == 0
    assert "areas not loaded" in init.stderr


def test_ingest_replay_stores_history_and_proposes_only_when_asked(
    cli_env, database_url, shared_data, tmp_path
) -> None:
    flores = "gempaterkini_20211214_flores_m7.4_arraysyams-testingrepo.json"
    (tmp_path / "flores").mkdir()
    (tmp_path / "flores" / flores).write_bytes((shared_data / "bmkg" / flores).read_bytes())
    proposing = command("ingest", "--replay", str(tmp_path / "flores"), "--propose", **cli_env)
    assert proposing.returncode == 0, proposing.stderr
    assert f"{flores}: 12 new, 1 updated" in proposing.stdout  # the M7.5 revised to M7.4
    engine = make_engine(database_url)
    proposed = [i.name for i in store.incidents(engine) if i.status == "proposed"]
    assert [name for name in proposed if "LARANTUKA" in name] == [
        "Gempa M7,4 113 km BaratLaut LARANTUKA-NTT"
    ]
    result = command("ingest", "--replay", str(shared_data / "bmkg"), **cli_env)
    assert result.returncode == 0, result.stderr
    assert "nowcast_rss_20260216_dhanyyudi-bmkg-api.xml: skipped: " in result.stdout
    after = [i.name for i in store.incidents(engine) if i.status == "proposed"]
    assert after == proposed  # the rest of the archive is history, not the operators' queue
    (tmp_path / "autogempa_cut.json").write_text('{"Infogempa": {"gempa": ')
    broken = command("ingest", "--replay", str(tmp_path), **cli_env)
    assert broken.returncode == 1
    assert "autogempa_cut.json: error: not valid JSON" in broken.stdout
    assert "1 file(s) could not be read" in broken.stderr


FEEDS = (
    "AUTOGEMPA",
    "GEMPATERKINI",
    "GEMPADIRASAKAN",
    "NOWCAST_RSS",
    "USGS",
    "FORECAST",
    "INATEWS",
    "INATEWS_REALTIME",
    "GDACS",
    "PETABENCANA",
    "MAGMA_VAR",
    "MAGMA_VONA",
)


def test_ingest_once_without_network_records_errors_and_exits_cleanly(
    cli_env, database_url
) -> None:
    offline = {f"CC_FEED_{name}_URL": "http://127.0.0.1:9/x" for name in FEEDS}
    no_retries = {"CC_HTTP_RETRIES": "0"}  # retries are tested in test_ingest; each waits 3.5 s
    result = command("ingest", "--once", **{**cli_env, **offline, **no_retries})
    assert result.returncode == 0, result.stderr
    statuses = hazard_store.feed_statuses(make_engine(database_url))
    quakes = statuses[statuses["feed"] != "bmkg_forecast"]
    assert len(quakes) == 11 and set(quakes["last_outcome"]) == {"error"}


def test_ingest_asks_a_failing_feed_again_as_often_as_cc_http_retries_says(
    cli_env, httpserver
) -> None:
    httpserver.expect_request("/busy").respond_with_data("busy", status=503)
    busy = {f"CC_FEED_{name}_URL": httpserver.url_for("/busy") for name in FEEDS}
    asked = []
    for retries in ("0", "1"):  # urllib3 waits before the second retry, not the first
        result = command("ingest", "--once", **cli_env, **busy, CC_HTTP_RETRIES=retries)
        assert result.returncode == 0, result.stderr
        asked.append(len(httpserver.log))
        httpserver.clear_log()
    assert asked[0] > 0 and asked[1] == 2 * asked[0]


def test_run_passes_streamlit_options_through() -> None:
    args, extra = build_parser().parse_known_args(["run", "--no-demo", "--server.port", "8600"])
    assert args.no_demo and extra == ["--server.port", "8600"]
    assert command("demo", "--server.port", "1").returncode == 2  # other commands stay strict


def test_run_sets_everything_up_and_serves_the_app(cli_env, database_url, streamlit_server) -> None:
    with streamlit_server(["command_center.cli", "run"], cli_env) as base:
        leaflet = urllib.request.urlopen(f"{base}/app/static/vendor/leaflet-1.9.3/leaflet.js")
        assert leaflet.status == 200 and len(leaflet.read()) > 100_000  # offline map assets
        with pytest.raises(urllib.error.HTTPError) as light_form:  # server.py: its own route
            urllib.request.urlopen(f"{base}/lapor?kunci=unknown")
        assert light_form.value.code == 403
        engine = make_engine(database_url)
        loaded = store.incidents(engine)  # the demo is loaded on first start
        assert len(loaded) == 2 and all(i.is_exercise for i in loaded)
        (first,) = accounts.users(engine, SYSTEM)
        assert (first.username, first.role, first.must_change_password) == ("admin", "admin", True)


def test_run_gives_streamlit_the_real_upload_limit_and_hides_tracebacks(
    cli_env, monkeypatch
) -> None:
    for name, value in {**cli_env, "CC_MAX_UPLOAD_MB": "5"}.items():
        monkeypatch.setenv(name, value)
    started, senders = [], []
    monkeypatch.setattr(cli.os, "execvp", lambda _file, command: started.append(command))
    popen = cli.subprocess.Popen

    def spawn(*args, **kwargs):  # the real sender, whose parent here is pytest: stopped below
        senders.append(popen(*args, **kwargs))
        return senders[-1]

    monkeypatch.setattr(cli.subprocess, "Popen", spawn)
    try:
        assert cli.main(["run", "--no-demo", "--server.port", "8600"]) == 0
    finally:  # or it would hold the store's sender lock for the rest of the run
        for sender in senders:
            sender.terminate()
            sender.wait(20)
    (streamlit,) = started
    assert "--server.maxUploadSize=5" in streamlit and "--client.showErrorDetails=none" in streamlit
    assert streamlit[-2:] == ["--server.port", "8600"]


FLOOD = ("--hazard", "banjir", "--name", "Banjir Dayeuhkolot", "--started", "2026-12-01T06:00")


def test_incidents_are_scriptable_from_open_to_merge(demo_engine, cli_env) -> None:
    def run(*args: str) -> Ran:
        result = command("incident", *args, **cli_env)
        assert result.returncode == 0, result.stderr
        return result

    key = run("open", *FLOOD, "--area", "32.04.12,32.04.32").stdout.strip()
    run(
        "phase",
        key,
        "tanggap_darurat",
        "--decree",
        "360/1/BPBD/2026",
        "--authority",
        "Bupati Bandung",
        "--from",
        "2026-12-01",
        "--until",
        "2026-12-07",
    )
    assert run("area", key, "--add", "32.04.08", "--remove", "32.04.32").stdout.startswith("2 ")
    listed = json.loads(run("list", "--format", "json").stdout)
    flood = next(row for row in listed if row["key"] == key)
    assert flood == {
        "key": key,
        "name": "Banjir Dayeuhkolot",
        "hazard": "banjir",
        "status": "open",
        "phase": "tanggap_darurat" if utcnow().date() >= date(2026, 12, 1) else None,
        "kecamatan": ["32.04.08", "32.04.12"],
        "started_at": "2026-11-30T23:00:00+00:00",  # 06:00 WIB
        "closed_at": None,
    }
    assert "closed; final sitrep No. 1" in run("close", key).stdout
    assert json.loads(run("list", "--status", "closed", "--format", "json").stdout)[0]["key"] == key
    run("reopen", key, "--reason", "banjir susulan")
    run("merge", "latihan-gempa-cianjur", key)
    merged = {row["key"]: row for row in json.loads(run("list", "--format", "json").stdout)}
    assert merged[key]["status"] == "merged"
    assert "32.04.12" in merged["latihan-gempa-cianjur"]["kecamatan"]


def test_at_dawn_in_java_a_decree_starts_and_counts_on_the_day_already_begun_there(
    demo_engine, cli_env
) -> None:
    """At 03:00 WIB it is still yesterday in UTC: a phase set without --from starts on the
    Bandung day, and the list counts a decree from that day as in force."""
    dawn = dawn_in_java()
    with time_machine.travel(dawn, tick=True):
        key = command("incident", "open", *FLOOD, "--area", "32.04.12", **cli_env).stdout.strip()
        decree = ("--decree", "360/2/BPBD/2026", "--authority", "Bupati Bandung")
        set_phase = command("incident", "phase", key, "siaga_darurat", *decree, **cli_env)
        assert set_phase.returncode == 0, set_phase.stderr
        listed = json.loads(command("incident", "list", "--format", "json", **cli_env).stdout)
    (decreed,) = store.phases(demo_engine, incident_store.incident_id(demo_engine, key))
    assert decreed.starts_on == (dawn + timedelta(hours=7)).date() != dawn.date()
    assert next(row for row in listed if row["key"] == key)["phase"] == "siaga_darurat"


def test_a_hazard_is_accepted_as_the_readme_spells_it(demo_engine, cli_env) -> None:
    args = ("--name", "Longsor Pasirjambu", "--area", "32.04.29", "--started", "2026-12-01T06:00")
    result = command("incident", "open", "--hazard", "tanah longsor", *args, **cli_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("tanah_longsor-")  # then the day in UTC


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["open", "--hazard", "gempa", "--name", "x", "--area", "32.04.07"],
            f"not a known hazard: gempa; one of: {', '.join(HAZARDS)}",  # the accepted values
        ),
        (["open", "--hazard", "banjir", "--name", "x", "--area", "32.04.99"], "32.04.99"),
        (["open", "--hazard", "banjir", "--name", "x", "--area", "32"], "not a kecamatan"),
        (
            [
                "phase",
                "latihan-gempa-cianjur",
                "tanggap_darurat",
                "--decree",
                "SK 1",
                "--from",
                "2026-12-05",
                "--until",
                "2026-12-01",
            ],
            "before the start date",
        ),
        (["close", "latihan-gempa-cianjur"], "teams still deployed: TKSK Kec. Cugenang"),
        (["reopen", "latihan-gempa-cianjur", "--reason", "x"], "not closed"),
        (["close", "no-such-incident"], "incident no-such-incident"),
    ],
)
def test_bad_incident_commands_fail_in_one_line_and_write_nothing(
    demo_engine, cli_env, args, message
) -> None:
    before = store.last_change(demo_engine)
    result = command("incident", *args, **cli_env)
    assert result.returncode == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert store.last_change(demo_engine) == before


def test_reports_import_of_a_bnpb_file_dry_run_then_for_real(demo_engine, cli_env) -> None:
    bnpb = (
        Path(cli_env["CC_SHARED_DATA_DIR"]) / "impacts/bnpb_pantauan_bencana_Data_Bencana_2020.csv"
    )
    (incident,) = store.incidents(demo_engine)
    before = len(store.frame(demo_engine, text("SELECT id FROM impact_reports")))
    dry = command(
        "reports", "import", str(bnpb), "--incident", str(incident.id), "--dry-run", **cli_env
    )
    assert dry.returncode == 0, dry.stderr
    assert "would land 32 of 34 rows; quarantined 2" in dry.stdout
    assert "kabupaten-level report" in dry.stdout  # the first reasons are printed
    # a kecamatan that is not in its kabupaten: named by row, with the kecamatan to pick from
    assert (
        "quarantined row 8: Kecamatan name: “Bolihoyuto” is not one certain kecamatan in "
        "Kabupaten Gorontalo; pick one of: Boliyohuto, Kabupaten Gorontalo (75.01.09), and enter "
        "its kecamatan code"
    ) in dry.stdout
    assert len(store.frame(demo_engine, text("SELECT id FROM impact_reports"))) == before
    real = command("reports", "import", str(bnpb), "--incident", str(incident.id), **cli_env)
    assert real.returncode == 0 and "landed 32 of 34 rows" in real.stdout
    assert len(store.frame(demo_engine, text("SELECT id FROM impact_reports"))) == before + 32
    aceh = report_store.all_versions(demo_engine).set_index("kecamatan_code").loc["11.14.04"]
    assert aceh["other_columns"]["kejadian"] == "KEBAKARAN HUTAN DAN LAHAN"  # kept, not dropped
    dibi = bnpb.with_name("dibi_bnpb_agg_2010-2025_rainaimtiyaz-dibi-bnpb-analysis.csv")
    refused = command("reports", "import", str(dibi), "--incident", str(incident.id), **cli_env)
    assert refused.returncode == 2
    assert "looks like a yearly aggregate by province" in refused.stderr


def test_user_unlock_lets_a_waiting_username_sign_in_at_once(engine, cli_env) -> None:
    accounts.create_user(engine, SYSTEM, "ani", "rahasia-panjang-1", "operator", "32.03")
    limits = SignInLimits(per_user=2, wait_s=600, user_max_wait_s=600)
    for _ in range(2):
        accounts.authenticate(engine, "ani", "tebakan", "10.0.0.1", limits)
    with pytest.raises(SignInRefused):
        accounts.authenticate(engine, "ani", "rahasia-panjang-1", "10.0.0.2", limits)
    listed = command("user", "list", **cli_env)
    assert listed.returncode == 0 and "ani\toperator\t32.03\tani" in listed.stdout
    unlocked = command("user", "unlock", "ani", **cli_env)
    assert unlocked.returncode == 0, unlocked.stderr
    assert accounts.authenticate(engine, "ani", "rahasia-panjang-1", "10.0.0.2", limits)


def test_a_user_added_with_a_password_must_change_it_at_the_first_sign_in(engine, cli_env) -> None:
    args = ("user", "add", "budi", "--role", "operator", "--password-stdin")
    added = command(*args, stdin="sementara-panjang\n", **cli_env)
    assert added.returncode == 0, added.stderr
    assert "must be changed at the first sign-in" in added.stdout
    assert accounts.must_change_password(engine, "budi")
    oidc = command("user", "add", "citra", "--role", "viewer", "--oidc", **cli_env)
    assert oidc.returncode == 0 and not accounts.must_change_password(engine, "citra")


def test_reporter_links_from_the_command_line(demo_engine, cli_env) -> None:
    (incident,) = store.incidents(demo_engine)
    made = command(
        "reporter",
        "link",
        "Siti",
        "--kecamatan",
        "32.03.11,32.03.12",
        "--incident",
        str(incident.id),
        "--days",
        "3",
        "--role",
        "tagana",
        **cli_env,
    )
    assert made.returncode == 0, made.stderr
    url = made.stdout.strip().splitlines()[-1].split(": ", 1)[1]
    assert url.startswith("http://localhost:8501/lapor?kunci=")
    token = url.split("kunci=")[1]
    assert reporter_store.reporter_for(demo_engine, token).kecamatan == ("32.03.11", "32.03.12")
    listed = command("reporter", "list", **cli_env).stdout
    assert "\tvalid\ttagana\tSiti\t32.03.11,32.03.12" in listed and token not in listed
    assert command("reporter", "revoke", "1", **cli_env).returncode == 0
    assert "\trevoked\t" in command("reporter", "list", **cli_env).stdout
    bad = command("reporter", "link", "X", "--kecamatan", "99.99.99", **cli_env)
    assert bad.returncode == 2 and "unknown kecamatan code: 99.99.99" in bad.stderr


def test_households_key_registry_and_import_from_the_command_line(
    cli_env, database_url, tmp_path
) -> None:
    made = command("households", "key", **cli_env)
    key = made.stdout.strip()
    assert made.returncode == 0 and Vault(key)  # a usable key, printed alone on stdout
    extract = tmp_path / "dtsen.csv"
    extract.write_text("NIK;PKH;BPNT\n3203111705800011;1;0\n12345;1;1\n")
    closed = command("households", "registry", str(extract), **{**cli_env, "CC_PDP_KEY": ""})
    assert closed.returncode == 2 and "CC_PDP_KEY" in closed.stderr
    assert "command-center households key" in closed.stderr
    stored = command("households", "registry", str(extract), **{**cli_env, "CC_PDP_KEY": key})
    assert stored.returncode == 0, stored.stderr
    assert "stored 1 people" in stored.stdout and "refused 1 rows" in stored.stdout
    with make_engine(database_url).connect() as conn:
        assert "3203111705800011" not in str(
            conn.execute(text("SELECT * FROM registry_entries")).all()
        )
    # a new key: everything sealed again; the old key is refused from then on
    new = command("households", "key", **cli_env).stdout.strip()
    old_key = {**cli_env, "CC_PDP_KEY": key}
    rotated = command("households", "rotate-key", stdin=new + "\n", **old_key)
    assert rotated.returncode == 0, rotated.stderr
    assert "1 registry_dropped" in rotated.stdout and Vault(new).check_value in rotated.stderr
    old = command("households", "registry", str(extract), **{**cli_env, "CC_PDP_KEY": key})
    assert old.returncode == 2 and Vault(key).check_value in old.stderr
    again = command("households", "registry", str(extract), **{**cli_env, "CC_PDP_KEY": new})
    assert again.returncode == 0, again.stderr


def test_alerts_test_reports_each_channel_and_the_outbox_lists_what_waits(
    area_engine, cli_env, httpserver
) -> None:
    from command_center.stores import alerts as alert_store
    from tests.alerts import LAN, flood, person

    httpserver.expect_request("/hook").respond_with_data("", status=204)
    httpserver.expect_request("/bad").respond_with_data("no", status=410)
    person(area_engine, "ani", webhook=httpserver.url_for("/hook"), email="ani@dinsos.example")
    person(area_engine, "budi", webhook=httpserver.url_for("/bad"))
    env = {**cli_env, "CC_WEBHOOK_SECRET": "s3cret", "CC_WEBHOOK_ALLOWED_HOSTS": ",".join(LAN)}
    result = command("alerts", "test", "--user", "ani", **env)
    assert result.returncode == 1, result.stderr  # e-mail is not configured
    assert f"webhook: sent to {httpserver.url_for('/hook')}" in result.stdout
    assert "email: not configured (set CC_SMTP_HOST)" in result.stdout
    sent = httpserver.log[0][0]
    assert sent.get_json()["title"] == "Pesan uji" and sent.headers["X-CC-Signature"]
    failed = command("alerts", "test", "--user", "budi", **env)
    assert failed.returncode == 1 and "webhook: FAILED" in failed.stdout and "410" in failed.stdout
    assert "no linked channel" in command("alerts", "test", "--user", "nobody", **env).stdout

    flood(area_engine)
    drained = command("alerts", "send", "--once", **env)
    assert drained.returncode == 0, drained.stderr
    listing = command("alerts", "outbox", **env)
    assert listing.returncode == 0, listing.stderr
    assert "dead: 2" in listing.stdout and "sent: 1" in listing.stdout
    assert "410" in listing.stdout and "email is not configured" in listing.stdout
    assert alert_store.status_counts(area_engine) == {"sent": 1, "dead": 2}
