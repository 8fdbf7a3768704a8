"""The audit log's hash chain in a real store: every write takes the next place, whoever
writes at the same time; an entry edited, deleted or added in the database is found, by the
command line and on the Admin page; entries from before the chain are chained by the upgrade."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import datetime

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine, migrate
from command_center.base.labels import t
from command_center.base.models import AuditEntry
from command_center.stores import accounts, backups
from command_center.stores import common as store
from tests.conftest import open_tab

WRITERS, EACH = 6, 4


def _write(engine: Engine, who: str, n: int) -> None:
    with Session(engine) as session, session.begin():
        store.record_audit(session, who, "update", "team", n, {"status": "siaga"}, {"n": n})


def _sql(engine: Engine, statement: str, **params) -> None:
    with engine.begin() as conn:
        conn.execute(text(statement), params)


def test_writers_at_the_same_time_each_take_the_next_place(engine: Engine) -> None:
    def writer(who: str) -> None:
        for n in range(EACH):
            _write(engine, who, n)

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = store.verify_audit(engine)
    assert state.intact and state.checked == state.head_seq == WRITERS * EACH


def test_a_rolled_back_write_leaves_no_gap(engine: Engine) -> None:
    _write(engine, "a", 1)
    with pytest.raises(RuntimeError), Session(engine) as session, session.begin():
        store.record_audit(session, "b", "update", "team", 2)
        session.flush()
        raise RuntimeError("the write failed after its audit entry")
    _write(engine, "c", 3)
    state = store.verify_audit(engine)
    assert state.intact and state.checked == 2


def test_an_entry_edited_deleted_or_added_in_the_database_is_found(engine: Engine) -> None:
    for n in range(1, 6):
        _write(engine, "operator", n)
    _sql(engine, """UPDATE audit_log SET actor = 'someone' WHERE id = 3""")
    state = store.verify_audit(engine)
    assert (state.broken_id, state.reason, state.checked) == (3, "edited", 2)
    _sql(engine, """UPDATE audit_log SET actor = 'operator' WHERE id = 3""")  # put back
    assert store.verify_audit(engine).intact
    _sql(engine, "DELETE FROM audit_log WHERE id = 2")
    state = store.verify_audit(engine)
    assert (state.broken_id, state.reason) == (3, "missing")
    _sql(engine, "DELETE FROM audit_log WHERE id > 1")
    _sql(
        engine,
        "INSERT INTO audit_log (at, actor, action, entity, entity_id) "
        "VALUES (:at, 'x', 'create', 'user', '9')",
        at=datetime(2026, 12, 7),
    )
    state = store.verify_audit(engine)
    assert state.reason == "unchained" and state.checked == 1


def test_entries_from_before_the_chain_are_chained_by_the_upgrade(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    migrate(engine, "0022")
    for n in range(3):
        _sql(
            engine,
            "INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after) "
            "VALUES (:at, 'admin', 'create', 'user', :n, NULL, :after)",
            at=datetime(2026, 1, 1, 8, n, 30, 250_000),
            n=str(n),
            after='{"username": "pejabat", "scope": ["32", "32.04"]}',
        )
    migrate(engine)
    _write(engine, "operator", 4)
    state = store.verify_audit(engine)
    assert state.intact and state.checked == 4
    engine.dispose()


def test_audit_verify_says_which_entry_does_not_fit_and_what_a_backup_recorded(
    database_url: str, engine: Engine, tmp_path
) -> None:
    for name in ("pejabat", "operator2"):
        accounts.create_user(engine, SYSTEM, name, "kata-sandi-1", "viewer")
    backup, _ = backups.take(database_url, tmp_path, backups.Sealing())
    env = {"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "command_center.cli", "audit", "verify"]
    against = [*command, "--against", str(backup)]

    def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)

    fine = run(against)
    assert fine.returncode == 0, fine.stderr
    assert "audit chain: 2 entries fit; head #2" in fine.stdout
    assert f"entries up to #2 are those {backup.name} recorded" in fine.stdout
    _sql(engine, "UPDATE audit_log SET after = NULL WHERE id = 1")
    broken = run(command)
    assert broken.returncode == 1
    assert "audit entry id 1 does not fit: its content does not match" in broken.stderr
    with Session(engine) as session, session.begin():  # a forger hashes the rest anew
        store.rechain_audit(session, list(session.scalars(select(AuditEntry))))
    assert run(command).returncode == 0  # the chain alone fits again ...
    forged = run(against)  # ... but not the head the backup recorded
    assert forged.returncode == 1 and "entries up to #2 are not those" in forged.stderr


def test_the_admin_page_says_whether_the_chain_is_intact(
    open_page, with_demo, database_url: str
) -> None:
    engine = make_engine(database_url)
    at = open_tab(open_page("pages/admin.py"), "admin_tab", "tab_audit")
    [intact] = [s.value for s in at.success if "audit" in s.value.lower()]
    assert intact.startswith("Rantai audit utuh")
    _sql(engine, "UPDATE audit_log SET actor = 'orang lain' WHERE id = 1")
    accounts.create_user(engine, SYSTEM, "pejabat", "kata-sandi-1", "viewer")  # a new version
    at.run()
    [broken] = [e.value for e in at.error]
    assert broken.startswith(t("audit_chain_broken", id=1, reason=t("audit_chain_edited")))
    engine.dispose()
