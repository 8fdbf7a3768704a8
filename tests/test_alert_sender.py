"""The sender end to end against local servers: a change commits, its alert reaches the
receiver signed; 429 with Retry-After, 500s, timeouts and refusals; Telegram links and ACK
buttons; and a worker killed mid-batch that, restarted, leaves every alert delivered or dead."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from command_center import channels
from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine, migrate
from command_center.base.models import Alert, AlertDelivery, Base
from command_center.base.settings import load_settings
from command_center.channels import available
from command_center.services.alerts import verify
from command_center.stores import alerts as alert_store
from command_center.stores import outbox
from command_center.workers.alert_sender import Sender
from tests.alerts import DAYEUHKOLOT, LAN, flood, person
from tests.conftest import TSUNAMI_WARNING, free_port

SECRET, TOKEN = "webhook-secret", "123:ABC"


def _sender(database_url: str, engine, **settings) -> Sender:
    values = {
        "database_url": database_url,
        "webhook_secret": SECRET,
        "public_url": "https://pusdalops.example",
        "alert_backoff_s": 0.2,
        "alert_max_attempts": 3,
        "http_timeout_s": 2,
        "webhook_allowed_hosts": LAN,
        **settings,
    }
    config = load_settings(**values)
    usable = available.channels(config, channels.sending_session("tests"))
    return Sender(engine, config, usable)


def _deliveries(engine) -> list[AlertDelivery]:
    with Session(engine) as session:
        return list(session.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))


def _drain(sender: Sender, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not sender.step():
            pending = [d for d in _deliveries(sender.engine) if d.status in ("pending", "sending")]
            if not pending:
                return
            time.sleep(0.1)


def test_an_opened_incident_reaches_a_webhook_signed_with_a_deep_link(
    area_engine, database_url, httpserver
) -> None:
    received = []

    def receive(request: Request) -> Response:
        ok = verify(
            SECRET,
            request.headers["X-CC-Timestamp"],
            request.get_data(),
            request.headers["X-CC-Signature"],
        )
        received.append((ok, json.loads(request.get_data())))
        return Response(status=200)

    httpserver.expect_request("/hook").respond_with_handler(receive)
    person(area_engine, "bpbd", "viewer", "32.04", webhook=httpserver.url_for("/hook"))
    incident = flood(area_engine, "Banjir <Citarum>")
    _drain(_sender(database_url, area_engine))
    ((ok, payload),) = received
    assert ok and payload["title"] == "Kejadian dibuka: Banjir <Citarum>"
    assert payload["link"] == f"https://pusdalops.example/incidents?incident={incident}"
    (delivery,) = _deliveries(area_engine)
    assert delivery.status == "sent" and delivery.attempts == 1
    latency = alert_store.latencies(area_engine, delivery.created_at)
    assert len(latency) == 1 and 0 <= latency.iloc[0] < 30


def test_a_429_with_retry_after_pauses_the_channel_then_delivers(
    area_engine, database_url, httpserver
) -> None:
    answers = iter([Response("slow", status=429, headers={"Retry-After": "1"})])
    httpserver.expect_request("/hook").respond_with_handler(
        lambda request: next(answers, Response(status=200))
    )
    person(area_engine, "bpbd", "viewer", "32.04", webhook=httpserver.url_for("/hook"))
    flood(area_engine)
    sender = _sender(database_url, area_engine)
    sender.step()
    (waiting,) = _deliveries(area_engine)
    assert waiting.status == "pending" and "429" in waiting.last_error
    assert sender.deliver() == 0  # the channel waits as asked
    time.sleep(1.1)
    _drain(sender)
    (sent,) = _deliveries(area_engine)
    assert (sent.status, sent.attempts, len(httpserver.log)) == ("sent", 2, 2)


def test_500s_and_timeouts_retry_then_die_and_an_admin_retries(
    area_engine, database_url, httpserver
) -> None:
    broken = {"on": True}

    def receive(request: Request) -> Response:
        if request.path == "/slow":
            time.sleep(3)
        return Response(status=500 if broken["on"] else 200)

    httpserver.expect_request("/hook").respond_with_handler(receive)
    httpserver.expect_request("/slow").respond_with_handler(receive)
    person(area_engine, "bpbd", "viewer", "32.04", webhook=httpserver.url_for("/hook"))
    person(area_engine, "bpbd2", "viewer", "32.04", webhook=httpserver.url_for("/slow"))
    flood(area_engine)
    sender = _sender(database_url, area_engine)
    _drain(sender, 30)
    dead = _deliveries(area_engine)
    assert [(d.status, d.attempts) for d in dead] == [("dead", 3), ("dead", 3)]
    assert "HTTP 500" in dead[0].last_error and "timeout" in dead[1].last_error
    table = alert_store.deliveries(area_engine, ("dead",))
    assert len(table) == 2  # the admin's dead letters
    broken["on"] = False
    assert alert_store.retry_dead(area_engine, SYSTEM, [dead[0].id]) == 1
    _drain(sender)
    assert [d.status for d in _deliveries(area_engine)] == ["sent", "dead"]


def test_a_webhook_whose_name_now_resolves_to_a_refused_address_is_dead_and_gets_nothing(
    area_engine, database_url, httpserver, dns
) -> None:
    """DNS rebinding: each name passed when its URL was linked, and now leads to this machine
    or to the cloud's metadata service; nothing is sent, and it is not tried again."""
    httpserver.expect_request("/hook").respond_with_data("ok")
    dns["hook.bpbd.example"], dns["bpbd.lan"] = ["93.184.215.14"], ["10.1.2.3"]
    public, lan = (f"http://{h}:{httpserver.port}/hook" for h in ("hook.bpbd.example", "bpbd.lan"))
    person(area_engine, "bpbd", "viewer", "32.04", webhook=public)
    person(area_engine, "lan", "viewer", "32.04")
    alert_store.set_address(area_engine, SYSTEM, "lan", "webhook", lan, ("bpbd.lan",))
    dns["hook.bpbd.example"], dns["bpbd.lan"] = ["127.0.0.1"], ["169.254.169.254"]
    flood(area_engine)
    _drain(_sender(database_url, area_engine, webhook_allowed_hosts=(*LAN, "bpbd.lan")))
    dead = _deliveries(area_engine)
    assert [(d.status, d.attempts) for d in dead] == [("dead", 1), ("dead", 1)]
    assert "hook.bpbd.example (127.0.0.1): a loopback" in dead[0].last_error
    assert "bpbd.lan (169.254.169.254): a link-local" in dead[1].last_error
    assert httpserver.log == []


