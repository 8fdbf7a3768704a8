"""One ingest worker, and one alert sender, at a time per store, however many are started
(`command-center run` starts a sender beside every dashboard; the ingest worker sends too
while no other sender runs).

PostgreSQL: a session advisory lock, held on one connection for the worker's life; the server
releases it when that connection ends, even after `kill -9`, so a waiting worker takes over.
SQLite (one machine): an exclusive `flock` on a file beside the database, released by the
kernel when the process dies.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

LOCKS = {  # the advisory lock ids: "CC_IW" the ingest worker, "CC_AS" the alert sender
    "worker": 0x43435F4957,
    "sender": 0x43435F4153,
}
WHO = {"worker": ("ingest worker", "polls"), "sender": ("alert sender", "sends")}


@contextmanager
def _postgres(engine: Engine, name: str) -> Iterator[bool]:
    key = LOCKS[name]
    with engine.connect() as conn:
        held = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))
        conn.commit()
        try:
            yield held
        finally:
            if held:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.commit()


@contextmanager
def _sqlite(engine: Engine, name: str) -> Iterator[bool]:
    path = Path(engine.url.database or "memory").with_suffix(f".{name}.lock")
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def try_lock(engine: Engine, name: str = "worker"):
    """A context manager yielding whether this process is now the one `name` ("worker" or
    "sender")."""
    if engine.dialect.name == "postgresql":
        return _postgres(engine, name)
    return _sqlite(engine, name)


@contextmanager
def single_worker(
    engine: Engine, wait_s: float = 5.0, say=print, name: str = "worker"
) -> Iterator[None]:
    """Hold the lock `name` for the block, waiting (as a standby) while another process has it."""
    waiting = False
    while True:
        with try_lock(engine, name) as held:
            if held:
                if waiting:
                    say(f"the other {WHO[name][0]} stopped: this one {WHO[name][1]} now")
                yield
                return
        if not waiting:
            say(f"another {WHO[name][0]} holds the lock: waiting as a standby")
            waiting = True
        time.sleep(wait_s)
