"""Alerts out, in the store: fanning the outbox out to deliveries, claiming and marking them,
dead letters, acknowledgements and escalation, users' subscriptions and channel links, and the
conditions the worker watches for (a stale feed, a silent team, a waiting report, low stock).

A delivery's `key` (alert, user, channel) is unique, so nothing is delivered twice by fanning
out again; a delivery is claimed (`sending`) before it is handed over and marked after, so a
crash between the two sends it again at most once and never loses it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, and_, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from command_center.base import destinations
from command_center.base.auth import Principal, permits, require
from command_center.base.db import writing
from command_center.base.errors import DestinationRefused, FieldError, InvalidInput, NotFound
from command_center.base.models import (
    Alert,
    AlertDelivery,
    AlertRead,
    AlertSubscription,
    Area,
    ChannelLink,
    SenderState,
    User,
)
from command_center.base.times import ZONES, utcnow
from command_center.services import alerts as rules
from command_center.services.incidents import HAZARDS, zone_of
from command_center.services.validation import CHOICES, CONTACT, length_errors
from command_center.stores.common import frame, record_audit

LINK_CODE_MIN = 15  # a Telegram link code is good this long
TELEGRAM_OFFSET = "telegram_offset"
ADDRESSES = {  # channel: (what an address must look like, the error when it does not)
    "email": (r"[^@\s]+@[^@\s]+\.[^@\s]+", "bad_email"),
    "whatsapp": (r"\+?[\d\s-]{9,20}", "bad_phone"),
    "webhook": (r"https?://\S+", "bad_url"),
}


# -- fanning out ------------------------------------------------------------------------------


def subscribers(session: Session) -> list[rules.Subscriber]:
    """Every active user with at least one linked channel, with what they subscribed to."""
    links: dict[int, dict[str, str]] = {}
    for user_id, channel, address in session.execute(
        select(ChannelLink.user_id, ChannelLink.channel, ChannelLink.address).where(
            ChannelLink.address.is_not(None)
        )
    ):
        links.setdefault(user_id, {})[channel] = address
    chosen = {
        s.user_id: s
        for s in session.scalars(
            select(AlertSubscription).where(AlertSubscription.user_id.in_(list(links)))
        )
    }
    return [
        _subscriber(user, links[user.id], _chosen(chosen.get(user.id)))
        for user in session.scalars(select(User).where(User.id.in_(list(links)), User.active))
    ]


def _subscriber(user: User, links: Mapping[str, str], sub: SubscriptionInput) -> rules.Subscriber:
    return rules.Subscriber(
        user.id,
        user.username,
        user.role,
        user.scope,
        links,
        sub.areas,
        sub.hazards,
        sub.min_severity,
        sub.channels,
        sub.quiet_from,
        sub.quiet_until,
        ZONES[zone_of(user.scope)],
    )


def _facts(alert: Alert) -> rules.AlertFacts:
    return rules.AlertFacts(alert.rule, alert.severity, tuple(alert.areas), alert.hazard)


def _rows(
    alert: Alert,
    targets: Iterable[tuple[rules.Subscriber, str, str]],
    available: Collection[str],
    now: datetime,
    quiet: bool = True,
) -> list[dict]:
    """Delivery rows for `targets`: held through quiet hours, dead at once on a channel this
    command center has not configured (so an admin sees it)."""
    rows = []
    for subscriber, channel, address in targets:
        held = rules.held_until(subscriber, alert.severity, now) if quiet else None
        usable = channel in available
        rows.append(
            {
                "alert_id": alert.id,
                "user_id": subscriber.user_id,
                "channel": channel,
                "address": address,
                "key": rules.delivery_key(alert.id, subscriber.user_id, channel),
                "status": "pending" if usable else "dead",
                "attempts": 0,
                "next_at": held or now,
                "last_error": None if usable else f"channel {channel} is not configured",
                "ack_token": secrets.token_urlsafe(24) if alert.severity == "critical" else None,
                "created_at": now,
            }
        )
    return rows


def fan_out(
    engine: Engine,
    overrides: Mapping[str, str],
    available: Collection[str],
    now: datetime | None = None,
    batch: int = 200,
) -> int:
    """Turn new outbox alerts into deliveries (one per user and channel); returns how many.
    An admin's rule override sets the severity, or turns the rule off (no deliveries)."""
    now = now or utcnow()
    with writing(engine) as session, session.begin():
        new = session.scalars(
            select(Alert).where(Alert.fanned_out_at.is_(None)).order_by(Alert.id).limit(batch)
        ).all()
        if not new:
            return 0
        everyone = subscribers(session)
        rows = []
        for alert in new:
            alert.fanned_out_at = now
            alert.severity = rules.severity_of(alert.rule, overrides, alert.severity) or "off"
            if alert.severity != "off":
                targets = rules.recipients(_facts(alert), everyone)
                rows += _rows(alert, targets, available, now)
        if rows:
            session.execute(insert(AlertDelivery), rows)
        return len(rows)


