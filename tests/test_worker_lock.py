"""Only one ingest worker polls per store; a standby takes over when it dies (even kill -9)."""

import os
import signal

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
