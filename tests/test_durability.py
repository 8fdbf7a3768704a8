"""kill -9 in the middle of a write transaction leaves nothing half written.

Each test starts a real process that writes through the app's own code and, once it is inside
its transaction with rows already sent to the database, waits there; the test kills it with
SIGKILL and checks the store.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine
from command_center.base.models import AuditEntry, HazardEvent, QuarantinedRow, Team
from command_center.base.settings import ImportLimits
from command_center.stores import hazards as hazard_store
from command_center.stores import teams as team_store

IMPORT = """
import sys, time
from command_center.stores import teams as team_store
from command_center.base.settings import ImportLimits
from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine

def progress(share):
    if share >= 0.85:  # writing: half the rows are already in the open transaction
        print("inside the transaction", flush=True)
        time.sleep(120)

engine = make_engine(sys.argv[1])
data = open(sys.argv[2], "rb").read()
team_store.import_roster(engine, data, "roster.csv", None, SYSTEM, ImportLimits(), progress)
"""

POLL = """
import sys, time
from command_center.workers import ingest
from command_center.base.db import make_engine
from command_center.base.http import make_session

def after_save(session, result):
    session.flush()
    print(f"inside the transaction: {result.inserted} events written", flush=True)
    time.sleep(120)

engine = make_engine(sys.argv[1])
feed = ingest.Feed("bmkg_gempaterkini", sys.argv[2], 60, "bmkg_quakes")
ingest.poll(engine, make_session("test"), feed, 10, after_save)
"""


def _count(engine, model) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def _kill_inside(script: str, *args: str) -> str:
    """Run `script`, wait until it says it is inside its transaction, then SIGKILL it."""
    process = subprocess.Popen(
        [sys.executable, "-u", "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    line = process.stdout.readline()
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    return line


def test_a_killed_import_leaves_no_partial_rows(area_engine, database_url, tmp_path) -> None:
    lines = ["nama,kode_kecamatan,anggota"] + [
        f"Tim Uji {i},32.03.{1 + i % 30:02d},{i % 40}" for i in range(2000)
    ]
    lines += ["Tim Salah,32.99.99,1"]  # a row for the quarantine
    roster = tmp_path / "roster.csv"
    roster.write_text("\n".join(lines))
    said = _kill_inside(IMPORT, database_url, str(roster))
    assert "inside the transaction" in said, said
    assert _count(area_engine, Team) == 0
    assert _count(area_engine, QuarantinedRow) == 0
    assert _count(area_engine, AuditEntry) == 0
    # the store is fine afterwards: the same file imports in full
    report = team_store.import_roster(
        area_engine, roster.read_bytes(), "roster.csv", None, SYSTEM, ImportLimits()
    )
    assert report.created == 2000
    assert [(p.number, p.errors[0].code) for p in report.problems] == [(2002, "unknown_kecamatan")]


def test_a_killed_worker_leaves_no_partial_poll(
    engine, database_url, httpserver, shared_data: Path
) -> None:
    payload = (shared_data / "bmkg" / "gempaterkini_20261007_ai-gempa-bmkg.json").read_bytes()
    httpserver.expect_request("/gempaterkini.json").respond_with_data(
        payload, content_type="application/json"
    )
    said = _kill_inside(POLL, database_url, httpserver.url_for("/gempaterkini.json"))
    assert "events written" in said and not said.startswith("inside the transaction: 0"), said
    assert _count(engine, HazardEvent) == 0
    assert hazard_store.feed_state(make_engine(database_url), "bmkg_gempaterkini") is None