def escalate(
    engine: Engine, after_min: float, available: Collection[str], now: datetime | None = None
) -> int:
    """Send unacknowledged critical alerts one role up (`rules.ESCALATION`) every `after_min`
    minutes; returns how many deliveries that made."""
    now = now or utcnow()
    with writing(engine) as session, session.begin():
        due = session.scalars(
            select(Alert).where(
                Alert.severity == "critical",
                Alert.acked_at.is_(None),
                Alert.fanned_out_at.is_not(None),
                Alert.escalation < len(rules.ESCALATION),
                func.coalesce(Alert.escalated_at, Alert.fanned_out_at)
                <= now - timedelta(minutes=after_min),
            )
        ).all()
        if not due:
            return 0
        everyone = subscribers(session)
        made = 0
        for alert in due:
            targets = rules.escalation_targets(_facts(alert), alert.escalation, everyone)
            known = set(
                session.scalars(select(AlertDelivery.key).where(AlertDelivery.alert_id == alert.id))
            )
            fresh = [
                r for r in _rows(alert, targets, available, now, False) if r["key"] not in known
            ]
            if fresh:
                session.execute(insert(AlertDelivery), fresh)
            alert.escalation += 1
            alert.escalated_at = now
            made += len(fresh)
        return made


# -- delivering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """A claimed delivery with its alert's words."""

    id: int
    key: str
    channel: str
    address: str
    attempts: int
    rule: str
    severity: str
    title: str
    body: str
    link: str
    ack_token: str | None
    alert_created_at: datetime
    sitrep_id: int | None = None  # `sitrep_issued`: the sitrep whose file goes with it
    sitrep_format: str = "pdf"  # the user's choice: pdf, png or text


def release_claims(engine: Engine) -> int:
    """Put back deliveries a crashed sender had claimed (only the one worker calls this, when
    it starts); each goes out again once."""
    with Session(engine) as session, session.begin():
        result = session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.status == "sending")
            .values(status="pending", claimed_until=None)
        )
        return result.rowcount


