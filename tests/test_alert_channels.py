"""Each channel over its real protocol against a local server: the Telegram Bot API, the
WhatsApp Cloud API and a gateway, SMTP with STARTTLS and a login (aiosmtpd), and a webhook
receiver that checks the signature; with their refusals, rate limits and timeouts."""

from __future__ import annotations

import datetime as dt
import email
import ipaddress
import json
import ssl
import time
from email import policy
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import urllib3
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from command_center.base.settings import load_settings
from command_center.channels import SendFailed, sending_session, telegram, webhook, whatsapp
from command_center.channels import email as mail
from command_center.services.alerts import Message, verify
from tests.alerts import LAN
from tests.conftest import free_port

TOKEN, SECRET = "123:ABC", "webhook-secret"
CRITICAL = Message(
    "cc-7-3-telegram",
    "tsunami_warning",
    "critical",
    "Tsunami <WASPADA> & Co",
    "Pantai barat\nMentawai",
    "http://cc.example/hazards",
    "acktoken123",
    "http://cc.example/notifications?ack=acktoken123",
)


@pytest.fixture
def http():
    session = sending_session("tests")
    yield session
    session.clear()


def test_telegram_sends_escaped_html_with_an_ack_button(httpserver, http) -> None:
    httpserver.expect_request(f"/bot{TOKEN}/sendMessage", method="POST").respond_with_json(
        {"ok": True, "result": {"message_id": 1}}
    )
    bot = telegram.Telegram(http, httpserver.url_for("/"), TOKEN, 5)
    bot.send(CRITICAL, "4242")
    sent = httpserver.log[0][0].get_json()
    assert sent["chat_id"] == "4242" and sent["parse_mode"] == "HTML"
    assert "Tsunami &lt;WASPADA&gt; &amp; Co" in sent["text"] and "<WASPADA>" not in sent["text"]
    button = sent["reply_markup"]["inline_keyboard"][0][0]
    assert button == {"text": "Terima/ACK", "callback_data": "ack:acktoken123"}


def test_telegram_429_says_how_long_and_a_blocked_chat_is_final(httpserver, http) -> None:
    bot = telegram.Telegram(http, httpserver.url_for("/"), TOKEN, 5)
    httpserver.expect_oneshot_request(f"/bot{TOKEN}/sendMessage").respond_with_json(
        {"ok": False, "error_code": 429, "parameters": {"retry_after": 7}}, status=429
    )
    with pytest.raises(SendFailed) as limited:
        bot.send(CRITICAL, "4242")
    assert (limited.value.retry, limited.value.after_s) == (True, 7)
    httpserver.expect_oneshot_request(f"/bot{TOKEN}/sendMessage").respond_with_json(
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
        status=403,
    )
    with pytest.raises(SendFailed) as blocked:
        bot.send(CRITICAL, "4242")
    assert blocked.value.retry is False
    assert str(blocked.value) == "telegram: refused (HTTP 403)"  # our words, not its body


def test_telegram_updates_carry_codes_and_pressed_buttons(httpserver, http) -> None:
    httpserver.expect_request(f"/bot{TOKEN}/getUpdates").respond_with_json(
        {
            "ok": True,
            "result": [
                {"update_id": 10, "message": {"chat": {"id": 4242}, "text": "/start AB12CD34"}},
                {
                    "update_id": 11,
                    "callback_query": {
                        "id": "cb1",
                        "data": "ack:tok",
                        "from": {"username": "koord"},
                        "message": {"chat": {"id": 4242}},
                    },
                },
                {"update_id": "junk"},
            ],
        }
    )
    updates = telegram.Telegram(http, httpserver.url_for("/"), TOKEN, 5).updates(10)
    assert httpserver.log[0][0].get_json()["offset"] == 10
    assert [(u.update_id, u.chat_id, u.text, u.data) for u in updates] == [
        (10, "4242", "/start AB12CD34", ""),
        (11, "4242", "", "ack:tok"),
    ]


def _whatsapp(httpserver, mode: str):
    settings = load_settings(
        whatsapp_mode=mode,
        whatsapp_url=httpserver.url_for("/v21.0" if mode == "cloud" else "/send"),
        whatsapp_phone_id="1055",
        whatsapp_token="wa-token",
        http_timeout_s=5,
    )
    return whatsapp.make(settings, sending_session("tests"))


