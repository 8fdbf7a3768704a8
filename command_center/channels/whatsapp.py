"""WhatsApp, the app every Tagana and TKSK group lives in: the Business Cloud API with an
approved message template (business-initiated messages must use one), or an HTTP gateway of
the kind Indonesian offices use (a form POST of `target` and `message` with the gateway's key
in `Authorization`, as Fonnte takes it). Both are the one `Channel`."""

from __future__ import annotations

from command_center.channels import Http, post
from command_center.services.alerts import Message, plain_text, template_parameter
from command_center.settings import Settings


def phone(address: str) -> str:
    """A number as both APIs want it: digits only, Indonesian `08…` as `628…`."""
    digits = "".join(c for c in address if c.isdigit())
    return "62" + digits[1:] if digits.startswith("0") else digits


class CloudApi:
    name = "whatsapp"
    per_second = 50.0  # the Cloud API's default throughput is 80 messages a second
    carries_files = False  # until the document upload below

    def __init__(self, settings: Settings, http: Http):
        assert settings.whatsapp_token is not None and settings.whatsapp_phone_id
        self.http, self.timeout_s = http, settings.http_timeout_s
        self.url = f"{settings.whatsapp_url.rstrip('/')}/{settings.whatsapp_phone_id}/messages"
        self.token = settings.whatsapp_token.get_secret_value()
        self.template, self.language = settings.whatsapp_template, settings.whatsapp_language

    def send(self, message: Message, address: str) -> None:
        texts = [message.heading, message.body, message.ack_link or message.link]
        payload = {
            "messaging_product": "whatsapp",
            "to": phone(address),
            "type": "template",
            "template": {
                "name": self.template,
                "language": {"code": self.language},
                "components": [
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": template_parameter(text)} for text in texts
                        ],
                    }
                ],
            },
        }
        headers = {"Authorization": f"Bearer {self.token}"}
        post(self.http, "whatsapp", self.url, self.timeout_s, json_body=payload, headers=headers)


class Gateway:
    name = "whatsapp"
    per_second = 5.0  # gateways drive a real phone: keep it slow
    carries_files = False  # a link in the text instead

    def __init__(self, settings: Settings, http: Http):
        assert settings.whatsapp_token is not None
        self.http, self.timeout_s, self.url = http, settings.http_timeout_s, settings.whatsapp_url
        self.token = settings.whatsapp_token.get_secret_value()

    def send(self, message: Message, address: str) -> None:
        form = {"target": phone(address), "message": plain_text(message)}
        headers = {"Authorization": self.token}
        post(self.http, "whatsapp gateway", self.url, self.timeout_s, form=form, headers=headers)


def make(settings: Settings, http: Http) -> CloudApi | Gateway:
    return (
        CloudApi(settings, http) if settings.whatsapp_mode == "cloud" else Gateway(settings, http)
    )