def test_a_refusal_s_body_leaves_no_trace_in_the_store(
    area_engine, database_url, httpserver
) -> None:
    secret = "kata-sandi-root-hunter2"
    page = f"<html><h1>Panel admin</h1>{secret}</html>"
    httpserver.expect_request("/hook").respond_with_data(page, status=403)
    httpserver.expect_request("/send").respond_with_data(page, status=401)
    httpserver.expect_request(f"/bot{TOKEN}/sendMessage").respond_with_json(
        {"ok": False, "error_code": 400, "description": secret}, status=400
    )
    httpserver.expect_request(f"/bot{TOKEN}/getUpdates").respond_with_json(
        {"ok": True, "result": []}
    )
    links = {"webhook": httpserver.url_for("/hook"), "telegram": "9", "whatsapp": "0812345678"}
    person(area_engine, "bpbd", "viewer", "32.04", **links)
    flood(area_engine)
    sender = _sender(
        database_url,
        area_engine,
        telegram_bot_token=TOKEN,
        telegram_api_url=httpserver.url_for("/"),
        whatsapp_mode="gateway",
        whatsapp_url=httpserver.url_for("/send"),
        whatsapp_token="wa-token",
    )
    _drain(sender)
    assert {(d.status, d.last_error) for d in _deliveries(area_engine)} == {
        ("dead", "webhook: refused (HTTP 403)"),
        ("dead", "whatsapp gateway: refused (HTTP 401)"),
        ("dead", "telegram: refused (HTTP 400)"),
    }
    with area_engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            assert secret not in repr(conn.execute(select(table)).all()), table.name


def test_an_smtp_server_that_is_down_is_tried_again(area_engine, database_url) -> None:
    person(area_engine, "bandung", email="bandung@dinsos.example")
    flood(area_engine)
    sender = _sender(database_url, area_engine, smtp_host="127.0.0.1", smtp_port=free_port())
    sender.step()
    (waiting,) = _deliveries(area_engine)  # nothing listens: tried again later
    assert waiting.status == "pending" and "e-mail" in waiting.last_error


