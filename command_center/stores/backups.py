"""Backups of the whole store, and their restore.

A backup is one file, `cc-backup-<UTC time>.tar.gz` (`.age` when encrypted), holding a
consistent copy of the store taken while the app and the worker keep writing (SQLite's online
backup; `pg_dump -Fc` in the snapshot the manifest's counts were read in) and `manifest.json`:
the schema revision, the rows of every table, the copy's SHA-256, the personal-data key's check
value (never the key) and the audit chain's head. It is written inside a temporary folder and
renamed into place only when complete, so a backup killed half way leaves nothing under a
backup's name. Encryption is age's (`pyrage`): to a key file (an age identity, streamed) or a
passphrase (scrypt; the archive is held in memory).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyrage
from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from command_center.base import versions
from command_center.base.db import make_engine, migrate, revision_order
from command_center.base.errors import CommandCenterError
from command_center.base.settings import Settings
from command_center.base.times import utcnow
from command_center.services.backups import Retention, backup_name, taken_at, to_prune

FORMAT = 1
MANIFEST = "manifest.json"
PAYLOAD = {"sqlite": "store.sqlite", "postgresql": "store.pgdump"}
# rows of these tables do not make a store "in use" (a fresh install has them)
REFERENCE = {"alembic_version", "areas", "data_versions"}
STALE_WORK_H = 24  # an unfinished backup's folder older than this is removed


class BackupError(CommandCenterError):
    """A backup that cannot be taken or restored; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, written beside the copy and checked on restore."""

    format: int
    created_at: str
    dialect: str
    schema: str | None
    revision: str | None
    counts: dict[str, int]
    sha256: str
    pdp_check: str | None
    audit_head: list[Any] | None

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        values = json.loads(data)
        if values.get("format") != FORMAT:
            raise BackupError(f"backup format {values.get('format')} is not one this code reads")
        return cls(**values)


@dataclass(frozen=True)
class Sealing:
    """How backups are encrypted: to an age key file, with a passphrase, or not at all."""

    key_file: Path | None = None
    passphrase: str | None = None

    @classmethod
    def configured(cls, settings: Settings) -> Sealing:
        secret = settings.backup_passphrase
        return cls(settings.backup_key_file, secret.get_secret_value() if secret else None)

    @property
    def encrypted(self) -> bool:
        return self.key_file is not None or bool(self.passphrase)

    def _identity(self) -> Any:
        try:
            last_line = self.key_file.read_text().strip().splitlines()[-1]
            return pyrage.x25519.Identity.from_str(last_line)
        except (OSError, IndexError, pyrage.IdentityError) as exc:
            raise BackupError(
                f"backup key file {self.key_file}: not an age identity ({exc}); "
                "make one with `command-center backup --new-key FILE`"
            ) from exc

    def seal(self, clear: Path, sealed: Path) -> None:
        if self.key_file is not None:
            pyrage.encrypt_file(str(clear), str(sealed), [self._identity().to_public()])
        else:
            sealed.write_bytes(pyrage.passphrase.encrypt(clear.read_bytes(), self.passphrase))

    def open(self, sealed: Path, clear: Path) -> None:
        if not self.encrypted:
            raise BackupError(
                f"{sealed.name} is encrypted: set CC_BACKUP_KEY_FILE or CC_BACKUP_PASSPHRASE"
            )
        try:
            if self.key_file is not None:
                pyrage.decrypt_file(str(sealed), str(clear), [self._identity()])
            else:
                clear.write_bytes(pyrage.passphrase.decrypt(sealed.read_bytes(), self.passphrase))
        except (OSError, pyrage.DecryptError) as exc:
            raise BackupError(
                f"{sealed.name} does not decrypt with the configured key or passphrase, "
                f"or it is damaged or truncated ({exc})"
            ) from exc


def new_key_file(path: Path) -> str:
    """Write a new age identity to `path` (readable by its owner only); returns its public key."""
    identity = pyrage.x25519.Identity.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
        out.write(f"# command-center backup key; public key: {identity.to_public()}\n{identity}\n")
    return str(identity.to_public())


# Taking a backup


def take(
    database_url: str, folder: Path, sealing: Sealing, suffix: str = ""
) -> tuple[Path, Manifest]:
    """A consistent backup of the store at `database_url` into `folder`: (its path, manifest)."""
    url = make_url(database_url)
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale_work(folder)
    now = utcnow()
    name = backup_name(now, sealing.encrypted)
    if suffix:
        name = name.replace(".tar.gz", f"-{suffix}.tar.gz")
    with _work(folder) as work:
        payload = work / PAYLOAD[url.get_backend_name()]
        if url.get_backend_name() == "sqlite":
            facts = _copy_sqlite(url, payload)
        else:
            facts = _dump_postgres(url, payload)
        manifest = Manifest(
            FORMAT, now.isoformat(), url.get_backend_name(), sha256=_sha256(payload), **facts
        )
        archive = work / "backup.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(payload, PAYLOAD[manifest.dialect])
            _add_bytes(tar, MANIFEST, manifest.to_json())
        if sealing.encrypted:
            sealing.seal(archive, work / "backup.age")
            archive = work / "backup.age"
        _fsync(archive)
        os.replace(archive, folder / name)  # complete, or not there at all
        _fsync(folder)
    return folder / name, manifest


def _copy_sqlite(url: URL, target: Path) -> dict[str, Any]:
    """SQLite's online backup: one consistent copy while others write (WAL lets them)."""
    source = sqlite3.connect(url.database, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        source.close()
        copy.close()
    engine = create_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            return _facts(conn, None)
    finally:
        engine.dispose()


def _dump_postgres(url: URL, target: Path) -> dict[str, Any]:
    """`pg_dump -Fc` of the store's schema in the snapshot its rows are counted in."""
    schema = _schema(url)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
                facts = _facts(conn, schema)
                dump = ("-Fc", f"--snapshot={snapshot}", "-n", schema, "-f", target)
                _pg_tool(url, "pg_dump", *dump)
    finally:
        engine.dispose()
    return facts


def _facts(conn: Connection, schema: str | None) -> dict[str, Any]:
    """The manifest's facts of a store, read in one snapshot."""
    tables = sorted(inspect(conn).get_table_names())
    counts = {name: conn.scalar(text(f'SELECT count(*) FROM "{name}"')) for name in tables}
    revision = pdp = head = None
    if "alembic_version" in tables:
        revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
    if "pdp_key_check" in tables:
        pdp = conn.scalar(text("SELECT check_value FROM pdp_key_check WHERE id = 1"))
    audited = "audit_log" in tables
    columns = {c["name"] for c in inspect(conn).get_columns("audit_log")} if audited else set()
    if "chain_hash" in columns:
        row = conn.execute(
            text("SELECT chain_seq, chain_hash FROM audit_log ORDER BY chain_seq DESC LIMIT 1")
        ).first()
        head = list(row) if row and row[0] is not None else None
    return {"schema": schema, "revision": revision, "counts": counts, "pdp_check": pdp,
            "audit_head": head}  # fmt: skip


# Restoring


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    counts: dict[str, int]  # after the restore and the upgrade to head
    revision: str
    saved_first: Path | None  # the store it replaced, backed up first

    @property
    def differences(self) -> dict[str, tuple[int, int]]:
        """Tables whose rows differ from the manifest's: {table: (manifest, restored)}."""
        return {
            name: (count, self.counts.get(name, 0))
            for name, count in self.manifest.counts.items()
            if self.counts.get(name, 0) != count
        }


def read_manifest(file: Path, sealing: Sealing) -> Manifest:
    """The manifest of a backup file, its copy checked against its SHA-256."""
    with tempfile.TemporaryDirectory() as work:
        return _unpack(file, sealing, Path(work))[0]


def restore(
    database_url: str,
    file: Path,
    sealing: Sealing,
    pdp_check: str | None,
    backup_folder: Path,
    replace: bool = False,
) -> Restored:
    """Restore `file` into the store at `database_url`, then upgrade it to the newest schema.

    Refused (nothing changed): a damaged, truncated or undecryptable file; a backup of a
    newer schema than this code knows, or of another database kind or schema; one sealed with
    another personal-data key than `pdp_check` (the configured key's check value); a store
    in use unless `replace`, whose store is then backed up into `backup_folder` first.
    """
    url = make_url(database_url)
    engine = make_engine(database_url)
    try:
        with tempfile.TemporaryDirectory() as work:
            manifest, payload = _unpack(file, sealing, Path(work))
            _check_fits(manifest, url, pdp_check)
            in_use = _in_use(engine)
            if in_use and not replace:
                raise BackupError(
                    "the store is in use (rows in " + ", ".join(in_use[:6]) + "); restore into "
                    "an empty store, or replace it with --replace (it is backed up first)"
                )
            saved = (
                take(database_url, backup_folder, sealing, "before-restore")[0] if in_use else None
            )
            seen = _versions(engine)
            engine.dispose()  # no pooled connection lives across the load
            if manifest.dialect == "sqlite":
                _load_sqlite(payload, Path(url.database))
            else:
                _load_postgres(payload, url)
        revision = migrate(engine)
        versions.move_past(engine, seen)  # running apps' caches keyed by them hold the old store
        with engine.connect() as conn:
            counts = _facts(conn, _schema(url) if manifest.dialect != "sqlite" else None)
    finally:
        engine.dispose()
    return Restored(manifest, counts["counts"], revision, saved)


def _unpack(file: Path, sealing: Sealing, work: Path) -> tuple[Manifest, Path]:
    if not file.is_file():
        raise BackupError(f"no backup file at {file}")
    archive = file
    if file.name.endswith(".age"):
        archive = work / "backup.tar.gz"
        sealing.open(file, archive)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            manifest = Manifest.from_json(_member(tar, MANIFEST).read())
            name = PAYLOAD.get(manifest.dialect)
            if name is None:
                raise BackupError(f"backup of an unknown database kind {manifest.dialect!r}")
            payload = work / name
            with payload.open("wb") as out:
                shutil.copyfileobj(_member(tar, name), out)
    except (tarfile.TarError, EOFError, OSError, ValueError, TypeError) as exc:
        raise BackupError(f"{file.name} is damaged or truncated: {exc}") from exc
    if _sha256(payload) != manifest.sha256:
        raise BackupError(f"{file.name} is damaged: its copy does not match its SHA-256")
    return manifest, payload


def _member(tar: tarfile.TarFile, name: str) -> Any:
    """One regular file of the archive by name (never a path the archive chose)."""
    try:
        member = tar.getmember(name)
    except KeyError as exc:
        raise BackupError(f"the backup has no {name}: not a command-center backup") from exc
    if not member.isfile():
        raise BackupError(f"the backup's {name} is not a file")
    return tar.extractfile(member)


def _check_fits(manifest: Manifest, url: URL, pdp_check: str | None) -> None:
    dialect = url.get_backend_name()
    if manifest.dialect != dialect:
        raise BackupError(f"a {manifest.dialect} backup restores into {manifest.dialect}, "
                          f"not {dialect}")  # fmt: skip
    if dialect != "sqlite" and manifest.schema != _schema(url):
        raise BackupError(
            f"the backup is of schema {manifest.schema}; restore it into a database whose "
            f"search path is {manifest.schema} (this one's is {_schema(url)})"
        )
    if revision_order(manifest.revision) is None:
        raise BackupError(
            f"the backup is at schema revision {manifest.revision}, newer than this code "
            "knows: restore it with the release that made it (or a newer one)"
        )
    if manifest.pdp_check and manifest.pdp_check != pdp_check:
        configured = f"the configured key's is {pdp_check}" if pdp_check else "none is set"
        raise BackupError(
            f"the backup's personal data is sealed with the key of check value "
            f"{manifest.pdp_check} and {configured}: set CC_PDP_KEY to that key"
        )


def _in_use(engine: Engine) -> list[str]:
    """The tables with rows beyond what a fresh install holds."""
    with engine.connect() as conn:
        counts = _facts(conn, None)["counts"]
    return [name for name, count in counts.items() if count and name not in REFERENCE]


def _versions(engine: Engine) -> dict[str, int]:
    """The data versions of the store about to be replaced ({} for an empty one)."""
    return versions.read(engine) if inspect(engine).has_table("data_versions") else {}


def _load_sqlite(payload: Path, target: Path) -> None:
    """The copy into the store's file through SQLite (open connections see it whole)."""
    source = sqlite3.connect(payload)
    store = sqlite3.connect(target, timeout=30)
    try:
        source.backup(store)
        store.execute("PRAGMA journal_mode=WAL")
    finally:
        source.close()
        store.close()


def _load_postgres(payload: Path, url: URL) -> None:
    schema = _schema(url)
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        with engine.begin() as conn:  # pg_restore makes it again, as it was
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()
    _pg_tool(url, "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
             "--single-transaction", payload)  # fmt: skip


# Helpers


def _schema(url: URL) -> str:
    """The PostgreSQL schema the store lives in: the search path's, else `public`."""
    options = str(url.query.get("options", ""))
    for part in options.split():
        if part.startswith("-csearch_path="):
            return part.removeprefix("-csearch_path=").split(",")[0]
    return "public"


def _pg_tool(url: URL, tool: str, *args: Any) -> None:
    """Run pg_dump or pg_restore against `url` (its password in the environment, not argv)."""
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} not found: install the PostgreSQL client tools")
    conninfo = url.set(drivername="postgresql", password=None, query={})
    argv = [tool, "-d", conninfo.render_as_string(hide_password=False), *map(str, args)]
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        raise BackupError(f"{tool} failed: {done.stderr.strip()[-500:]}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime = len(data), int(time.time())
    with tempfile.SpooledTemporaryFile() as buffer:
        buffer.write(data)
        buffer.seek(0)
        tar.addfile(info, buffer)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def _work(folder: Path) -> Iterator[Path]:
    """A temporary folder beside the backups (same file system: the rename is atomic)."""
    with tempfile.TemporaryDirectory(dir=folder, prefix=".cc-backup-") as work:
        yield Path(work)


def _remove_stale_work(folder: Path) -> None:
    """Folders of backups killed half way (older than a day: one may still be running)."""
    limit = time.time() - STALE_WORK_H * 3600
    for work in folder.glob(".cc-backup-*"):
        if work.is_dir() and work.stat().st_mtime < limit:
            shutil.rmtree(work, ignore_errors=True)


# On a schedule (in the worker)


def newest(folder: Path) -> datetime | None:
    """When the newest backup in `folder` was taken (None: none there)."""
    stamps = [taken_at(p.name) for p in folder.glob("cc-backup-*")] if folder.is_dir() else []
    return max(filter(None, stamps), default=None)


def prune(folder: Path, keep: Retention) -> list[str]:
    """Delete the backups `keep` does not keep; returns their names."""
    names = to_prune((p.name for p in folder.glob("cc-backup-*")), keep)
    for name in names:
        (folder / name).unlink(missing_ok=True)
    return names


def run_schedule(
    database_url: str,
    folder: Path,
    sealing: Sealing,
    every_h: float,
    keep: Retention,
    stop: threading.Event,
    say: Any = print,
) -> None:
    """Take a backup whenever the newest is `every_h` old, prune, until `stop` is set; a
    failed backup is said and tried again at the next check."""
    while not stop.is_set():
        last = newest(folder)
        if last is None or utcnow() - last >= timedelta(hours=every_h):
            try:
                path, manifest = take(database_url, folder, sealing)
                pruned = prune(folder, keep)
                say(f"backup: {path.name} ({sum(manifest.counts.values())} rows), "
                    f"{len(pruned)} older removed")  # fmt: skip
            except (OSError, sqlite3.Error, SQLAlchemyError, CommandCenterError) as exc:
                say(f"backup failed: {exc}")
        stop.wait(min(600.0, every_h * 3600 / 4))
