"""This app process's own figures for the worker's `/metrics`: each rerun's time goes into a
process-wide histogram, and at most every `REPORT_EVERY_S` a rerun's end writes it, with the
open sessions, to the store (`process_store`). A rerun costs a clock read and a lock."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from streamlit.runtime import Runtime
from streamlit.runtime.stats import ACTIVE_SESSIONS_FAMILY

from command_center.base import resources
from command_center.base.times import utcnow
from command_center.services.reruns import RerunTimes
from command_center.stores import processes as process_store

REPORT_EVERY_S = 15.0
log = logging.getLogger(__name__)


class _Process:
    """This process's rerun times and when it last reported them."""

    def __init__(self) -> None:
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.reruns = RerunTimes()
        self._next_report = 0.0  # the first rerun reports: the process shows at once
        self._lock = threading.Lock()

    def due(self, moment: float) -> bool:
        """Whether this caller reports now (one caller per period, whatever the sessions)."""
        with self._lock:
            if moment < self._next_report:
                return False
            self._next_report = moment + REPORT_EVERY_S
            return True


@st.cache_resource
def _process() -> _Process:
    return _Process()


def open_sessions() -> int:
    """The browser sessions connected to this process (0 outside a Streamlit server)."""
    if not Runtime.exists():
        return 0
    stats = Runtime.instance().stats_mgr.get_stats([ACTIVE_SESSIONS_FAMILY])
    return int(sum(stat.value for stat in stats.get(ACTIVE_SESSIONS_FAMILY, ())))


def report(process: _Process) -> None:
    """Write this process's figures; a store that does not answer is tried again later."""
    try:
        process_store.report(
            resources.engine(), process.name, open_sessions(), process.reruns.snapshot(), utcnow()
        )
    except SQLAlchemyError as exc:
        log.warning("app figures not written, will retry: %s", exc)


def timed(run: Callable[[], None]) -> None:
    """Run one rerun of the app, counting its time (an interrupted rerun too)."""
    process = _process()
    start = time.perf_counter()
    try:
        run()
    finally:
        end = time.perf_counter()
        process.reruns.observe(end - start)
        if process.due(end):
            report(process)
