"""Logs: text lines by default, one JSON object per line with `CC_LOG_FORMAT=json`."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

from command_center.base.logs import JsonFormatter


def _send_once(database_url: str, log_format: str) -> list[str]:
    """The stderr lines of `command-center alerts send --once` (no channel set up, no areas)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CC_SHARED_DATA_DIR": "/nonexistent",
        "CC_LOG_FORMAT": log_format,
    }
    command = [sys.executable, "-m", "command_center.cli", "alerts", "send", "--once"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    return done.stderr.splitlines()


def test_the_cli_and_the_sender_log_one_json_object_per_line(database_url) -> None:
    lines = [json.loads(line) for line in _send_once(database_url, "json")]  # every line
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    said = {(line["level"], line["logger"], line["message"]) for line in lines}
    assert ("INFO", "command_center.cli", "alerts: email is off (set CC_SMTP_HOST)") in said
    assert all(line["time"].endswith("+00:00") for line in lines)


def test_text_logs_are_lines_with_time_level_and_logger(database_url) -> None:
    lines = _send_once(database_url, "text")
    assert any(
        line.endswith(" INFO command_center.cli: alerts: email is off (set CC_SMTP_HOST)")
        for line in lines
    ), lines


def test_an_exception_is_logged_with_its_traceback_in_the_same_object() -> None:
    try:
        {}["missing"]
    except KeyError:
        record = logging.LogRecord("cc", logging.ERROR, __file__, 1, "error %s", ("a1",), None)
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line  # one line, whatever the traceback
    logged = json.loads(line)
    assert logged["message"] == "error a1" and logged["level"] == "ERROR"
    assert (
        logged["exception"].startswith("Traceback")
        and "KeyError: 'missing'" in (logged["exception"])
    )
