"""One ingest worker, and one alert sender, at a time per store, however many are started
(`command-center run` starts a sender beside every dashboard; the ingest worker sends too
while no other sender runs).

PostgreSQL: a session advisory lock, held on one connection for the worker's life; the server
releases it when that connection ends, even after `kill -9`, so a waiting worker takes over. A
server restart ends it too: the holder notices (`mine`) before its next piece of work, and
either takes it again or, when a standby was quicker, stands by itself.
SQLite (one machine): an exclusive `flock` on a file beside the database, released by the
kernel when the process dies.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

LOCKS = {  # the advisory lock ids: "CC_IW" the ingest worker, "CC_AS" the alert sender
    "worker": 0x43435F4957,
    "sender": 0x43435F4153,
}
WHO = {"worker": ("ingest worker", "polls"), "sender": ("alert sender", "sends")}


class _Advisory:
    """A PostgreSQL session advisory lock, held on one connection of its own."""

    def __init__(self, engine: Engine, key: int) -> None:
        self.engine, self.key = engine, key
        self.conn: Connection | None = None

    def take(self) -> bool:
        conn = self.engine.connect()
        try:
            held = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}))
            conn.commit()
        except BaseException:
            conn.close()
            raise
        if held:
            self.conn = conn
        else:
            conn.close()
        return held

    def mine(self) -> bool:
        """Whether this process still holds the lock. A server restart ends every session and
        with it the lock: then this process takes it again unless a standby took it first.
        Raises OperationalError while the server is away."""
        if self.conn is not None:
            try:
                self.conn.execute(text("SELECT 1"))
                self.conn.commit()
                return True
            except DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
                self.conn.close()
                self.conn = None
        return self.take()

    def release(self) -> None:
        if self.conn is None:
            return
        with self.conn:
            try:
                self.conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
                self.conn.commit()
            except DBAPIError as exc:  # the session is gone, and the lock with it
                if not exc.connection_invalidated:
                    raise
        self.conn = None


class _Flock:
    """An exclusive `flock` on a file beside the SQLite database."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.path = Path(engine.url.database or "memory").with_suffix(f".{name}.lock")
        self.handle: IO[str] | None = None

    def take(self) -> bool:
        handle = open(self.path, "a")  # held open while the lock is
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self.handle = handle
        return True

    def mine(self) -> bool:
        return self.handle is not None  # the kernel keeps it while this process lives

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def _lock(engine: Engine, name: str) -> _Advisory | _Flock:
    if engine.dialect.name == "postgresql":
        return _Advisory(engine, LOCKS[name])
    return _Flock(engine, name)


@contextmanager
def try_lock(engine: Engine, name: str = "worker") -> Iterator[bool]:
    """Yields whether this process is now the one `name` ("worker" or "sender")."""
    lock = _lock(engine, name)
    held = lock.take()
    try:
        yield held
    finally:
        lock.release()


def serve(
    engine: Engine,
    work: Callable[[Callable[[], bool]], None],
    say: Callable[[str], None] = print,
    name: str = "worker",
    wait_s: float = 5.0,
) -> None:
    """Run `work(mine)` while this process holds the lock `name`, waiting (as a standby) while
    another process has it or the store is away. `work` asks `mine()` before each piece of
    work and returns when it says False: a standby took the lock while the store restarted,
    and this one stands by in its turn."""
    waiting = False
    while True:
        lock = _lock(engine, name)
        try:
            if _took(lock):
                if waiting:
                    say(f"the other {WHO[name][0]} stopped: this one {WHO[name][1]} now")
                if _worked(lock, work):
                    return
                say(f"another {WHO[name][0]} took the lock while the store was away")
                waiting = False
        finally:
            lock.release()
        if not waiting:
            say(f"another {WHO[name][0]} holds the lock: waiting as a standby")
            waiting = True
        time.sleep(wait_s)


def _took(lock: _Advisory | _Flock) -> bool:
    try:
        return lock.take()
    except OperationalError:  # the store is away: a standby (or a starting one) waits for it
        return False


def _worked(lock: _Advisory | _Flock, work: Callable[[Callable[[], bool]], None]) -> bool:
    """Run `work` on the lock held; False when it stopped because the lock was lost."""
    lost = False

    def mine() -> bool:
        nonlocal lost
        lost = not lock.mine()
        return not lost

    work(mine)
    return not lost
