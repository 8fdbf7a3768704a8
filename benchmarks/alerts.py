"""Drain 10,000 alert deliveries (20 alerts to 500 recipients) through the real sender to a
local webhook receiver, and report the latency from each alert's commit to its hand-off.

Run: `.venv/bin/python benchmarks/alerts.py` (SQLite in a temporary folder; set DATABASE_URL to
an empty PostgreSQL database to measure that instead). The receiver runs in its own process
(a threaded HTTP server that checks nothing and answers 204), so the figures are the sender's:
fan-out, claims, signed POSTs from its threads, marks. Two shapes, 3 runs each:
- burst: all 20 alerts committed at once (a big earthquake: proposals, warnings, phases);
- steady: one alert every 0.5 s (the same 20 over 10 s).
Prints medians of p50 / p95 / max latency and of the deliveries per second; target p95 <= 5 s.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from command_center import channels
from command_center.base.db import make_engine, migrate
from command_center.base.models import ChannelLink, User
from command_center.base.settings import load_settings
from command_center.base.times import utcnow
from command_center.channels import available
from command_center.stores import alerts as alert_store
from command_center.stores import outbox
from command_center.workers.alert_sender import Sender

ALERTS, RECIPIENTS, RUNS, STEADY_GAP_S = 20, 500, 3, 0.5


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def _serve(port: int) -> None:
    ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()


def _store(url: str):
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as conn:  # a fresh schema for each run
        for table in ("alert_deliveries", "alerts", "channel_links", "users"):
            conn.execute(text(f"DELETE FROM {table}"))
    return engine


def _recipients(engine, hook: str) -> None:
    with Session(engine) as session, session.begin():
        session.execute(
            insert(User),
            [
                {"username": f"u{n}", "display_name": f"U {n}", "role": "operator"}
                for n in range(RECIPIENTS)
            ],
        )
        ids = [row[0] for row in session.execute(text("SELECT id FROM users ORDER BY id"))]
        session.execute(
            insert(ChannelLink),
            [
                {"user_id": i, "channel": "webhook", "address": hook, "linked_at": utcnow()}
                for i in ids
            ],
        )


def _commit(engine, n: int) -> None:
    with Session(engine) as session, session.begin():
        outbox.write(
            session, "incident_opened", f"Gempa {n}", "Uji beban", "/incidents", ["32.03.01"]
        )


def run(url: str, hook: str, steady: bool) -> tuple[float, float, float, float]:
    engine = _store(url)
    _recipients(engine, hook)
    settings = load_settings(
        database_url=url,
        webhook_secret="bench",
        webhook_allowed_hosts=("127.0.0.1",),  # the receiver on this machine, as on a LAN
        alert_rates={"webhook": 1_000_000},
    )
    usable = available.channels(settings, channels.sending_session("bench"))
    sender = Sender(engine, settings, usable)
    stop = threading.Event()
    worker = threading.Thread(target=sender.run, args=(stop,))
    worker.start()
    started = time.monotonic()
    for n in range(ALERTS):
        if steady:
            time.sleep(STEADY_GAP_S)
            _commit(engine, n)
        else:
            _commit(engine, n)
    total = ALERTS * RECIPIENTS
    while alert_store.status_counts(engine).get("sent", 0) < total:
        time.sleep(0.1)
    elapsed = time.monotonic() - started
    stop.set()
    worker.join()
    seconds = alert_store.latencies(engine, utcnow().replace(year=2000))
    assert len(seconds) == total, len(seconds)
    engine.dispose()
    return (
        float(seconds.median()),
        float(seconds.quantile(0.95)),
        float(seconds.max()),
        total / elapsed,
    )


def main() -> None:
    port = 18000 + os.getpid() % 1000
    server = multiprocessing.Process(target=_serve, args=(port,), daemon=True)
    server.start()
    time.sleep(0.5)
    hook = f"http://127.0.0.1:{port}/hook"
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/{uuid.uuid4().hex}.db"
        print(f"store: {url.split('://')[0]} · {ALERTS} alerts x {RECIPIENTS} recipients")
        for shape, steady in (("burst", False), ("steady", True)):
            runs = [run(url, hook, steady) for _ in range(RUNS)]
            p50, p95, worst, rate = (statistics.median(r[i] for r in runs) for i in range(4))
            print(
                f"{shape:6}: latency p50 {p50:.2f} s · p95 {p95:.2f} s · max {worst:.2f} s · "
                f"{rate:,.0f} deliveries/s (median of {RUNS}; target p95 <= 5 s)"
            )
    server.terminate()


if __name__ == "__main__":
    main()