def test_telegram_links_by_code_sends_a_button_and_takes_the_ack(
    area_engine, database_url, httpserver
) -> None:
    sent, answered = [], []
    updates: list[dict] = []

    def bot(request: Request) -> Response:
        method = request.path.rsplit("/", 1)[-1]
        body = request.get_json()
        if method == "getUpdates":
            result = [u for u in updates if u["update_id"] >= body["offset"]]
            return Response(json.dumps({"ok": True, "result": result}))
        (sent if method == "sendMessage" else answered).append(body)
        return Response(json.dumps({"ok": True, "result": {}}))

    httpserver.expect_request(f"/bot{TOKEN}/getUpdates").respond_with_handler(bot)
    httpserver.expect_request(f"/bot{TOKEN}/sendMessage").respond_with_handler(bot)
    httpserver.expect_request(f"/bot{TOKEN}/answerCallbackQuery").respond_with_handler(bot)
    person(area_engine, "koord", "coordinator", "32.04")
    code = alert_store.start_telegram(area_engine, SYSTEM, "koord")
    updates.append({"update_id": 5, "message": {"chat": {"id": 999}, "text": f"/start {code}"}})
    sender = _sender(
        database_url,
        area_engine,
        telegram_bot_token=TOKEN,
        telegram_api_url=httpserver.url_for("/"),
    )
    sender.telegram_updates()
    assert alert_store.links(area_engine, "koord") == {"telegram": "999"}
    assert "koord" in sent[-1]["text"]
    with Session(area_engine) as session, session.begin():
        outbox.write(
            session, "tsunami_warning", "Tsunami", "Pantai", "/hazards", [DAYEUHKOLOT], "tsunami"
        )
    sender.step()
    message = sent[-1]
    assert message["chat_id"] == "999" and "<b>[KRITIS] Tsunami</b>" in message["text"]
    data = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    updates.append(
        {
            "update_id": 6,
            "callback_query": {"id": "cb", "data": data, "message": {"chat": {"id": 999}}},
        }
    )
    sender._updated = 0  # read the bot's updates now
    sender.step()
    assert answered == [{"callback_query_id": "cb", "text": "Diterima oleh koord"}]
    with Session(area_engine) as session:
        alert = session.scalar(select(Alert).where(Alert.rule == "tsunami_warning"))
        assert alert.acked_by == "koord" and alert.acked_at is not None
    assert alert_store.sender_value(area_engine, alert_store.TELEGRAM_OFFSET) == "7"


class Receiver(BaseHTTPRequestHandler):
    """A slow webhook receiver counting each Idempotency-Key it is handed."""

    keys: Counter
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(0.02)
        with self.lock:
            self.keys[self.headers["Idempotency-Key"]] += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def receiver():
    Receiver.keys = Counter()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, Receiver.keys
    server.shutdown()


