"""Which channels this command center's settings make usable, and what the others need."""

from __future__ import annotations

from command_center.base.settings import Settings
from command_center.channels import Channel, Http, email, telegram, webhook, whatsapp


def missing(settings: Settings) -> dict[str, str]:
    """Channels not set up: channel -> the settings it needs."""
    needs = {
        "telegram": None if settings.telegram_bot_token else "CC_TELEGRAM_BOT_TOKEN",
        "whatsapp": None
        if settings.whatsapp_mode and settings.whatsapp_token
        else "CC_WHATSAPP_MODE, CC_WHATSAPP_TOKEN",
        "email": None if settings.smtp_host else "CC_SMTP_HOST",
        "webhook": None if settings.webhook_secret else "CC_WEBHOOK_SECRET",
    }
    return {channel: what for channel, what in needs.items() if what}


def channels(settings: Settings, http: Http) -> dict[str, Channel]:
    """The usable channels, sharing `http`'s connections."""
    off, timeout = missing(settings), settings.http_timeout_s
    found: dict[str, Channel] = {}
    if "telegram" not in off and settings.telegram_bot_token is not None:
        token = settings.telegram_bot_token.get_secret_value()
        found["telegram"] = telegram.Telegram(http, settings.telegram_api_url, token, timeout)
    if "whatsapp" not in off:
        found["whatsapp"] = whatsapp.make(settings, http)
    if "email" not in off:
        found["email"] = email.Email(settings)
    if "webhook" not in off and settings.webhook_secret is not None:
        secret = settings.webhook_secret.get_secret_value()
        found["webhook"] = webhook.Webhook(http, secret, timeout, settings.webhook_allowed_hosts)
    return found
