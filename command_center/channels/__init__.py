"""Where alerts go out: one interface (`Channel.send`) over Telegram, WhatsApp (the Cloud API or
an HTTP gateway), e-mail and signed webhooks. A channel raises `SendFailed` saying whether to
try again (and after how long, from the receiver's `Retry-After`) or to give up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import requests
from requests.adapters import HTTPAdapter

from command_center.services.alerts import Message
from command_center.settings import Settings


class SendFailed(Exception):
    """A delivery that did not go through: `retry` False means it never will as it stands (a
    refused address, a rejected template); `after_s` is the receiver's own wait."""

    def __init__(self, reason: str, retry: bool = True, after_s: float | None = None) -> None:
        super().__init__(reason)
        self.retry, self.after_s = retry, after_s


class Channel(Protocol):
    name: str
    per_second: float  # the provider's rate limit for this sender

    def send(self, message: Message, address: str) -> None:
        """Hand `message` to the provider for `address`.

        Raises:
            SendFailed: with whether and when to try again.
        """


def retry_after(response: requests.Response) -> float | None:
    """The seconds the receiver asks to wait: a `Retry-After` header (seconds form), or the
    Bot API's `parameters.retry_after` in a JSON body."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        pass
    try:
        value = response.json().get("parameters", {}).get("retry_after")
        return max(0.0, float(value)) if value is not None else None
    except (ValueError, AttributeError, TypeError):
        return None


def http_failure(response: requests.Response, what: str) -> SendFailed:
    """429 and 5xx are tried again (after `Retry-After` if given); other refusals are final."""
    status = response.status_code
    text = response.text[:200].replace("\n", " ")
    if status == 429:
        return SendFailed(f"{what}: rate limited (HTTP 429)", True, retry_after(response))
    if status >= 500:
        return SendFailed(f"{what}: server error (HTTP {status})", True, retry_after(response))
    return SendFailed(f"{what}: refused (HTTP {status}) {text}", False)


def post(
    http: requests.Session, what: str, url: str, timeout_s: float, **kwargs
) -> requests.Response:
    """One POST, never retried here (the sender retries with backoff); errors in words."""
    try:
        response = http.post(url, timeout=timeout_s, **kwargs)
    except requests.Timeout as exc:
        raise SendFailed(f"{what}: timeout after {timeout_s:g} s") from exc
    except requests.RequestException as exc:
        raise SendFailed(f"{what}: connection failed ({type(exc).__name__})") from exc
    if not 200 <= response.status_code < 300:
        raise http_failure(response, what)
    return response


def sending_session(user_agent: str, pool: int = 32) -> requests.Session:
    """A session for POSTs from several threads (no automatic retries: ours are counted)."""
    session = requests.Session()
    session.headers["User-Agent"] = user_agent
    adapter = HTTPAdapter(pool_connections=pool, pool_maxsize=pool, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


@dataclass(frozen=True)
class Configured:
    channels: dict[str, Channel]
    missing: dict[str, str]  # channel -> which settings it needs


def configured(settings: Settings, http: requests.Session) -> Configured:
    """The channels the settings make usable, and what the others lack."""
    from command_center.channels import email, telegram, webhook, whatsapp

    channels: dict[str, Channel] = {}
    missing: dict[str, str] = {}
    timeout = settings.http_timeout_s
    if settings.telegram_bot_token is not None:
        channels["telegram"] = telegram.Telegram(
            http, settings.telegram_api_url, settings.telegram_bot_token.get_secret_value(), timeout
        )
    else:
        missing["telegram"] = "CC_TELEGRAM_BOT_TOKEN"
    if settings.whatsapp_mode is not None and settings.whatsapp_token is not None:
        channels["whatsapp"] = whatsapp.make(settings, http)
    else:
        missing["whatsapp"] = "CC_WHATSAPP_MODE, CC_WHATSAPP_TOKEN"
    if settings.smtp_host:
        channels["email"] = email.Email(settings)
    else:
        missing["email"] = "CC_SMTP_HOST"
    if settings.webhook_secret is not None:
        channels["webhook"] = webhook.Webhook(
            http, settings.webhook_secret.get_secret_value(), timeout
        )
    else:
        missing["webhook"] = "CC_WEBHOOK_SECRET"
    return Configured(channels, missing)