def _start(database_url: str, port: int, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CC_WEBHOOK_SECRET": SECRET,
        "CC_WEBHOOK_ALLOWED_HOSTS": ",".join(LAN),
        "CC_ALERT_RATES": '{"webhook": 1000}',
    }
    return subprocess.Popen(
        [sys.executable, "-u", "-m", "command_center.cli", "alerts", "send"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def test_a_worker_killed_mid_batch_and_restarted_delivers_each_alert_once_or_twice_at_most(
    area_engine, database_url, receiver, tmp_path
) -> None:
    server, keys = receiver
    url = f"http://127.0.0.1:{server.server_port}/hook"
    users = [person(area_engine, f"bpbd{n}", "viewer", "32.04", webhook=url) for n in range(60)]
    for n in range(10):
        flood(area_engine, f"Banjir {n}")
    log = (tmp_path / "sender.log").open("w")
    worker = _start(database_url, server.server_port, log)
    deadline = time.monotonic() + 60
    while sum(keys.values()) < 150 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)  # mid-batch: some handed over, not yet marked
    worker.wait(10)
    counted = None
    while counted != sum(keys.values()):  # the receiver still counts what was in flight
        counted = sum(keys.values())
        time.sleep(0.5)
    handed_before = set(keys)
    assert 0 < len(handed_before) < 600
    restarted = _start(database_url, server.server_port, log)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            states = Counter(d.status for d in _deliveries(area_engine))
            if states.get("sent", 0) + states.get("dead", 0) == 600:
                break
            time.sleep(0.2)
    finally:
        restarted.terminate()
        restarted.wait(10)
    deliveries = _deliveries(area_engine)
    assert len(deliveries) == 10 * len(users)
    assert all(d.status == "sent" for d in deliveries)  # none lost
    assert set(keys) == {d.key for d in deliveries}  # each handed over
    assert max(keys.values()) <= 2  # again at most once, after the crash
    again = [k for k, n in keys.items() if n == 2]
    assert set(again) <= handed_before  # only those in flight when it died
    assert "go out again" in (tmp_path / "sender.log").read_text()
    print(f"handed over before the kill: {len(handed_before)}; twice: {len(again)}")


def _warning_now(shared_data) -> bytes:
    """The recorded Mentawai tsunami warning (PD-1) as if the earthquake was a minute ago."""
    document = json.loads((shared_data / "bmkg" / TSUNAMI_WARNING).read_text())
    wib = datetime.now(UTC) + timedelta(hours=7) - timedelta(minutes=1)
    document["sent"] = f"{wib:%Y-%m-%dT%H:%M:%S}WIB"
    document["info"]["date"], document["info"]["time"] = f"{wib:%d-%m-%y}", f"{wib:%H:%M:%S} WIB"
    return json.dumps(document).encode()


def test_the_ingest_worker_tells_everyone_of_a_tsunami_warning_it_polls(
    database_url, recorded_feeds, httpserver, ingest_worker, shared_data, boundary_cache
) -> None:
    received = []

    def receive(request: Request) -> Response:
        stamp, body = request.headers["X-CC-Timestamp"], request.get_data()
        if verify(SECRET, stamp, body, request.headers["X-CC-Signature"]):
            received.append(json.loads(body))
        return Response(status=200)

    httpserver.expect_request("/hook").respond_with_handler(receive)
    httpserver.expect_request("/tsunami.json").respond_with_data(_warning_now(shared_data))
    engine = make_engine(database_url)
    migrate(engine)
    person(engine, "bandung", "operator", "32.04", webhook=httpserver.url_for("/hook"))
    env = {
        **recorded_feeds,
        "CC_FEED_INATEWS_URL": httpserver.url_for("/tsunami.json"),
        "DATABASE_URL": database_url,
        "CC_SHARED_DATA_DIR": str(shared_data),
        "CC_CACHE_DIR": str(boundary_cache),
        "CC_WEBHOOK_SECRET": SECRET,
        "CC_WEBHOOK_ALLOWED_HOSTS": ",".join(LAN),
        "CC_PUBLIC_URL": "https://pusdalops.example",
    }
    worker = ingest_worker(env, "worker")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not any(r["rule"] == "tsunami_warning" for r in received):
        time.sleep(0.5)
    tsunami = [r for r in received if r["rule"] == "tsunami_warning"]
    assert tsunami, worker.log.read_text()[-2000:]
    (alert,) = tsunami  # once, though the feed is polled again and again
    assert alert["severity"] == "critical" and "Nias Selatan" in alert["body"]
    # the incident it proposes lies outside this Kab. Bandung user's area: not for them
    assert not [r for r in received if r["rule"] == "incident_proposed"]
    assert alert["ack_link"].startswith("https://pusdalops.example/notifications?ack=")
    engine.dispose()


def test_a_telegram_429_pauses_for_its_retry_after_then_the_message_goes(
    area_engine, database_url, httpserver
) -> None:
    answers = iter(
        [
            Response(
                json.dumps({"ok": False, "error_code": 429, "parameters": {"retry_after": 1}}),
                status=429,
            )
        ]
    )
    httpserver.expect_request(f"/bot{TOKEN}/sendMessage").respond_with_handler(
        lambda request: next(answers, Response(json.dumps({"ok": True, "result": {}})))
    )
    httpserver.expect_request(f"/bot{TOKEN}/getUpdates").respond_with_json(
        {"ok": True, "result": []}
    )
    person(area_engine, "koord", "coordinator", "32.04", telegram="999")
    flood(area_engine)
    sender = _sender(
        database_url,
        area_engine,
        telegram_bot_token=TOKEN,
        telegram_api_url=httpserver.url_for("/"),
    )
    sender.step()
    (waiting,) = _deliveries(area_engine)
    assert waiting.status == "pending" and "429" in waiting.last_error
    paused = time.monotonic()
    _drain(sender)
    (sent,) = _deliveries(area_engine)
    assert sent.status == "sent" and sent.attempts == 2
    assert time.monotonic() - paused > 0.5  # it waited as Telegram asked
