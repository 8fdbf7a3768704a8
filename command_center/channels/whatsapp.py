"""WhatsApp, the app every Tagana and TKSK group lives in: the Business Cloud API with an
approved message template (business-initiated messages must use one), or an HTTP gateway of
the kind Indonesian offices use (a form POST of `target` and `message` with the gateway's key
in `Authorization`, as Fonnte takes it). Both are the one `Channel`. An issued sitrep's file
goes through the Cloud API as uploaded media in an approved template's header (a document, or
an image); a gateway gets its signed download link in the text."""

from __future__ import annotations

from command_center.base.settings import Settings
from command_center.channels import Http, SendFailed, post
from command_center.services.alerts import Attachment, Message, plain_text, template_parameter


def phone(address: str) -> str:
    """A number as both APIs want it: digits only, Indonesian `08…` as `628…`."""
    digits = "".join(c for c in address if c.isdigit())
    return "62" + digits[1:] if digits.startswith("0") else digits


class CloudApi:
    name = "whatsapp"
    per_second = 50.0  # the Cloud API's default throughput is 80 messages a second
    carries_files = True  # uploaded as media, sent in a template's header

    def __init__(self, settings: Settings, http: Http):
        assert settings.whatsapp_token is not None and settings.whatsapp_phone_id
        self.http, self.timeout_s = http, settings.http_timeout_s
        number = f"{settings.whatsapp_url.rstrip('/')}/{settings.whatsapp_phone_id}"
        self.url, self.media_url = f"{number}/messages", f"{number}/media"
        self.token = settings.whatsapp_token.get_secret_value()
        self.template, self.language = settings.whatsapp_template, settings.whatsapp_language
        self.file_templates = {
            "pdf": ("document", settings.whatsapp_sitrep_template),
            "png": ("image", settings.whatsapp_sitrep_image_template),
        }

    def send(self, message: Message, address: str) -> None:
        texts = [message.heading, message.body, message.ack_link or message.link]
        components: list[dict] = [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": template_parameter(t)} for t in texts],
            }
        ]
        template = self.template
        if (file := message.attachment) is not None:
            header, template = self.file_templates[file.kind]
            media: dict = {"id": self.upload(file)}
            if header == "document":
                media["filename"] = file.name
            components.insert(
                0, {"type": "header", "parameters": [{"type": header, header: media}]}
            )
        payload = {
            "messaging_product": "whatsapp",
            "to": phone(address),
            "type": "template",
            "template": {
                "name": template,
                "language": {"code": self.language},
                "components": components,
            },
        }
        post(self.http, "whatsapp", self.url, self.timeout_s, json_body=payload, headers=self.auth)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def upload(self, file: Attachment) -> str:
        """Upload a file to the Cloud API's media store; returns its media id."""
        form = {
            "messaging_product": "whatsapp",
            "type": file.mime,
            "file": (file.name, file.content, file.mime),
        }
        url, timeout = self.media_url, self.timeout_s
        response = post(
            self.http, "whatsapp media", url, timeout, multipart=form, headers=self.auth
        )
        try:
            return str(response.json()["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SendFailed("whatsapp media: unreadable answer") from exc


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
