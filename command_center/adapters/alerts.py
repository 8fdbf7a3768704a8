"""Notifikasi page: a user's alerts, subscription and channels; the admin's outbox, dead
letters and delivery latency; the ACK link. Frames come with our column names, in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pandas as pd

from command_center.base import resources
from command_center.base.auth import Principal, require
from command_center.base.labels import t
from command_center.base.models import (
    Alert,
    AlertDelivery,
    AlertRead,
    AlertSubscription,
    ChannelLink,
    User,
)
from command_center.base.times import format_wib, utcnow
from command_center.channels import available
from command_center.stores import alerts as alert_store
from command_center.stores.alerts import Acked, SubscriptionInput

STATUSES = ("pending", "sending", "sent", "dead", "discarded")


INBOX = (Alert, AlertDelivery, AlertRead, AlertSubscription, User)


def _inbox(username: str) -> pd.DataFrame:
    rules = resources.settings().alert_rules
    return alert_store.inbox(resources.engine(), username, rules)


@resources.cached(*INBOX)
def load_my_alerts(username: str, lang: str) -> pd.DataFrame:
    """Every alert in `username`'s scope and subscription, newest first, in words, with
    where it was sent and why that failed (id, link and whether it was read kept as such)."""
    rows = _inbox(username)
    return pd.DataFrame(
        {
            "id": rows["id"],
            "link": rows["link"],
            "read": rows["read"].astype(bool),
            t("col_time", lang): [format_wib(v, lang) for v in rows["created_at"]],
            t("col_severity", lang): [t(f"severity_{s}", lang) for s in rows["severity"]],
            t("col_alert", lang): rows["title"],
            t("col_body", lang): rows["body"],
            t("col_sent_to", lang): [_sent_to(d, lang) for d in rows["deliveries"]],
            t("col_acked", lang): [
                f"{by} · {format_wib(at, lang)}" if pd.notna(at) else "-"
                for by, at in zip(rows["acked_by"], rows["acked_at"], strict=True)
            ],
        }
    )


def _sent_to(deliveries: list[tuple[str, str, str | None]], lang: str) -> str:
    """ "Telegram: terkirim; E-mail: gagal (why)", or that it was only shown here."""
    if not deliveries:
        return t("alert_in_app_only", lang)
    parts = []
    for channel, status, reason in deliveries:
        part = f"{t(f'channel_{channel}', lang)}: {t(f'delivery_{status}', lang)}"
        parts.append(f"{part} ({reason})" if reason and status != "sent" else part)
    return "; ".join(parts)


@resources.cached(*INBOX)
def unread_count(username: str) -> int:
    """How many alerts of `username`'s list they have not opened (the sidebar's count)."""
    return int((~_inbox(username)["read"].astype(bool)).sum())


def mark_read(actor: Principal, alert_ids: list[int]) -> int:
    rules = resources.settings().alert_rules
    return resources.written(alert_store.mark_read(resources.engine(), actor, alert_ids, rules))


@resources.cached(Alert, AlertDelivery, User)
def unacked_critical(username: str) -> dict[int, str]:
    """Critical alerts sent to `username` that nobody acknowledged yet: id -> title."""
    rows = alert_store.user_alerts(resources.engine(), username)
    mine = rows[(rows["severity"] == "critical") & rows["acked_at"].isna()]
    return dict(zip(mine["id"], mine["title"], strict=True))


def acknowledge_alert(actor: Principal, alert_id: int) -> Acked:
    return resources.written(alert_store.acknowledge_alert(resources.engine(), actor, alert_id))


def acknowledge(token: str) -> Acked | None:
    """The ACK link's button (no sign-in: the link itself names the delivery)."""
    return resources.written(alert_store.acknowledge(resources.engine(), token))


def alert_of_token(token: str) -> tuple[str, str] | None:
    return alert_store.alert_of_token(resources.engine(), token)


@resources.cached(AlertSubscription, User)
def load_subscription(username: str) -> SubscriptionInput:
    return alert_store.subscription(resources.engine(), username)


def save_subscription(actor: Principal, username: str, entry: SubscriptionInput) -> None:
    resources.written(alert_store.save_subscription(resources.engine(), actor, username, entry))


@resources.cached(ChannelLink, User)
def load_links(username: str) -> dict[str, str | None]:
    return alert_store.links(resources.engine(), username)


def set_address(actor: Principal, username: str, channel: str, address: str) -> None:
    hosts = webhook_hosts()
    resources.written(
        alert_store.set_address(
            resources.engine(), actor, username, channel, address, hosts, missing_channels()
        )
    )


def webhook_hosts() -> tuple[str, ...]:
    """The hosts anyone may link a webhook to (`CC_WEBHOOK_ALLOWED_HOSTS`; others: admins)."""
    return resources.settings().webhook_allowed_hosts


def unlink(actor: Principal, username: str, channel: str) -> None:
    resources.written(alert_store.unlink(resources.engine(), actor, username, channel))


def start_telegram(actor: Principal, username: str) -> str:
    engine, off = resources.engine(), missing_channels()
    return resources.written(alert_store.start_telegram(engine, actor, username, off))


def missing_channels() -> dict[str, str]:
    """Channels this command center has not configured: channel -> the settings it needs."""
    return available.missing(resources.settings())


def telegram_bot() -> str | None:
    return resources.settings().telegram_bot_name


# -- the admin's view -------------------------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    count: int
    median_s: float | None
    p95_s: float | None


@resources.cached(Alert, AlertDelivery, ttl=60)
def load_latency(hours: int = 24) -> Latency:
    """Commit-to-hand-off seconds of the deliveries sent in the last `hours`."""
    seconds = alert_store.latencies(resources.engine(), utcnow() - timedelta(hours=hours))
    if seconds.empty:
        return Latency(0, None, None)
    return Latency(len(seconds), float(seconds.median()), float(seconds.quantile(0.95)))


@resources.cached(AlertDelivery)
def load_counts() -> dict[str, int]:
    return alert_store.status_counts(resources.engine())


@resources.cached(Alert, AlertDelivery, User)
def load_deliveries(actor: Principal, statuses: tuple[str, ...], lang: str) -> pd.DataFrame:
    """Deliveries of some statuses (admins), newest first, in words."""
    require(actor, "alerts")
    rows = alert_store.deliveries(resources.engine(), statuses)
    return pd.DataFrame(
        {
            "id": rows["id"],
            t("col_status", lang): [t(f"delivery_{s}", lang) for s in rows["status"]],
            t("col_channel", lang): [t(f"channel_{c}", lang) for c in rows["channel"]],
            t("username", lang): rows["username"],
            t("col_alert", lang): rows["title"],
            t("col_attempts", lang): rows["attempts"],
            t("col_next_try", lang): [format_wib(v, lang) for v in rows["next_at"]],
            t("col_error", lang): rows["last_error"].fillna("-"),
            t("col_time", lang): [format_wib(v, lang) for v in rows["created_at"]],
            t("col_sent", lang): [format_wib(v, lang) for v in rows["sent_at"]],
        }
    )


def retry_dead(actor: Principal, ids: list[int]) -> int:
    return resources.written(alert_store.retry_dead(resources.engine(), actor, ids))


def discard(actor: Principal, ids: list[int]) -> int:
    return resources.written(alert_store.discard(resources.engine(), actor, ids))