def claim(
    engine: Engine,
    limit: int,
    lease_s: float,
    channels: Collection[str],
    now: datetime | None = None,
) -> list[Job]:
    """Take up to `limit` due deliveries on `channels` (pending, or claimed by a sender whose
    lease ran out), marking them `sending` and counting the attempt."""
    now = now or utcnow()
    due = or_(
        and_(AlertDelivery.status == "pending", AlertDelivery.next_at <= now),
        and_(AlertDelivery.status == "sending", AlertDelivery.claimed_until < now),
    )
    with writing(engine) as session, session.begin():
        query = (
            select(AlertDelivery.id)
            .where(due, AlertDelivery.channel.in_(list(channels)))
            .order_by(AlertDelivery.next_at, AlertDelivery.id)
            .limit(limit)
        )
        if engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(session.scalars(query))
        if not ids:
            return []
        session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.id.in_(ids))
            .values(
                status="sending",
                claimed_until=now + timedelta(seconds=lease_s),
                attempts=AlertDelivery.attempts + 1,
            )
        )
        rows = session.execute(
            select(AlertDelivery, Alert, AlertSubscription.sitrep_format)
            .join(Alert, Alert.id == AlertDelivery.alert_id)
            .outerjoin(AlertSubscription, AlertSubscription.user_id == AlertDelivery.user_id)
            .where(AlertDelivery.id.in_(ids))
            .order_by(AlertDelivery.next_at, AlertDelivery.id)
        ).all()
        return [
            Job(
                d.id,
                d.key,
                d.channel,
                d.address,
                d.attempts,
                a.rule,
                a.severity,
                a.title,
                a.body,
                a.link,
                d.ack_token,
                a.created_at,
                a.sitrep_id,
                sitrep_format or "pdf",
            )
            for d, a, sitrep_format in rows
        ]


@dataclass(frozen=True)
class Failure:
    delivery_id: int
    error: str
    retry_at: datetime | None  # None: dead


def mark(
    engine: Engine, sent: Collection[int], failed: Iterable[Failure], now: datetime | None = None
) -> None:
    """Record what the channels said: sent, to be tried again, or dead."""
    now = now or utcnow()
    with Session(engine) as session, session.begin():
        if sent:
            session.execute(
                update(AlertDelivery)
                .where(AlertDelivery.id.in_(list(sent)), AlertDelivery.status == "sending")
                .values(status="sent", sent_at=now, claimed_until=None, last_error=None)
            )
        for failure in failed:
            values = {"last_error": failure.error[:500], "claimed_until": None}
            if failure.retry_at is None:
                values["status"] = "dead"
            else:
                values |= {"status": "pending", "next_at": failure.retry_at}
            session.execute(
                update(AlertDelivery).where(AlertDelivery.id == failure.delivery_id).values(values)
            )


def _dead(session: Session, ids: Collection[int]) -> list[AlertDelivery]:
    return list(
        session.scalars(
            select(AlertDelivery).where(
                AlertDelivery.id.in_(list(ids)), AlertDelivery.status == "dead"
            )
        )
    )


def retry_dead(engine: Engine, actor: Principal, ids: Collection[int]) -> int:
    """Send dead deliveries again from the first attempt (admins); returns how many."""
    require(actor, "alerts")
    with Session(engine) as session, session.begin():
        rows = _dead(session, ids)
        for row in rows:
            row.status, row.attempts, row.next_at = "pending", 0, utcnow()
        if rows:
            after = {"deliveries": [r.id for r in rows]}
            record_audit(session, actor.name, "retry", "alert_delivery", rows[0].id, after=after)
        return len(rows)


def discard(engine: Engine, actor: Principal, ids: Collection[int]) -> int:
    """Give up dead deliveries for good (admins); they stay listed as discarded."""
    require(actor, "alerts")
    with Session(engine) as session, session.begin():
        rows = _dead(session, ids)
        for row in rows:
            row.status = "discarded"
        if rows:
            after = {"deliveries": [r.id for r in rows]}
            record_audit(session, actor.name, "discard", "alert_delivery", rows[0].id, after=after)
        return len(rows)


# -- acknowledging ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Acked:
    title: str
    by: str
    at: datetime
    first: bool  # False: someone had acknowledged it already


def _ack(session: Session, alert: Alert, who: str, now: datetime) -> Acked:
    first = alert.acked_at is None
    if first:
        alert.acked_at, alert.acked_by = now, who
        record_audit(session, who, "ack", "alert", alert.id)
    return Acked(alert.title, alert.acked_by or who, alert.acked_at or now, first)


