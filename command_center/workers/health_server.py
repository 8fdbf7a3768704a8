"""The ingest worker's HTTP health endpoint, for monitoring and the load balancer.

`GET /health` answers JSON with every feed's freshness (see `services.health`): HTTP 200 when
every feed is fresh, 503 when one is stale, failing or never polled, or the store is down.
`GET /live` answers 200 while the process runs (use this one for restarts: a BMKG outage must
not restart the worker). `GET /metrics` answers Prometheus metrics (see `workers/metrics.py`).
`GET /sitrep?id=..&kind=..&until=..&sig=..` answers one issued sitrep's PDF or image to the
holder of its signed, unexpired link (`services.alerts.sitrep_link`, sent to webhooks and
WhatsApp gateways), 403 to anyone else. The standard library's server: four routes do not
need a web framework.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from command_center.base.times import utcnow
from command_center.services.alerts import MIME_TYPES, link_holds, sitrep_attachment
from command_center.services.health import health_report
from command_center.stores import hazards as hazard_store
from command_center.stores import sitreps as sitrep_store
from command_center.stores.system import NO_CHECKS, Checks
from command_center.workers import metrics


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
        link_secret: str | None = None,
    ) -> None:
        super().__init__(address, _Handler)
        self.engine, self.link_secret = engine, link_secret
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

    def sitrep_file(self, query: str) -> tuple[int, bytes, str, str]:
        """The file a download link names, if its signature holds and it has not expired:
        (status, bytes, content type, file name)."""
        fields = {k: v[0] for k, v in parse_qs(query).items()}
        try:
            sitrep_id, kind, until = int(fields["id"]), fields["kind"], int(fields["until"])
            signed = self.link_secret is not None and kind in MIME_TYPES
            valid = signed and link_holds(
                self.link_secret or "", sitrep_id, kind, until, fields["sig"], utcnow()
            )
        except (KeyError, ValueError):
            valid = False
        if not valid:
            return 403, b"link invalid or expired", "text/plain", ""
        files = sitrep_store.files_of(self.engine, sitrep_id)
        if files is None:
            return 404, b"no such file", "text/plain", ""
        file = sitrep_attachment(files.number, kind, getattr(files, kind))
        return 200, file.content, file.mime, file.name


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
        elif path == "/sitrep":
            code, data, content_type, name = self.server.sitrep_file(urlsplit(self.path).query)
            disposition = f'attachment; filename="{name}"' if name else None
            self._send_bytes(code, data, content_type, disposition)
        else:
            self._send(404, {"error": "not found: try /health, /live or /metrics"})

    def _send(self, code: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self._send_bytes(code, data, "application/json; charset=utf-8")

    def _send_bytes(
        self, code: int, data: bytes, content_type: str, disposition: str | None = None
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        if disposition:
            self.send_header("Content-Disposition", disposition)
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
    link_secret: str | None = None,
) -> HealthServer:
    """Serve `/health`, `/live`, `/metrics` and `/sitrep` on `address` from a daemon thread;
    returns the server. `expected` feeds are listed (as never polled) before their first poll;
    `checks` give the figures kept outside the store (backups, the audit chain); `link_secret`
    checks sitrep download links (None: every link is refused)."""
    server = HealthServer(address, engine, stale_after_min, polling, expected, checks, link_secret)
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    return server
