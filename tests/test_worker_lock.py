"""Only one ingest worker polls per store; a standby takes over when it dies (even kill -9)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from command_center.db import make_engine, migrate
from command_center.worker_lock import try_lock

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


def _worker(database_url: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CC_SHARED_DATA_DIR": "/nonexistent",  # no boundaries needed to poll
        **{f"CC_FEED_{name}_URL": "http://127.0.0.1:9/x" for name in FEEDS},
    }
    return subprocess.Popen(
        [sys.executable, "-u", "-m", "command_center.cli", "ingest"],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def _wait_for(log: Path, text: str, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in log.read_text():
            return True
        time.sleep(0.2)
    return False


def test_a_standby_worker_takes_over_after_kill_9(database_url, tmp_path) -> None:
    migrate(make_engine(database_url))
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = _worker(database_url, first_log)
    try:
        assert _wait_for(first_log, "polling"), first_log.read_text()
        second = _worker(database_url, second_log)
        try:
            assert _wait_for(second_log, "waiting as a standby"), second_log.read_text()
            assert "polling" not in second_log.read_text()
            os.kill(first.pid, signal.SIGKILL)
            first.wait(10)
            assert _wait_for(second_log, "this one polls now"), second_log.read_text()
            assert "polling" in second_log.read_text()
        finally:
            second.kill()
            second.wait(10)
    finally:
        first.kill()
        first.wait(10)