def acknowledge(engine: Engine, token: str, now: datetime | None = None) -> Acked | None:
    """Acknowledge the alert a delivery's token belongs to, as that delivery's user (an ACK
    link or a Telegram button); None for an unknown token."""
    if not token or len(token) > 64:
        return None
    with writing(engine) as session, session.begin():
        found = session.execute(
            select(Alert, User.username)
            .join(AlertDelivery, AlertDelivery.alert_id == Alert.id)
            .join(User, User.id == AlertDelivery.user_id)
            .where(AlertDelivery.ack_token == token)
        ).first()
        if found is None:
            return None
        return _ack(session, found[0], found[1], now or utcnow())


def alert_of_token(engine: Engine, token: str) -> tuple[str, str] | None:
    """(title, body) of the alert an ACK link names, to show before it is pressed."""
    if not token or len(token) > 64:
        return None
    with Session(engine) as session:
        found = session.execute(
            select(Alert.title, Alert.body)
            .join(AlertDelivery, AlertDelivery.alert_id == Alert.id)
            .where(AlertDelivery.ack_token == token)
        ).first()
        return None if found is None else (found[0], found[1])


def acknowledge_alert(engine: Engine, actor: Principal, alert_id: int) -> Acked:
    """Acknowledge an alert sent to the signed-in user (from the Notifikasi page).

    Raises:
        NotFound: no such alert was sent to them.
    """
    with writing(engine) as session, session.begin():
        alert = session.scalar(
            select(Alert)
            .join(AlertDelivery, AlertDelivery.alert_id == Alert.id)
            .join(User, User.id == AlertDelivery.user_id)
            .where(Alert.id == alert_id, User.username == actor.username)
        )
        if alert is None:
            raise NotFound(f"alert {alert_id}")
        return _ack(session, alert, actor.username or actor.name, utcnow())


# -- subscriptions and links ------------------------------------------------------------------


def _user(session: Session, actor: Principal, username: str) -> User:
    """The user whose alerts are changed: oneself, or anyone for an admin."""
    if actor.username != username:
        require(actor, "users")
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"user {username}")
    return user


@dataclass(frozen=True)
class SubscriptionInput:
    areas: tuple[str, ...] = ()
    hazards: tuple[str, ...] = ()
    min_severity: str = "info"
    channels: tuple[str, ...] = ()
    quiet_from: str | None = None
    quiet_until: str | None = None
    sitrep_format: str = "pdf"  # an issued sitrep as its PDF, its image or text only


def _subscription_errors(
    session: Session, user: User, entry: SubscriptionInput
) -> list[FieldError]:
    choices = {"areas": CHOICES, "hazards": len(HAZARDS), "channels": len(rules.CHANNELS)}
    errors = [
        FieldError(field, "too_long", {"max_length": most})
        for field, most in choices.items()
        if len(getattr(entry, field)) > most
    ]
    if errors:
        return errors
    known = set(session.scalars(select(Area.code).where(Area.code.in_(list(entry.areas)))))
    for code in entry.areas:
        if code not in known:
            errors.append(FieldError("areas", "unknown_kecamatan", {"value": code}))
        elif user.scope and not (code == user.scope or code.startswith(user.scope + ".")):
            errors.append(FieldError("areas", "out_of_scope", {"value": code}))
    for hazard in entry.hazards:
        if hazard not in HAZARDS:
            errors.append(FieldError("hazards", "bad_choice", {"value": hazard}))
    if entry.min_severity not in rules.SEVERITIES:
        errors.append(FieldError("min_severity", "bad_choice", {"value": entry.min_severity}))
    if entry.sitrep_format not in rules.SITREP_FORMATS:
        errors.append(FieldError("sitrep_format", "bad_choice", {"value": entry.sitrep_format}))
    for channel in entry.channels:
        if channel not in rules.CHANNELS:
            errors.append(FieldError("channels", "bad_choice", {"value": channel}))
    for name in ("quiet_from", "quiet_until"):
        if rules.quiet_error(getattr(entry, name)):
            errors.append(FieldError(name, "bad_time", {"value": getattr(entry, name)}))
    if bool(entry.quiet_from) != bool(entry.quiet_until):
        errors.append(FieldError("quiet_until", "missing"))
    return errors