def test_whatsapp_cloud_api_sends_the_approved_template(httpserver) -> None:
    httpserver.expect_request("/v21.0/1055/messages", method="POST").respond_with_json(
        {"messages": [{"id": "wamid.1"}]}
    )
    _whatsapp(httpserver, "cloud").send(CRITICAL, "0812-3456-7890")
    request = httpserver.log[0][0]
    assert request.headers["Authorization"] == "Bearer wa-token"
    sent = request.get_json()
    assert (sent["to"], sent["type"], sent["template"]["name"]) == (
        "6281234567890",
        "template",
        "peringatan_bencana",
    )
    texts = [p["text"] for p in sent["template"]["components"][0]["parameters"]]
    assert texts == [
        "[KRITIS] Tsunami <WASPADA> & Co",
        "Pantai barat Mentawai",  # no newline inside a template parameter
        CRITICAL.ack_link,
    ]


def test_whatsapp_refusals_rate_limits_and_a_gateway(httpserver) -> None:
    cloud = _whatsapp(httpserver, "cloud")
    httpserver.expect_oneshot_request("/v21.0/1055/messages").respond_with_json(
        {"error": {"code": 132001, "message": "Template name does not exist"}}, status=400
    )
    with pytest.raises(SendFailed) as refused:
        cloud.send(CRITICAL, "081234567890")
    assert refused.value.retry is False
    assert str(refused.value) == "whatsapp: refused (HTTP 400)"  # our words, not its body
    httpserver.expect_oneshot_request("/v21.0/1055/messages").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "30"}
    )
    with pytest.raises(SendFailed) as limited:
        cloud.send(CRITICAL, "081234567890")
    assert (limited.value.retry, limited.value.after_s) == (True, 30)
    httpserver.expect_request("/send", method="POST").respond_with_json({"status": True})
    _whatsapp(httpserver, "gateway").send(CRITICAL, "+62 812 3456 7890")
    request = httpserver.log[-1][0]
    form = parse_qs(request.get_data(as_text=True))
    assert request.headers["Authorization"] == "wa-token"
    assert form["target"] == ["6281234567890"]
    assert form["message"][0].startswith("[KRITIS] Tsunami <WASPADA> & Co\nPantai barat")


def test_a_webhook_receiver_verifies_the_signature(httpserver, http) -> None:
    seen = []

    def receive(request: Request) -> Response:
        stamp, body = request.headers["X-CC-Timestamp"], request.get_data()
        ok = verify(SECRET, stamp, body, request.headers["X-CC-Signature"])
        seen.append((ok, request.headers["Idempotency-Key"], json.loads(body)))
        return Response(status=204 if ok else 401)

    httpserver.expect_request("/hook", method="POST").respond_with_handler(receive)
    webhook.Webhook(http, SECRET, 5, LAN).send(CRITICAL, httpserver.url_for("/hook"))
    ((ok, key, payload),) = seen
    assert ok and key == "cc-7-3-telegram"
    assert (payload["severity"], payload["title"], payload["ack_link"]) == (
        "critical",
        "Tsunami <WASPADA> & Co",
        CRITICAL.ack_link,
    )
    with pytest.raises(SendFailed) as wrong:  # a receiver with another secret refuses it
        webhook.Webhook(http, "another", 5, LAN).send(CRITICAL, httpserver.url_for("/hook"))
    assert wrong.value.retry is False and "401" in str(wrong.value)


def test_webhook_500s_and_timeouts_are_tried_again(httpserver, http) -> None:
    httpserver.expect_oneshot_request("/hook").respond_with_data("oops", status=503)
    with pytest.raises(SendFailed) as failed:
        webhook.Webhook(http, SECRET, 5, LAN).send(CRITICAL, httpserver.url_for("/hook"))
    assert failed.value.retry and "503" in str(failed.value)

    def slow(request: Request) -> Response:
        time.sleep(1.5)
        return Response(status=200)

    httpserver.expect_request("/slow").respond_with_handler(slow)
    with pytest.raises(SendFailed) as late:
        webhook.Webhook(http, SECRET, 0.5, LAN).send(CRITICAL, httpserver.url_for("/slow"))
    assert late.value.retry and "timeout" in str(late.value)
    with pytest.raises(SendFailed) as nobody:
        webhook.Webhook(http, SECRET, 2, LAN).send(CRITICAL, f"http://127.0.0.1:{free_port()}/x")
    assert nobody.value.retry and "connection failed" in str(nobody.value)


