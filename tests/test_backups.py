"""Backups of a real store while writers write, restored into a fresh store; what restore
refuses; a backup killed half way; the command line (both databases: the SQLite online backup,
and pg_dump/pg_restore on PostgreSQL)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from command_center.base import pdp, versions
from command_center.base.auth import SYSTEM, Principal
from command_center.base.db import make_engine, migrate
from command_center.base.pdp import Vault
from command_center.base.times import utcnow
from command_center.services.backups import backup_name
from command_center.services.households import HouseholdInput
from command_center.services.logistics import StockLine, WarehouseInput
from command_center.services.reports import ReportInput
from command_center.stores import backups
from command_center.stores import common as store
from command_center.stores import households as household_store
from command_center.stores import incidents as incident_store
from command_center.stores import logistics as logistics_store
from command_center.stores import reports as report_store
from command_center.stores.backups import BackupError, Sealing
from command_center.stores.incidents import NewIncident
from command_center.stores.logistics import DispatchRequest, Line
from tests.commands import Ran, command
from tests.conftest import _postgres_url
from tests.households import KEY, family

OPERATOR = Principal("Operator Cianjur", "operator", "32.03")
PENDATA = Principal("Pendata Cianjur", "pendata", "32.03")
KECAMATAN = ("32.03.11", "32.03.01", "32.03.12", "32.03.13")


def _world(engine: Engine) -> tuple[int, int]:
    key = incident_store.open_incident(
        engine, NewIncident("gempa_bumi", "Gempa Cianjur", KECAMATAN, utcnow()), SYSTEM
    )
    warehouse = logistics_store.create_warehouse(
        engine,
        WarehouseInput.check(
            {"name": "Gudang Dinsos Jabar", "kind": "provinsi", "kecamatan_code": "32.73.01"}
        ),
        SYSTEM,
    )
    return incident_store.incident_id(engine, key), warehouse


def _writers(engine: Engine, incident: int, warehouse: int, stop: threading.Event) -> dict:
    """Reports, stock received and dispatched, and households, written until `stop` by three
    threads:
    {"written": {kind: count}, "errors": [...], "threads": [...]}."""
    vault = Vault(KEY)
    state: dict = {"written": {}, "errors": [], "threads": []}

    def report(n: int) -> None:
        values = {"incident_id": incident, "kecamatan_code": KECAMATAN[n % 4],
                  "report_time": (utcnow() - timedelta(seconds=600 - n)).isoformat(),
                  "reporter": "TKSK", "source": "tksk", "displaced": 100 + n}  # fmt: skip
        report_store.save_report(engine, ReportInput.check(values, None), OPERATOR, True)

    def stock(n: int) -> None:
        line = StockLine.check({"item": "beras", "batch": f"B{n}", "quantity": 10})
        logistics_store.receive(engine, warehouse, [line], "Kemensos", f"BAST-{n}", SYSTEM)
        sent = DispatchRequest(incident, warehouse, [Line("beras", 5)], KECAMATAN[n % 4])
        logistics_store.dispatch(engine, sent, SYSTEM)

    def household(n: int) -> None:
        entry = HouseholdInput.check(family(serial=n))
        household_store.save_household(engine, vault, incident, entry, OPERATOR)

    def loop(write) -> None:
        n = 0
        try:
            while not stop.is_set():
                n += 1
                write(n)
                state["written"][write.__name__] = n
        except Exception as exc:  # said by the test, not lost in a thread
            state["errors"].append(repr(exc))

    for write in (report, stock, household):
        state["threads"].append(threading.Thread(target=loop, args=(write,)))
        state["threads"][-1].start()
    return state


def _until_written(state: dict, each: int, beyond: dict | None = None) -> None:
    """Wait until every writer wrote `each` more rows (than `beyond`'s counts)."""
    goal = {k: (beyond or {}).get(k, 0) + each for k in ("report", "stock", "household")}
    deadline = time.monotonic() + 60
    while any(state["written"].get(k, 0) < n for k, n in goal.items()):
        assert not state["errors"] and time.monotonic() < deadline, state
        time.sleep(0.05)


def _fresh_url(database_url: str, tmp_path: Path) -> str:
    """Another empty store of the same kind: a new file, or on PostgreSQL the same schema
    emptied (a restore puts the schema back as it was backed up)."""
    if _postgres_url() is None:
        return f"sqlite:///{tmp_path / f'fresh-{uuid.uuid4().hex[:6]}.db'}"
    engine = make_engine(database_url)
    with engine.begin() as conn:
        schema = conn.scalar(text("SELECT current_schema()"))
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return database_url


def test_a_backup_taken_while_writers_write_restores_with_its_manifests_counts(
    area_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    incident, warehouse = _world(area_engine)
    stop = threading.Event()
    writing = _writers(area_engine, incident, warehouse, stop)
    try:
        _until_written(writing, 3)
        path, manifest = backups.take(database_url, tmp_path / "backups", Sealing())
        _until_written(writing, 2, dict(writing["written"]))  # and they go on
    finally:
        stop.set()
        for thread in writing["threads"]:
            thread.join()
    assert not writing["errors"]
    assert manifest.counts["impact_reports"] > 0 and manifest.counts["households"] > 0
    assert manifest.counts["stock_movements"] > 0 and manifest.counts["dispatches"] > 0
    assert manifest.revision == migrate(area_engine)
    assert manifest.audit_head[0] == manifest.counts["audit_log"]
    assert manifest.pdp_check == Vault(KEY).check_value and KEY not in path.read_bytes().decode(
        "latin-1"
    )
    fresh = _fresh_url(database_url, tmp_path)
    restored = backups.restore(fresh, path, Sealing(), Vault(KEY).check_value, tmp_path)
    assert restored.differences == {} and restored.saved_first is None
    engine = make_engine(fresh)
    assert store.verify_audit(engine).intact  # the copy is of one moment: its chain is whole
    assert store.verify_audit(engine).head_seq == manifest.audit_head[0]
    assert len(household_store.households(engine, incident)) == manifest.counts["households"]
    opened = household_store.reveal(engine, Vault(KEY), 1, PENDATA, "uji pemulihan")
    assert opened["kk"] == family(serial=1)["kk"]
    engine.dispose()


def test_restore_refuses_what_it_cannot_restore_whole_and_changes_nothing(
    area_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    incident, _ = _world(area_engine)
    household_store.save_household(
        area_engine, Vault(KEY), incident, HouseholdInput.check(family()), OPERATOR
    )
    path, _ = backups.take(database_url, tmp_path / "b", Sealing())
    other = Vault(pdp.new_key())

    def refused(file: Path, check: str | None = Vault(KEY).check_value, **kwargs) -> str:
        with pytest.raises(BackupError) as error:
            backups.restore(database_url, file, Sealing(), check, tmp_path, **kwargs)
        return str(error.value)

    assert "sealed with the key of check value" in refused(path, other.check_value)
    assert "none is set" in refused(path, None)
    assert "in use" in refused(path)  # the store it came from holds rows
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert "damaged or truncated" in refused(truncated)
    newer = tmp_path / "newer.tar.gz"
    with tarfile.open(path) as old, tarfile.open(newer, "w:gz") as new:
        manifest = json.loads(old.extractfile("manifest.json").read())
        for member in old.getmembers():
            if member.name != "manifest.json":
                new.addfile(member, old.extractfile(member))
        data = json.dumps({**manifest, "revision": "0999"}).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        new.addfile(info, io.BytesIO(data))
    assert "revision 0999, newer than this code knows" in refused(newer)
    assert len(household_store.households(area_engine, incident)) == 1  # nothing changed


def test_an_encrypted_backup_needs_its_key_and_replace_keeps_what_it_replaced(
    area_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    incident, _ = _world(area_engine)
    key_file = tmp_path / "backup.key"
    backups.new_key_file(key_file)
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    sealing = Sealing(key_file=key_file)
    path, manifest = backups.take(database_url, tmp_path / "b", sealing)
    assert path.name.endswith(".tar.gz.age") and b"Gempa Cianjur" not in path.read_bytes()
    with pytest.raises(BackupError, match="is encrypted"):
        backups.restore(database_url, path, Sealing(), None, tmp_path)
    with pytest.raises(BackupError, match="does not decrypt"):
        backups.restore(database_url, path, Sealing(passphrase="salah"), None, tmp_path)
    incident_store.close_incident(area_engine, incident, SYSTEM)  # a change after the backup
    seen = versions.read(area_engine)  # what running apps have cached results under
    done = backups.restore(database_url, path, sealing, None, tmp_path / "b", replace=True)
    moved = versions.read(area_engine)
    assert all(moved[name] > version for name, version in seen.items())
    assert done.differences == {} and done.saved_first.name.endswith("-before-restore.tar.gz.age")
    engine = make_engine(database_url)
    assert [i.status for i in store.incidents(engine)] == ["open"]  # as it was backed up
    engine.dispose()
    before = backups.read_manifest(done.saved_first, sealing)
    assert before.audit_head[0] > manifest.audit_head[0]  # it holds the close


def test_a_backup_killed_half_way_leaves_the_previous_one_and_no_partial_file(
    area_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    _world(area_engine)
    folder = tmp_path / "backups"
    first, _ = backups.take(database_url, folder, Sealing())
    before = first.read_bytes()
    script = (
        "import sys, time, command_center.stores.backups as b\n"
        "real = b._sha256\n"
        "def slow(path):\n"
        "    print('copied', flush=True); time.sleep(60); return real(path)\n"
        "b._sha256 = slow\n"
        "b.take(sys.argv[1], b.Path(sys.argv[2]), b.Sealing())\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, database_url, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout.readline().strip() == "copied"  # the copy is written, not yet named
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    finals = [p.name for p in folder.iterdir() if not p.name.startswith(".")]
    assert finals == [first.name] and first.read_bytes() == before
    assert backups.read_manifest(first, Sealing()).counts["incidents"] == 1


def test_backup_and_restore_on_the_command_line(
    area_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    _world(area_engine)
    env = {
        "DATABASE_URL": database_url,
        "CC_BACKUP_DIR": str(tmp_path / "backups"),
        "CC_BACKUP_PASSPHRASE": "kata sandi cadangan",
    }

    def cli(*args: str, stdin: str = "") -> Ran:
        return command(*args, stdin=stdin, **env)

    taken = cli("backup")
    assert taken.returncode == 0, taken.stderr
    assert "(encrypted; schema" in taken.stdout
    [path] = (tmp_path / "backups").glob("cc-backup-*.tar.gz.age")
    refused = cli("restore", str(path), "--replace")  # asked, and no one typed 'replace'
    assert refused.returncode == 2 and "not replaced" in refused.stderr
    env["DATABASE_URL"] = _fresh_url(database_url, tmp_path)
    restored = cli("restore", str(path))
    assert restored.returncode == 0, restored.stderr
    assert "  incidents: 1 (manifest 1)" in restored.stdout and "differs" not in restored.stdout


def test_the_worker_backs_up_on_schedule_and_keeps_what_retention_says(
    area_engine: Engine,
    database_url: str,
    recorded_feeds: dict[str, str],
    shared_data: Path,
    boundary_cache: Path,
    ingest_worker,
    tmp_path: Path,
) -> None:
    _world(area_engine)
    folder = tmp_path / "backups"
    folder.mkdir()
    older = [backup_name(utcnow() - timedelta(days=d), False) for d in (1, 2, 9)]
    for name in older:
        (folder / name).write_bytes(b"an older backup")
    env = {
        **recorded_feeds,
        "DATABASE_URL": database_url,
        "CC_SHARED_DATA_DIR": str(shared_data),
        "CC_CACHE_DIR": str(boundary_cache),
        "CC_BACKUP_DIR": str(folder),
        "CC_BACKUP_EVERY_H": "6",
        "CC_BACKUP_KEEP": "2d",
    }
    worker = ingest_worker(env, "worker")
    assert worker.wait_for("older removed", 120), worker.log.read_text()[-2000:]
    assert "backups: NOT encrypted" in worker.log.read_text()
    kept = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    assert kept[0] == older[0] and len(kept) == 2  # today's new one and yesterday's
    assert backups.read_manifest(folder / kept[1], Sealing()).counts["incidents"] == 1
