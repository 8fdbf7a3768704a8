"""One ingest worker at a time per store, however many are started.

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

LOCK_KEY = 0x43435F4957  # "CC_IW": the advisory lock id of the ingest worker


@contextmanager
def _postgres(engine: Engine) -> Iterator[bool]:
    with engine.connect() as conn:
        held = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}))
        conn.commit()
        try:
            yield held
        finally:
            if held:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                conn.commit()


@contextmanager
def _sqlite(engine: Engine) -> Iterator[bool]:
    path = Path(engine.url.database or "memory").with_suffix(".worker.lock")
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


def try_lock(engine: Engine):
    """A context manager yielding whether this process is now the one worker."""
    return _postgres(engine) if engine.dialect.name == "postgresql" else _sqlite(engine)


@contextmanager
def single_worker(engine: Engine, wait_s: float = 5.0, say=print) -> Iterator[None]:
    """Hold the worker lock for the block, waiting (as a standby) while another worker has it."""
    waiting = False
    while True:
        with try_lock(engine) as held:
            if held:
                if waiting:
                    say("the other worker stopped: this one polls now")
                yield
                return
        if not waiting:
            say("another ingest worker holds the lock: waiting as a standby")
            waiting = True
        time.sleep(wait_s)
