"""Telegram through the Bot API over HTTPS: messages in HTML mode with a "Terima/ACK" button on
critical alerts (a sitrep's file as a document or photo, the message its caption), and the
bot's updates (link codes sent to it, buttons pressed)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from command_center.channels import Http, SendFailed, post
from command_center.services.alerts import Attachment, Message, telegram_html

ACK_PREFIX = "ack:"
CAPTION_MAX = 1024  # characters of a document's or photo's caption


def ack_button(token: str) -> dict:
    """The "Terima/ACK" button under a critical alert."""
    return {"inline_keyboard": [[{"text": "Terima/ACK", "callback_data": ACK_PREFIX + token}]]}


@dataclass(frozen=True)
class Update:
    update_id: int
    chat_id: str | None = None
    text: str = ""  # a message sent to the bot ("/start CODE", or the code alone)
    callback_id: str | None = None  # a button pressed
    data: str = ""
    sender: str = ""


class Telegram:
    name = "telegram"
    per_second = 25.0  # Telegram allows about 30 messages a second per bot
    carries_files = True

    def __init__(self, http: Http, api_url: str, token: str, timeout_s: float):
        self.http, self.base, self.timeout_s = http, f"{api_url.rstrip('/')}/bot{token}", timeout_s

    def _call(self, method: str, payload: dict, multipart: bool = False) -> dict:
        url = f"{self.base}/{method}"
        if multipart:
            response = post(self.http, "telegram", url, self.timeout_s, multipart=payload)
        else:
            response = post(self.http, "telegram", url, self.timeout_s, json_body=payload)
        try:
            answer = response.json()
        except ValueError as exc:
            raise SendFailed("telegram: unreadable answer") from exc
        if not answer.get("ok"):
            raise SendFailed("telegram: refused (ok: false)", False)  # not its description
        return answer

    def send(self, message: Message, address: str) -> None:
        if message.attachment is not None:
            self.send_file(message, message.attachment, address)
            return
        payload: dict = {
            "chat_id": address,
            "text": telegram_html(message),
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        if message.ack_token:
            payload["reply_markup"] = ack_button(message.ack_token)
        self._call("sendMessage", payload)

    def send_file(self, message: Message, file: Attachment, address: str) -> None:
        """The message as the caption of its file: a PDF as a document (`sendDocument`), an
        image as a photo (`sendPhoto`), uploaded in a multipart form."""
        method, field = (
            ("sendPhoto", "photo") if file.kind == "png" else ("sendDocument", "document")
        )
        caption = telegram_html(message)
        if len(caption) > CAPTION_MAX:  # the Bot API's limit: the heading and link suffice
            caption = telegram_html(replace(message, body=""))
        payload = {
            "chat_id": address,
            "caption": caption,
            "parse_mode": "HTML",
            field: (file.name, file.content, file.mime),
        }
        if message.ack_token:  # a multipart form carries it as JSON text
            payload["reply_markup"] = json.dumps(ack_button(message.ack_token))
        self._call(method, payload, multipart=True)

    def say(self, chat_id: str, text: str) -> None:
        """A plain reply to a chat (the answer to a link code)."""
        self._call("sendMessage", {"chat_id": chat_id, "text": text})

    def answer(self, callback_id: str, text: str) -> None:
        """Close a pressed button's spinner with a short note."""
        self._call("answerCallbackQuery", {"callback_query_id": callback_id, "text": text})

    def updates(self, offset: int) -> list[Update]:
        """What reached the bot since `offset` (no long polling: the sender has other work)."""
        answer = self._call(
            "getUpdates",
            {"offset": offset, "timeout": 0, "allowed_updates": ["message", "callback_query"]},
        )
        found = []
        for item in answer.get("result", []):
            if not isinstance(item, dict) or not isinstance(item.get("update_id"), int):
                continue
            message, pressed = item.get("message") or {}, item.get("callback_query") or {}
            if pressed:
                found.append(
                    Update(
                        item["update_id"],
                        str((pressed.get("message") or {}).get("chat", {}).get("id", "")) or None,
                        callback_id=str(pressed.get("id", "")),
                        data=str(pressed.get("data", "")),
                        sender=str((pressed.get("from") or {}).get("username", "")),
                    )
                )
            else:
                chat = str((message.get("chat") or {}).get("id", "")) or None
                found.append(Update(item["update_id"], chat, str(message.get("text", ""))))
        return found