def test_a_webhook_redirect_is_not_followed(httpserver, http) -> None:
    inside = f"http://2130706433:{httpserver.port}/inside"  # this server, by a name not allowed
    httpserver.expect_request("/inside").respond_with_data("internal")
    for status in (302, 307):
        httpserver.expect_oneshot_request("/hook").respond_with_data(
            "", status=status, headers={"Location": inside}
        )
        with pytest.raises(SendFailed) as moved:
            webhook.Webhook(http, SECRET, 5, LAN).send(CRITICAL, httpserver.url_for("/hook"))
        assert moved.value.retry is False
        assert str(moved.value) == f"webhook: redirect not followed (HTTP {status})"
    assert "/inside" not in [request.path for request, _ in httpserver.log]


def test_a_webhook_goes_to_the_address_checked_with_tls_checked_against_the_host_name(
    tmp_path, certificate
) -> None:
    """The POST connects to the address the name resolved to when it was checked, yet sends
    the name in Host and SNI and checks the certificate against it: one for the name passes,
    one for the address alone does not."""
    named = _self_signed(tmp_path, x509.DNSName("localhost"))
    for (cert, key), trusted in ((named, True), (certificate, False)):
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(cert, key)
        server = HTTPServer("127.0.0.1", free_port(), ssl_context=tls)
        server.expect_request("/hook").respond_with_data("", status=204)
        server.start()
        try:
            url = f"https://localhost:{server.port}/hook"
            channel = webhook.Webhook(urllib3.PoolManager(ca_certs=str(cert)), SECRET, 5, LAN)
            if trusted:
                channel.send(CRITICAL, url)
                ((request, _),) = server.log
                assert request.headers["Host"] == f"localhost:{server.port}"
            else:
                with pytest.raises(SendFailed) as refused:
                    channel.send(CRITICAL, url)
                assert "SSLError" in str(refused.value) and server.log == []
        finally:
            server.stop()


# -- e-mail ------------------------------------------------------------------------------------


def _self_signed(folder: Path, subject: x509.GeneralName) -> tuple[Path, Path]:
    """A self-signed certificate (its own CA) for `subject` only; (certificate, key) files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, str(subject.value))])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([subject]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the test SMTP server's STARTTLS)."""
    address = x509.IPAddress(ipaddress.ip_address("127.0.0.1"))
    return _self_signed(tmp_path_factory.mktemp("tls"), address)


class Mailbox:
    """An aiosmtpd handler keeping what it accepts; `refuse` answers RCPT with that reply."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, options):
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"


def _login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    good = isinstance(auth_data, LoginPassword) and auth_data.password == b"rahasia"
    return AuthResult(success=good, handled=False)  # handled=False: aiosmtpd answers 535


@pytest.fixture
def smtp_server(certificate):
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(*certificate)
    box = Mailbox()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=tls,
        require_starttls=True,
        authenticator=_login,
        auth_required=True,
    )
    controller.start()
    yield box, controller.port, certificate[0]
    controller.stop()


def _email(port: int, ca: Path, password: str = "rahasia") -> mail.Email:
    return mail.Email(
        load_settings(
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_username="pusdalops",
            smtp_password=password,
            smtp_ca_file=ca,
            smtp_sender="pusdalops@kemensos.example",
            http_timeout_s=5,
        )
    )


def test_email_goes_over_starttls_with_a_login_as_plain_text_and_escaped_html(
    smtp_server,
) -> None:
    box, port, ca = smtp_server
    _email(port, ca).send(CRITICAL, "koord@dinsos.example")
    (message,) = box.messages
    assert message["To"] == "koord@dinsos.example"
    assert message["Message-ID"] == "<cc-7-3-telegram@command-center>"
    assert message["Subject"] == "[KRITIS] Tsunami <WASPADA> & Co"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Terima/ACK: http://cc.example/notifications?ack=acktoken123" in plain
    assert "Tsunami &lt;WASPADA&gt; &amp; Co" in html and "<WASPADA>" not in html


def test_smtp_refusals_and_a_wrong_password(smtp_server) -> None:
    box, port, ca = smtp_server
    box.refuse = "550 5.1.1 No such user"
    with pytest.raises(SendFailed) as gone:
        _email(port, ca).send(CRITICAL, "nobody@dinsos.example")
    assert gone.value.retry is False
    box.refuse = "451 4.3.0 Try again later"
    with pytest.raises(SendFailed) as later:
        _email(port, ca).send(CRITICAL, "koord@dinsos.example")
    assert later.value.retry is True
    box.refuse = None
    with pytest.raises(SendFailed) as denied:
        _email(port, ca, "wrong").send(CRITICAL, "koord@dinsos.example")
    assert denied.value.retry is False and "535" in str(denied.value)
    with pytest.raises(SendFailed) as down:
        _email(free_port(), ca).send(CRITICAL, "koord@dinsos.example")
    assert down.value.retry is True
    assert box.messages == []
