"""One table of counts as people write them, through every path that takes a count: the report
form, a report file imported from the command line, BNPB's menderita and mengungsi columns, a
roster's member count (the household import reads no count: a family is its rows, one a
person), an ODK form pulled from a server, an opening stock count and a pasted WhatsApp
message. Each must read every spelling as the same number (`services.numbers.count`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from command_center.base.auth import SYSTEM
from command_center.base.http import make_session
from command_center.base.settings import ImportLimits
from command_center.base.times import utcnow
from command_center.services import whatsapp
from command_center.services.reports import ReportInput
from command_center.stores import common as store
from command_center.stores import logistics as logistics_store
from command_center.stores import reports as report_store
from command_center.stores import teams as team_store
from command_center.workers import form_pull
from command_center.workers.form_pull import FormServer
from tests.commands import command

SPELLINGS = {
    "1.250": 1250,
    "1,2 rb": 1200,
    "± 1.500": 1500,
    "640 jiwa": 640,
    "nihil": 0,
    "dua": 2,
}
CUGENANG = "32.03.11"


def _stamp(hours_ago: int) -> str:
    return (utcnow() - timedelta(hours=hours_ago)).isoformat()


def _kecamatan(geography) -> list[str]:
    """One Cianjur kecamatan per spelling (the demo incident's area)."""
    codes = sorted(c for c in geography.kecamatan.index if c.startswith("32.03."))
    return codes[: len(SPELLINGS)]


def _by_kecamatan(engine, geography, figure: str, source: str) -> list[int]:
    versions = report_store.all_versions(engine)
    mine = versions[versions["source"] == source].set_index("kecamatan_code")
    return [int(mine.loc[code, figure]) for code in _kecamatan(geography)]


def _report_file(geography, column: str, spellings: list[str]) -> bytes:
    lines = [f"kode_kecamatan;waktu_laporan;pelapor;sumber;{column}"]
    for code, spelling in zip(_kecamatan(geography), spellings, strict=True):
        lines.append(f"{code};{_stamp(2)};Posko;bpbd;{spelling}")
    return "\n".join(lines).encode()


def form(spellings: list[str], demo_engine, geography, **_) -> list[int]:
    values = {"incident_id": 1, "kecamatan_code": CUGENANG, "report_time": _stamp(1)}
    values |= {"reporter": "TKSK", "source": "tksk"}
    return [ReportInput.check({**values, "displaced": s}, geography).displaced for s in spellings]


def cli_file(spellings: list[str], demo_engine, geography, env: dict, tmp_path: Path, **_):
    (incident,) = store.incidents(demo_engine)
    file = tmp_path / "laporan.csv"
    file.write_bytes(_report_file(geography, "mengungsi", spellings))
    done = command("reports", "import", str(file), "--incident", str(incident.id), **env)
    assert done.returncode == 0 and "quarantined 0" in done.stdout, done.stdout + done.stderr
    return _by_kecamatan(demo_engine, geography, "displaced", "bpbd")


def _bnpb(spellings: list[str], demo_engine, geography, column: str) -> list[int]:
    """A DIBI row per spelling, in `column` (menderita or mengungsi; the other nil): the
    people affected are their sum."""
    (incident,) = store.incidents(demo_engine)
    names = geography.points.set_index("kode_kec")["kecamatan"]
    lines = ["kabkot,lokasi,tahun,bulan,tanggal,pelapor,sumber,menderita,mengungsi"]
    day = utcnow() - timedelta(days=1)
    for code, spelling in zip(_kecamatan(geography), spellings, strict=True):
        pair = (f'"{spelling}"', "0") if column == "menderita" else ("0", f'"{spelling}"')
        lines.append(
            f"CIANJUR,Kec. {names[code]},{day.year},{day.month},{day.day},Pusdalops,BPBD,"
            + ",".join(pair)
        )
    data = "\n".join(lines).encode()
    limits = ImportLimits()
    result = report_store.import_reports(
        demo_engine, data, "dibi.csv", incident.id, geography, SYSTEM, limits
    )
    assert not result.problems, result.problems
    return _by_kecamatan(demo_engine, geography, "affected_people", "bpbd")


def bnpb_menderita(spellings: list[str], demo_engine, geography, **_) -> list[int]:
    return _bnpb(spellings, demo_engine, geography, "menderita")


def bnpb_mengungsi(spellings: list[str], demo_engine, geography, **_) -> list[int]:
    return _bnpb(spellings, demo_engine, geography, "mengungsi")


def roster_file(spellings: list[str], demo_engine, geography, **_) -> list[int]:
    lines = ["Nama Tim;Jenis;Kode Kecamatan;Jumlah Anggota"]
    lines += [f"Tim Uji {n};Tagana;{CUGENANG};{s}" for n, s in enumerate(spellings)]
    data = "\n".join(lines).encode()
    result = team_store.import_roster(
        demo_engine, data, "tim.csv", geography, SYSTEM, ImportLimits()
    )
    assert not result.problems, result.problems
    teams = team_store.roster(demo_engine).set_index("name")
    return [int(teams.loc[f"Tim Uji {n}", "member_count"]) for n in range(len(spellings))]


def odk(spellings: list[str], demo_engine, geography, httpserver: HTTPServer, **_) -> list[int]:
    rows = [
        {
            "__id": f"uuid:angka-{n}",
            "kecamatan_code": code,
            "report_time": _stamp(3),
            "reporter": "PSM",
            "source": "psm",
            "pengungsi": {"displaced": spelling},  # a text question, as typed
            "meta": {"instanceID": f"uuid:angka-{n}"},
            "__system": {"submitterName": "hp-psm", "reviewState": None},
        }
        for n, (code, spelling) in enumerate(zip(_kecamatan(geography), spellings, strict=True))
    ]
    path = "/v1/projects/7/forms/laporan_dampak_kecamatan.svc/Submissions"
    httpserver.expect_request(path).respond_with_json({"value": rows})
    server = FormServer("central", httpserver.url_for("/"), "7", "laporan_dampak_kecamatan")
    result = form_pull.pull(demo_engine, make_session("test", retries=0), server, 5, geography)
    assert not result.problems, result.problems
    return _by_kecamatan(demo_engine, geography, "displaced", "psm")


def stock_file(spellings: list[str], demo_engine, **_) -> list[int]:
    """An opening stock count: a line of nothing is refused by its own bound (at least 1),
    once read as 0; what it read is the value its refusal names."""
    (warehouse, *_) = logistics_store.warehouses(demo_engine)["name"]
    lines = ["Gudang;Barang;Batch;Jumlah"]
    lines += [f"{warehouse};selimut;UJI{n};{s}" for n, s in enumerate(spellings)]
    data = "\n".join(lines).encode()
    result = logistics_store.import_opening_stock(
        demo_engine, data, "stok.csv", SYSTEM, ImportLimits()
    )
    refused = {p.number - 2: p.errors[0] for p in result.problems}  # by spelling
    assert {(e.field, e.code) for e in refused.values()} <= {("quantity", "out_of_range")}
    moved = logistics_store.movements(demo_engine).set_index("batch")["quantity"]
    return [
        int(refused[n].params["value"]) if n in refused else int(moved[f"UJI{n}"])
        for n in range(len(spellings))
    ]


def whatsapp_message(spellings: list[str], **_) -> list[int | None]:
    texts = [f"Kec. Cugenang 6/12 pkl 14.00: mengungsi {s}" for s in spellings]
    drafts = [whatsapp.read_messages(text, utcnow()) for text in texts]
    return [found[0].values().get("displaced") if found else None for found in drafts]


PATHS: list = [
    form,
    cli_file,
    bnpb_menderita,
    bnpb_mengungsi,
    roster_file,
    odk,
    stock_file,
    whatsapp_message,
]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: getattr(p, "__name__", None))
def test_every_path_reads_a_count_as_people_write_it_the_same_way(
    path: Callable[..., list],
    demo_engine,
    geography,
    httpserver,
    database_url,
    shared_data,
    boundary_cache,
    tmp_path,
) -> None:
    spellings = list(SPELLINGS)
    env = {
        "DATABASE_URL": database_url,
        "CC_SHARED_DATA_DIR": str(shared_data),
        "CC_CACHE_DIR": str(boundary_cache),
    }
    read = path(
        spellings,
        demo_engine=demo_engine,
        geography=geography,
        httpserver=httpserver,
        env=env,
        tmp_path=tmp_path,
    )
    assert dict(zip(spellings, read, strict=True)) == SPELLINGS