def save_subscription(
    engine: Engine, actor: Principal, username: str, entry: SubscriptionInput
) -> None:
    """Set what `username` is told (their own, or an admin for anyone).

    Raises:
        InvalidInput: an area outside their scope, an unknown hazard, severity or channel, a
            bad time; more areas, hazards or channels than one may choose.
        Forbidden: another user's, without `users`.
    """
    with Session(engine) as session, session.begin():
        user = _user(session, actor, username)
        errors = _subscription_errors(session, user, entry)
        if errors:
            raise InvalidInput(errors)
        row = session.get(AlertSubscription, user.id) or AlertSubscription(user_id=user.id)
        row.areas, row.hazards = list(entry.areas), list(entry.hazards)
        row.min_severity, row.channels = entry.min_severity, list(entry.channels)
        row.quiet_from = (entry.quiet_from or "").strip() or None
        row.quiet_until = (entry.quiet_until or "").strip() or None
        row.sitrep_format = entry.sitrep_format
        row.updated_by = actor.name
        session.add(row)
        after = {
            "areas": row.areas,
            "hazards": row.hazards,
            "min": row.min_severity,
            "sitrep": row.sitrep_format,
        }
        record_audit(session, actor.name, "subscribe", "user", user.id, after=after)


def _chosen(row: AlertSubscription | None) -> SubscriptionInput:
    """What a user subscribed to, or the defaults when they chose nothing."""
    if row is None:
        return SubscriptionInput()
    return SubscriptionInput(
        tuple(row.areas),
        tuple(row.hazards),
        row.min_severity,
        tuple(row.channels),
        row.quiet_from,
        row.quiet_until,
        row.sitrep_format,
    )


def subscription(engine: Engine, username: str) -> SubscriptionInput:
    """What `username` subscribed to (the defaults when nothing was chosen)."""
    with Session(engine) as session:
        return _chosen(
            session.scalar(
                select(AlertSubscription)
                .join(User, User.id == AlertSubscription.user_id)
                .where(User.username == username)
            )
        )


def _address_error(channel: str, address: str) -> str | None:
    pattern = ADDRESSES.get(channel)
    return None if pattern is None or re.fullmatch(pattern[0], address) else pattern[1]


def _webhook_error(actor: Principal, url: str, allowed_hosts: Collection[str]) -> FieldError | None:
    """Admins link any URL whose addresses pass `destinations.vet`; others only URLs on the
    allowed hosts (no look-up before that: nobody else learns what a name resolves to)."""
    try:
        host = destinations.host_of(url)
        if not permits(actor, "alerts") and host not in allowed_hosts:
            hosts = ", ".join(allowed_hosts)
            code = "webhook_host_not_listed" if hosts else "webhook_admin_only"
            return FieldError("webhook", code, {"value": host, "hosts": hosts})
        destinations.vet(url, allowed_hosts)
    except DestinationRefused as exc:
        code = "bad_url" if exc.reason == "bad_url" else f"webhook_{exc.reason}"
        return FieldError("webhook", code, {"value": exc.name, "address": exc.address or ""})
    return None


