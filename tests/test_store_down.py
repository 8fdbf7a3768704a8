"""The store going away: pages say so and retry instead of a traceback; a worker that lost its
PostgreSQL lock with the connection takes it again, or stands by when a standby was quicker.
The PostgreSQL server itself is restarted in `test_pg_restart.py`."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from command_center.base.db import make_engine
from command_center.base.settings import PROJECT_ROOT
from command_center.workers.worker_lock import LOCKS, serve
from tests.conftest import free_port


def test_a_page_says_the_database_is_away_and_retries_instead_of_a_traceback(
    app_env, monkeypatch
) -> None:
    # a PostgreSQL address where nothing listens: every connection is refused
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://cc:cc@127.0.0.1:{free_port()}/cc")
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.message for e in at.exception]
    (warning,) = at.warning
    assert warning.value.startswith("Basis data tidak dapat dihubungi, mencoba lagi…")
    assert "WIB" in warning.value  # the time of the last attempt


def _wait(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _end_sessions(engine: Engine, application: str) -> None:
    """What a server restart does to one process: end its sessions (only that one's)."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :a"
            ),
            {"a": application},
        )


def _try_lock(conn) -> bool:
    held = conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCKS["worker"]})
    conn.commit()
    return bool(held)


def test_a_worker_whose_lock_went_with_the_store_takes_it_again_or_stands_by(
    database_url, engine
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL advisory lock (SQLite's flock lives with the process)")
    application = f"cc_test_{uuid.uuid4().hex[:8]}"
    named = make_url(database_url).update_query_dict({"application_name": application})
    holder = make_engine(named.render_as_string(hide_password=False))
    rounds: list[float] = []
    said: list[str] = []
    go, stop = threading.Event(), threading.Event()
    go.set()

    def work(mine: Callable[[], bool]) -> None:
        while not stop.is_set():
            go.wait()
            if not mine():
                return
            rounds.append(time.monotonic())
            time.sleep(0.02)

    worker = threading.Thread(
        target=serve, args=(holder, work), kwargs={"say": said.append, "wait_s": 0.1}
    )
    worker.start()
    try:
        _wait(lambda: len(rounds) > 2)
        _end_sessions(engine, application)  # nobody else wants the lock: it takes it again
        before = len(rounds)
        _wait(lambda: len(rounds) > before + 3)
        with engine.connect() as standby:
            assert not _try_lock(standby)
            go.clear()  # the holder between two pieces of work
            time.sleep(0.1)
            _end_sessions(engine, application)
            _wait(lambda: _try_lock(standby))  # the standby is quicker this time
            stopped = len(rounds)
            go.set()
            _wait(lambda: any("took the lock" in line for line in said))
            time.sleep(0.3)
            assert len(rounds) == stopped  # the old holder does no more work
            assert said[-1].endswith("waiting as a standby")
            standby.execute(text("SELECT pg_advisory_unlock_all()"))  # the standby ends
        _wait(lambda: len(rounds) > stopped)
        assert said[-1].endswith("this one polls now")
    finally:
        stop.set()
        go.set()
        worker.join(10)
        holder.dispose()
