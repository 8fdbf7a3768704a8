"""Only one ingest worker polls, and one alert sender sends, per store; a standby takes over
when it dies (even kill -9)."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from command_center.base.db import make_engine, migrate
from command_center.workers.worker_lock import try_lock
from tests.conftest import Worker

FEEDS = ("AUTOGEMPA", "GEMPATERKINI", "GEMPADIRASAKAN", "NOWCAST_RSS", "USGS", "FORECAST")


def test_a_second_worker_does_not_get_the_lock_until_the_first_lets_go(engine, database_url):
    other = make_engine(database_url)
    with try_lock(engine) as first:
        assert first
        with try_lock(other) as second:
            assert not second
    with try_lock(other) as again:
        assert again
    other.dispose()


def test_a_standby_worker_takes_over_after_kill_9(database_url, ingest_worker) -> None:
    migrate(make_engine(database_url))
    env = {
        "DATABASE_URL": database_url,
        "CC_SHARED_DATA_DIR": "/nonexistent",  # no boundaries needed to poll
        **{f"CC_FEED_{name}_URL": "http://127.0.0.1:9/x" for name in FEEDS},
    }
    first = ingest_worker(env, "first")
    assert first.wait_for("polling"), first.log.read_text()
    second = ingest_worker(env, "second")
    assert second.wait_for("waiting as a standby"), second.log.read_text()
    assert "polling" not in second.log.read_text()
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait(10)
    assert second.wait_for("this one polls now"), second.log.read_text()
    assert second.wait_for("polling "), second.log.read_text()  # its next line, a moment later


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a process that ended and waits to be reaped does not)."""
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


@pytest.mark.parametrize("how", ["in a terminal", "in the background by a script"])
def test_the_dashboard_starts_a_sender_that_ends_with_it_and_a_worker_stands_by(
    database_url, ingest_worker, tmp_path, how
) -> None:
    migrate(make_engine(database_url))
    env = {
        "DATABASE_URL": database_url,
        "CC_SHARED_DATA_DIR": "/nonexistent",
        **{f"CC_FEED_{name}_URL": "http://127.0.0.1:9/x" for name in FEEDS},
    }
    log = tmp_path / "dashboard.log"
    # what `command-center run` does before it becomes Streamlit: start the sender
    # a script's background job (`command-center run &`) starts with Ctrl+C ignored
    ignore = "trap '' INT; " if how.startswith("in the background") else ""
    script = (
        "from command_center.cli import start_sender; import time;"
        "print('sender', start_sender().pid, flush=True); time.sleep(600)"
    )
    dashboard = subprocess.Popen(
        ["bash", "-c", f'{ignore}exec "$0" -u -c "$1"', sys.executable, script],
        env={**os.environ, **env},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    sender = None
    try:
        started = Worker(dashboard, log)
        assert started.wait_for("sending alerts"), log.read_text()
        sender = int(log.read_text().split("sender ", 1)[1].split()[0])
        worker = ingest_worker(env, "worker")
        assert worker.wait_for("polling"), worker.log.read_text()  # it polls, and
        assert worker.wait_for("another alert sender holds the lock: waiting as a standby")
        os.kill(dashboard.pid, signal.SIGKILL)  # the dashboard ends: its sender with it
        dashboard.wait(10)
        assert worker.wait_for("the other alert sender stopped: this one sends now")
        assert not _alive(sender)
    finally:
        dashboard.kill()
        if sender is not None and _alive(sender):  # a failed test leaves no sender holding the lock
            os.kill(sender, signal.SIGKILL)