def set_address(
    engine: Engine,
    actor: Principal,
    username: str,
    channel: str,
    address: str,
    allowed_hosts: Collection[str] = (),
    off: Mapping[str, str] | None = None,
) -> None:
    """Link an e-mail, a WhatsApp number or a webhook URL (Telegram links by code). A webhook
    URL is an admin's to set, or anyone's on `allowed_hosts` (`CC_WEBHOOK_ALLOWED_HOSTS`),
    and goes only where `destinations.vet` allows. `off`: the channels this command center
    has not configured, with the settings they need (`channels.available.missing`).

    Raises:
        InvalidInput: the channel is off, the address does not fit the channel, is longer
            than `CONTACT`, or is a webhook URL that is refused.
    """
    address = address.strip()
    if channel not in ("email", "whatsapp", "webhook"):
        raise InvalidInput([FieldError("channel", "bad_choice", {"value": channel})])
    _refuse_off(channel, off)
    if errors := length_errors(**{channel: (address, CONTACT)}):
        raise InvalidInput(errors)
    problem = _address_error(channel, address)
    if problem:
        raise InvalidInput([FieldError(channel, problem, {"value": address})])
    refused = _webhook_error(actor, address, allowed_hosts) if channel == "webhook" else None
    if refused:
        raise InvalidInput([refused])
    with Session(engine) as session, session.begin():
        user = _user(session, actor, username)
        row = session.scalar(
            select(ChannelLink).where(
                ChannelLink.user_id == user.id, ChannelLink.channel == channel
            )
        ) or ChannelLink(user_id=user.id, channel=channel)
        row.address, row.linked_at, row.code_hash = address, utcnow(), None
        session.add(row)
        record_audit(session, actor.name, "link", "user", user.id, after={"channel": channel})


def unlink(engine: Engine, actor: Principal, username: str, channel: str) -> None:
    """Stop sending `username` anything on `channel`."""
    with Session(engine) as session, session.begin():
        user = _user(session, actor, username)
        row = session.scalar(
            select(ChannelLink).where(
                ChannelLink.user_id == user.id, ChannelLink.channel == channel
            )
        )
        if row is not None:
            session.delete(row)
            record_audit(session, actor.name, "unlink", "user", user.id, after={"channel": channel})


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def _refuse_off(channel: str, off: Mapping[str, str] | None) -> None:
    """A channel this command center does not send on cannot be linked (it would only fail)."""
    if off and channel in off:
        raise InvalidInput([FieldError(channel, "channel_off", {"needs": off[channel]})])


def start_telegram(
    engine: Engine, actor: Principal, username: str, off: Mapping[str, str] | None = None
) -> str:
    """A one-time code (shown once) that links the chat it is sent from to `username`.

    Raises:
        InvalidInput: Telegram is off (`off`, as in `set_address`).
    """
    _refuse_off("telegram", off)
    code = secrets.token_hex(4).upper()
    with Session(engine) as session, session.begin():
        user = _user(session, actor, username)
        row = session.scalar(
            select(ChannelLink).where(
                ChannelLink.user_id == user.id, ChannelLink.channel == "telegram"
            )
        ) or ChannelLink(user_id=user.id, channel="telegram")
        row.code_hash = _digest(code)
        row.code_expires_at = utcnow() + timedelta(minutes=LINK_CODE_MIN)
        session.add(row)
    return code


def link_telegram(
    engine: Engine, text: str, chat_id: str, now: datetime | None = None
) -> str | None:
    """Link `chat_id` by the code in `text` ("/start CODE" or the code); the username linked,
    None for an unknown or expired code (used once)."""
    code = text.strip().removeprefix("/start").strip()
    if not code or len(code) > 32:
        return None
    now = now or utcnow()
    with Session(engine) as session, session.begin():
        row = session.scalar(select(ChannelLink).where(ChannelLink.code_hash == _digest(code)))
        if row is None or row.code_expires_at is None or row.code_expires_at < now:
            return None
        row.address, row.linked_at = chat_id, now
        row.code_hash = row.code_expires_at = None
        username = session.scalar(select(User.username).where(User.id == row.user_id))
        record_audit(
            session, "telegram", "link", "user", row.user_id, after={"channel": "telegram"}
        )
        return username


def links(engine: Engine, username: str) -> dict[str, str | None]:
    """A user's channels: the address, or None while a Telegram code waits to be sent."""
    with Session(engine) as session:
        rows = session.execute(
            select(ChannelLink.channel, ChannelLink.address)
            .join(User, User.id == ChannelLink.user_id)
            .where(User.username == username)
        ).all()
        return dict(rows)


