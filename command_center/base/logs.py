"""Where log records go: one handler on stderr for the worker, the alert sender, the CLI and
the app, as text lines or (`CC_LOG_FORMAT=json`) one JSON object per line."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HANDLER = "command_center"


class JsonFormatter(logging.Formatter):
    """A record as one JSON line: time (UTC, ISO 8601), level, logger, message, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure(log_format: str) -> None:
    """Send log records to stderr in `log_format` (`text` or `json`): ours from INFO, the
    libraries' from WARNING. Calling it again replaces our handler, never adds a second."""
    handler = logging.StreamHandler()
    handler.set_name(HANDLER)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER]:
        root.removeHandler(old)  # others' handlers (a test runner's) stay
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("command_center").setLevel(logging.INFO)
    # a feed's failed fetch is logged once, in the store (`fetch_log`), not per retry
    logging.getLogger("urllib3").setLevel(logging.ERROR)
