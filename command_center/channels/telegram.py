"""Telegram through the Bot API over HTTPS: messages in HTML mode with a "Terima/ACK" button on
critical alerts, and the bot's updates (link codes sent to it, buttons pressed)."""

from __future__ import annotations

from dataclasses import dataclass

from command_center.channels import Http, SendFailed, post
from command_center.services.alerts import Message, telegram_html

ACK_PREFIX = "ack:"


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

    def __init__(self, http: Http, api_url: str, token: str, timeout_s: float):
        self.http, self.base, self.timeout_s = http, f"{api_url.rstrip('/')}/bot{token}", timeout_s

    def _call(self, method: str, payload: dict) -> dict:
        response = post(
            self.http, "telegram", f"{self.base}/{method}", self.timeout_s, json_body=payload
        )
        try:
            answer = response.json()
        except ValueError as exc:
            raise SendFailed("telegram: unreadable answer") from exc
        if not answer.get("ok"):
            raise SendFailed("telegram: refused (ok: false)", False)  # not its description
        return answer

    def send(self, message: Message, address: str) -> None:
        payload: dict = {
            "chat_id": address,
            "text": telegram_html(message),
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        }
        if message.ack_token:
            payload["reply_markup"] = {
                "inline_keyboard": [
                    [{"text": "Terima/ACK", "callback_data": ACK_PREFIX + message.ack_token}]
                ]
            }
        self._call("sendMessage", payload)

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