def sender_value(engine: Engine, name: str) -> str | None:
    with Session(engine) as session:
        row = session.get(SenderState, name)
        return row.value if row else None


def set_sender_value(engine: Engine, name: str, value: str) -> None:
    with Session(engine) as session, session.begin():
        row = session.get(SenderState, name) or SenderState(name=name)
        row.value = value
        session.add(row)


# -- reads ------------------------------------------------------------------------------------


BEST_FIRST = ("sent", "sending", "pending", "dead", "discarded")  # an alert's state for its user


def user_alerts(engine: Engine, username: str, limit: int = 200) -> pd.DataFrame:
    """The alerts sent (or being sent) to a user, newest first, one row per alert; its status
    is its best delivery's (sent on one channel is sent)."""
    newest = (
        select(AlertDelivery.alert_id)
        .join(User, User.id == AlertDelivery.user_id)
        .where(User.username == username)
        .group_by(AlertDelivery.alert_id)
        .order_by(AlertDelivery.alert_id.desc())
        .limit(limit)
    )
    query = (
        select(
            Alert.id,
            Alert.created_at,
            Alert.rule,
            Alert.severity,
            Alert.title,
            Alert.acked_at,
            Alert.acked_by,
            AlertDelivery.status,
        )
        .join(AlertDelivery, AlertDelivery.alert_id == Alert.id)
        .join(User, User.id == AlertDelivery.user_id)
        .where(User.username == username, Alert.id.in_(newest))
    )
    rows = frame(engine, query)
    rows["rank"] = rows["status"].map(BEST_FIRST.index)
    best = rows.sort_values(["id", "rank"]).drop_duplicates("id")
    return best.drop(columns="rank").sort_values("id", ascending=False, ignore_index=True)


INBOX_SCAN = 2000  # the newest alerts looked through for one user's in-app list


def _in_list(me: rules.Subscriber, alert: Alert, overrides: Mapping[str, str]) -> bool:
    """Whether an alert belongs in a user's in-app list: in their scope and subscription, at
    the severity it goes out with (an admin's override; a rule turned off: nobody's)."""
    severity = rules.severity_of(alert.rule, overrides, alert.severity or None)
    if severity is None or severity == "off":
        return False
    return rules.wants(me, rules.AlertFacts(alert.rule, severity, tuple(alert.areas), alert.hazard))


def inbox(
    engine: Engine, username: str, overrides: Mapping[str, str] = {}, limit: int = 200
) -> pd.DataFrame:
    """Every alert in a user's scope and subscription, and every one sent to them (an
    escalation), newest first, whatever channels they linked (even none): id, time, rule,
    severity, title, body, link, acknowledgement, `read` (opened in the app by them), and
    `deliveries`: their (channel, status, reason) on each channel it went to."""
    columns = ["id", "created_at", "rule", "severity", "title", "body", "link"]
    columns += ["acked_at", "acked_by", "read", "deliveries"]
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            return pd.DataFrame(columns=columns)
        me = _subscriber(user, {}, _chosen(session.get(AlertSubscription, user.id)))
        sent: dict[int, list[tuple[str, str, str | None]]] = {}
        for alert_id, channel, status, error in session.execute(
            select(
                AlertDelivery.alert_id,
                AlertDelivery.channel,
                AlertDelivery.status,
                AlertDelivery.last_error,
            )
            .where(AlertDelivery.user_id == user.id)
            .order_by(AlertDelivery.channel)
        ):
            sent.setdefault(alert_id, []).append((channel, status, error))
        newest = session.scalars(select(Alert).order_by(Alert.id.desc()).limit(INBOX_SCAN))
        mine = [a for a in newest if a.id in sent or _in_list(me, a, overrides)][:limit]
        read = set(
            session.scalars(
                select(AlertRead.alert_id).where(
                    AlertRead.user_id == user.id, AlertRead.alert_id.in_([a.id for a in mine])
                )
            )
        )
        rows = [
            (
                a.id,
                a.created_at,
                a.rule,
                rules.severity_of(a.rule, overrides, a.severity or None),
                a.title,
                a.body,
                a.link,
                a.acked_at,
                a.acked_by,
                a.id in read,
                sent.get(a.id, []),
            )
            for a in mine
        ]
    return pd.DataFrame(rows, columns=columns)


