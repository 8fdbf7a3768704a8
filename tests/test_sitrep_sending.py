"""An issued sitrep sent out with its file (`sitrep_issued`): the PDF as a Telegram document
and as an e-mail attachment, through the real sender against the local stand-ins the alerts
tests use, to the users whose scope holds the incident only."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import pytest
import urllib3
from werkzeug import Request, Response

from command_center.base.auth import SYSTEM
from command_center.base.errors import InvalidInput
from command_center.base.times import utcnow
from command_center.services.alerts import SITREP_LINK_H, sitrep_link
from command_center.stores import alerts as alert_store
from command_center.stores import sitreps as sitrep_store
from command_center.workers import health_server
from tests import test_alert_channels as stand_ins
from tests.alerts import flood, person
from tests.test_alert_sender import SECRET, TOKEN, _drain, _sender

certificate, smtp_server = stand_ins.certificate, stand_ins.smtp_server  # the SMTP stand-in


def _issue(engine) -> tuple[int, bytes]:
    """A flood in Kab. Bandung with its first sitrep issued: (incident id, the stored PDF)."""
    incident_id = flood(engine)
    facts = sitrep_store.gather(engine, incident_id)
    number = sitrep_store.issue(engine, facts, incident_id, SYSTEM)
    return incident_id, sitrep_store.files(engine, incident_id, number).pdf


def test_telegram_gets_the_stored_file_each_user_chose_inside_the_scope_only(
    area_engine, database_url, httpserver
) -> None:
    received: list[tuple[str, dict, dict]] = []

    def bot(request: Request) -> Response:
        method = request.path.rsplit("/", 1)[-1]
        if method == "getUpdates":
            return Response(json.dumps({"ok": True, "result": []}))
        files = {name: (f.filename, f.read()) for name, f in request.files.items()}
        fields = dict(request.form) if files else request.get_json()
        received.append((method, fields, files))
        return Response(json.dumps({"ok": True, "result": {"message_id": 1}}))

    for method in ("getUpdates", "sendMessage", "sendDocument", "sendPhoto"):
        httpserver.expect_request(f"/bot{TOKEN}/{method}").respond_with_handler(bot)
    for name, chat, choice in (
        ("pdf", "4242", "pdf"),
        ("png", "4343", "png"),
        ("txt", "4444", "text"),
    ):
        person(area_engine, f"kabid_{name}", "viewer", "32.04", telegram=chat)
        entry = alert_store.SubscriptionInput(sitrep_format=choice)
        alert_store.save_subscription(area_engine, SYSTEM, f"kabid_{name}", entry)
    person(area_engine, "kabid_garut", "viewer", "32.05", telegram="5151")
    incident_id, pdf = _issue(area_engine)
    png = sitrep_store.files(area_engine, incident_id).png
    sender = _sender(
        database_url,
        area_engine,
        telegram_bot_token=TOKEN,
        telegram_api_url=httpserver.url_for("/"),
    )
    _drain(sender)
    files = [(method, fields["chat_id"], files) for method, fields, files in received if files]
    assert sorted(files) == [
        ("sendDocument", "4242", {"document": ("laporan-situasi-no-1.pdf", pdf)}),  # stored
        ("sendPhoto", "4343", {"photo": ("laporan-situasi-no-1.png", png)}),
    ]
    (document,) = (fields for method, fields, _ in received if method == "sendDocument")
    assert document["parse_mode"] == "HTML"
    assert "Laporan Situasi: Banjir Dayeuhkolot" in document["caption"]
    texts = [f["chat_id"] for m, f, _ in received if m == "sendMessage" and "Situasi" in f["text"]]
    assert texts == ["4444"]  # text only, as chosen
    chats = {fields["chat_id"] for _, fields, _ in received}
    assert "5151" not in chats  # Garut's Kabid hears nothing of Bandung's flood


def test_an_email_carries_the_stored_pdf_as_an_attachment(
    area_engine, database_url, smtp_server
) -> None:
    box, port, ca = smtp_server
    person(area_engine, "kabid_bandung", "viewer", "32.04", email="kabid@dinsos.example")
    _, pdf = _issue(area_engine)
    sender = _sender(
        database_url,
        area_engine,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_username="pusdalops",
        smtp_password="rahasia",
        smtp_ca_file=ca,
        smtp_sender="pusdalops@kemensos.example",
    )
    _drain(sender)
    (mail,) = (m for m in box.messages if "Laporan Situasi" in m["Subject"])
    (attached,) = mail.iter_attachments()
    assert attached.get_filename() == "laporan-situasi-no-1.pdf"
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_content() == pdf
    assert "Laporan Situasi: Banjir Dayeuhkolot" in mail.get_body(("plain",)).get_content()


def test_a_subscription_chooses_pdf_image_or_text_and_nothing_else(area_engine) -> None:
    person(area_engine, "kabid_bandung", "viewer", "32.04")
    assert alert_store.subscription(area_engine, "kabid_bandung").sitrep_format == "pdf"
    with pytest.raises(InvalidInput) as bad:
        entry = alert_store.SubscriptionInput(sitrep_format="docx")
        alert_store.save_subscription(area_engine, SYSTEM, "kabid_bandung", entry)
    assert [(e.field, e.code) for e in bad.value.errors] == [("sitrep_format", "bad_choice")]
    entry = alert_store.SubscriptionInput(sitrep_format="png")
    alert_store.save_subscription(area_engine, SYSTEM, "kabid_bandung", entry)
    assert alert_store.subscription(area_engine, "kabid_bandung").sitrep_format == "png"


def _get(url: str) -> tuple[int, bytes, str]:
    response = urllib3.request("GET", url, retries=False, timeout=10)
    return response.status, response.data, response.headers.get("Content-Type", "")


def test_a_webhook_gets_a_signed_link_that_downloads_the_pdf_until_it_expires(
    area_engine, database_url, httpserver
) -> None:
    server = health_server.start(
        area_engine, ("127.0.0.1", 0), 15, threading.Event(), link_secret=SECRET
    )
    base = f"http://127.0.0.1:{server.server_port}"
    received = []

    def receive(request: Request) -> Response:
        received.append(json.loads(request.get_data()))
        return Response("ok")

    httpserver.expect_request("/hook").respond_with_handler(receive)
    person(area_engine, "bpbd_bandung", "viewer", "32.04", webhook=httpserver.url_for("/hook"))
    _, pdf = _issue(area_engine)
    try:
        _drain(_sender(database_url, area_engine, sitrep_link_url=base))
        (sent,) = (r for r in received if r["rule"] == "sitrep_issued")
        link = sent["download"]
        assert link.startswith(f"{base}/sitrep?")
        assert _get(link) == (200, pdf, "application/pdf")  # the stored PDF
        query = dict(parse_qsl(urlsplit(link).query))
        for changed in ({"sig": "0" * 64}, {"id": str(int(query["id"]) + 1)}, {"kind": "png"}):
            assert _get(f"{base}/sitrep?{urlencode({**query, **changed})}")[0] == 403
        signed_long_ago = sitrep_link(
            base, SECRET, int(query["id"]), "pdf", utcnow() - timedelta(hours=SITREP_LINK_H + 1)
        )
        assert _get(signed_long_ago)[0] == 403  # expired
        other_secret = sitrep_link(base, "another-secret", int(query["id"]), "pdf", utcnow())
        assert _get(other_secret)[0] == 403
    finally:
        server.shutdown()


def test_a_whatsapp_gateway_gets_the_signed_link_in_its_text(
    area_engine, database_url, httpserver
) -> None:
    httpserver.expect_request("/send", method="POST").respond_with_json({"status": True})
    person(area_engine, "kabid_bandung", "viewer", "32.04", whatsapp="0812-3456-7890")
    _issue(area_engine)
    sender = _sender(
        database_url,
        area_engine,
        whatsapp_mode="gateway",
        whatsapp_url=httpserver.url_for("/send"),
        whatsapp_token="wa-token",
        sitrep_link_url="https://pusdalops.example/berkas",
    )
    _drain(sender)
    texts = [parse_qs(r.get_data(as_text=True))["message"][0] for r, _ in httpserver.log]
    (sitrep,) = (text for text in texts if "Laporan Situasi" in text)
    assert "\nUnduh: https://pusdalops.example/berkas/sitrep?id=" in sitrep
    assert "kind=pdf" in sitrep and "&sig=" in sitrep


def test_the_whatsapp_cloud_api_gets_the_stored_pdf_as_a_template_document(
    area_engine, database_url, httpserver
) -> None:
    uploads = []

    def media(request: Request) -> Response:
        uploads.append(
            (dict(request.form), request.files["file"].filename, request.files["file"].read())
        )
        return Response(json.dumps({"id": "media-9"}), content_type="application/json")

    httpserver.expect_request("/v21.0/1055/media", method="POST").respond_with_handler(media)
    httpserver.expect_request("/v21.0/1055/messages", method="POST").respond_with_json(
        {"messages": [{"id": "wamid.1"}]}
    )
    person(area_engine, "kabid_bandung", "viewer", "32.04", whatsapp="0812-3456-7890")
    _, pdf = _issue(area_engine)
    sender = _sender(
        database_url,
        area_engine,
        whatsapp_mode="cloud",
        whatsapp_url=httpserver.url_for("/v21.0"),
        whatsapp_phone_id="1055",
        whatsapp_token="wa-token",
    )
    _drain(sender)
    (upload,) = uploads
    assert upload == (
        {"messaging_product": "whatsapp", "type": "application/pdf"},
        "laporan-situasi-no-1.pdf",
        pdf,  # the stored bytes
    )
    sent = [r.get_json() for r, _ in httpserver.log if r.path.endswith("/messages")]
    (sitrep,) = (s for s in sent if s["template"]["name"] == "laporan_situasi")
    header, body = sitrep["template"]["components"]
    assert header == {
        "type": "header",
        "parameters": [
            {
                "type": "document",
                "document": {"id": "media-9", "filename": "laporan-situasi-no-1.pdf"},
            }
        ],
    }
    assert "Laporan Situasi: Banjir Dayeuhkolot" in body["parameters"][0]["text"]
