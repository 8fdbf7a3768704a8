"""The ingest worker's HTTP health endpoint, for monitoring and the load balancer.

`GET /health` answers JSON with every feed's freshness (see `services.health`): HTTP 200 when
every feed is fresh, 503 when one is stale, failing or never polled, or the store is down.
`GET /live` answers 200 while the process runs (use this one for restarts: a BMKG outage must
not restart the worker). `GET /metrics` answers Prometheus metrics (see `metrics.py`). The
standard library's server: three routes do not need a web framework.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from command_center import hazard_store, metrics
from command_center.services.health import health_report
from command_center.system import NO_CHECKS, Checks
from command_center.times import utcnow


class HealthServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        engine: Engine,
        stale_after_min: float,
        polling: threading.Event,
        expected: tuple[str, ...],
        checks: Checks,
    ) -> None:
        super().__init__(address, _Handler)
        self.engine = engine
        self.stale_after_min = stale_after_min
        self.polling = polling
        self.expected = expected
        collector = metrics.StoreCollector(engine, stale_after_min, polling, expected, checks)
        self.metrics = metrics.registry(collector)

    def report(self) -> tuple[int, dict[str, Any]]:
        try:
            statuses = hazard_store.feed_statuses(self.engine).to_dict("records")
        except SQLAlchemyError as exc:
            return 503, {"status": "down", "error": f"store unreachable: {type(exc).__name__}"}
        answer = health_report(
            statuses, utcnow(), self.stale_after_min, self.polling.is_set(), self.expected
        )
        return (200 if answer["status"] == "ok" else 503), answer


class _Handler(BaseHTTPRequestHandler):
    server: HealthServer

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/health":
            self._send(*self.server.report())
        elif path == "/live":
            self._send(200, {"status": "alive", "polling": self.server.polling.is_set()})
        elif path == "/metrics":
            self._send_bytes(200, generate_latest(self.server.metrics), CONTENT_TYPE_LATEST)
        else:
            self._send(404, {"error": "not found: try /health, /live or /metrics"})

    def _send(self, code: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self._send_bytes(code, data, "application/json; charset=utf-8")

    def _send_bytes(self, code: int, data: bytes, content_type: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: probes every few seconds would drown the worker's own log."""


def start(
    engine: Engine,
    address: tuple[str, int],
    stale_after_min: float,
    polling: threading.Event,
    expected: tuple[str, ...] = (),
    checks: Checks = NO_CHECKS,
) -> HealthServer:
    """Serve `/health`, `/live` and `/metrics` on `address` from a daemon thread; returns the
    server. `expected` feeds are listed (as never polled) before their first poll; `checks`
    give the figures kept outside the store (backups, the audit chain)."""
    server = HealthServer(address, engine, stale_after_min, polling, expected, checks)
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    return server