def mark_read(
    engine: Engine,
    actor: Principal,
    alert_ids: Collection[int],
    overrides: Mapping[str, str] = {},
) -> int:
    """Mark alerts of the actor's own in-app list as read by them (others are left alone);
    returns how many were unread."""
    if not actor.username or not alert_ids:
        return 0
    listed = inbox(engine, actor.username, overrides, INBOX_SCAN)
    unread = listed[~listed["read"].astype(bool)]
    ids = [int(i) for i in unread["id"] if int(i) in set(alert_ids)]
    if not ids:
        return 0
    upsert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    now = utcnow()
    with writing(engine) as session, session.begin():
        user_id = session.scalar(select(User.id).where(User.username == actor.username))
        rows = [{"alert_id": i, "user_id": user_id, "read_at": now} for i in ids]
        session.execute(upsert(AlertRead).on_conflict_do_nothing(), rows)
    return len(ids)


def deliveries(engine: Engine, statuses: Collection[str] = (), limit: int = 500) -> pd.DataFrame:
    """Deliveries (of some statuses), newest first, with their alert and user."""
    query = (
        select(
            AlertDelivery.id,
            AlertDelivery.status,
            AlertDelivery.channel,
            User.username,
            Alert.rule,
            Alert.severity,
            Alert.title,
            AlertDelivery.attempts,
            AlertDelivery.next_at,
            AlertDelivery.last_error,
            Alert.created_at,
            AlertDelivery.sent_at,
        )
        .join(Alert, Alert.id == AlertDelivery.alert_id)
        .join(User, User.id == AlertDelivery.user_id)
        .order_by(AlertDelivery.id.desc())
        .limit(limit)
    )
    if statuses:
        query = query.where(AlertDelivery.status.in_(list(statuses)))
    return frame(engine, query)


def status_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(AlertDelivery.status, func.count()).group_by(AlertDelivery.status)
        ).all()
    return dict(rows)


def latencies(engine: Engine, since: datetime) -> pd.Series:
    """Seconds from an alert's commit to each delivery's hand-off, for deliveries sent since."""
    query = (
        select(Alert.created_at, AlertDelivery.sent_at)
        .join(Alert, Alert.id == AlertDelivery.alert_id)
        .where(AlertDelivery.sent_at >= since, AlertDelivery.status == "sent")
    )
    table = frame(engine, query)
    if table.empty:
        return pd.Series(dtype=float)
    created = pd.to_datetime(table["created_at"], utc=True)
    return (pd.to_datetime(table["sent_at"], utc=True) - created).dt.total_seconds()


def incident_alerts(engine: Engine, incident_id: int) -> pd.DataFrame:
    """An incident's alerts with who acknowledged them and when."""
    query = (
        select(
            Alert.id,
            Alert.created_at,
            Alert.severity,
            Alert.title,
            Alert.acked_by,
            Alert.acked_at,
            Alert.escalation,
        )
        .where(Alert.incident_id == incident_id)
        .order_by(Alert.id.desc())
    )
    return frame(engine, query)


def oldest_waiting(engine: Engine) -> datetime | None:
    """When the oldest delivery still to go out (pending or being sent) was written."""
    waiting = AlertDelivery.status.in_(("pending", "sending"))
    with engine.connect() as conn:
        return conn.scalar(select(func.min(AlertDelivery.created_at)).where(waiting))
