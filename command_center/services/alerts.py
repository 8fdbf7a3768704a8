"""Alerts out: the rules, who wants which alert on which channel, and each channel's message.

Pure functions on plain data. The outbox (`stores/outbox.py`) writes alerts in the transaction of
the change behind them; `stores/alerts.py` fans them out with `recipients` and the sender
(`workers/alert_sender.py`) hands each delivery to its channel (`channels/`) with these messages.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

SEVERITIES = ("info", "warning", "critical")
CHANNELS = ("telegram", "whatsapp", "email", "webhook")


@dataclass(frozen=True)
class Rule:
    """An alert rule: its default severity and when it fires (the docs' rules table)."""

    severity: str
    when: str


# an admin tunes the severities with CC_ALERT_RULES ({"rule": "off"})
RULES = {
    "incident_proposed": Rule("warning", "a hazard feed proposes an incident in the area"),
    "incident_opened": Rule("warning", "an incident is opened by hand or a proposal confirmed"),
    "incident_phase": Rule(
        "warning",
        "an emergency phase decree (SK) is recorded, or confirmed by a second person",
    ),
    "incident_closed": Rule("info", "the incident is closed (with its final sitrep number)"),
    "weather_warning": Rule(
        "warning", "a Severe CAP warning covers kecamatan of the area (Extreme: critical)"
    ),
    "tsunami_warning": Rule(
        "critical",
        "an InaTEWS warning: **to everyone with a linked channel**, whatever they subscribed to",
    ),
    "volcano_level": Rule(
        "warning", "a volcano's activity level changes (MAGMA / PVMBG); Level IV (Awas) is critical"
    ),
    "feed_stale": Rule(
        "warning", "a polled feed has not succeeded for `CC_STALE_AFTER_MIN` (to national users)"
    ),
    "deployment_silent": Rule(
        "warning",
        "a deployed team without a status update for `CC_ALERT_DEPLOYMENT_SILENT_H` (12) hours",
    ),
    "report_waiting": Rule("info", "a report unverified for `CC_ALERT_REPORT_WAITING_H` (6) hours"),
    "sitrep_issued": Rule(
        "info",
        "a Laporan Situasi is issued (by hand, on schedule or at closing), with its file",
    ),
    "stock_low": Rule(
        "warning",
        "a daily item in the incident's kabupaten covers fewer than `CC_ALERT_STOCK_DAYS` (3) "
        "days for the displaced people of its verified reports",
    ),
    "test": Rule("info", "a test message on a user's channels (`command-center alerts test`)"),
}
EVERYONE = frozenset({"tsunami_warning"})  # rules that ignore areas, hazards and severity
ESCALATION = ("coordinator", "admin")  # an unacknowledged critical alert goes up one by one
MAX_BACKOFF_S = 3600.0


def rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0


def severity_of(rule: str, overrides: Mapping[str, str], proposed: str | None = None) -> str | None:
    """The severity an alert of `rule` goes out with (None: the rule is off). An admin's
    override wins over what the change proposed (an Extreme warning), which wins over the
    rule's default."""
    chosen = overrides.get(rule) or proposed or (RULES[rule].severity if rule in RULES else "info")
    return None if chosen == "off" else chosen


@dataclass(frozen=True)
class Subscriber:
    """A user with what they subscribed to (or the defaults) and their linked channels."""

    user_id: int
    username: str
    role: str
    scope: str | None
    links: Mapping[str, str]  # channel -> address, linked ones only
    areas: tuple[str, ...] = ()  # empty: their scope
    hazards: tuple[str, ...] = ()  # empty: all
    min_severity: str = "info"
    channels: tuple[str, ...] = ()  # empty: every linked channel
    quiet_from: str | None = None
    quiet_until: str | None = None
    zone: str = "Asia/Jakarta"


@dataclass(frozen=True)
class AlertFacts:
    rule: str
    severity: str
    areas: tuple[str, ...]  # empty: national
    hazard: str | None = None


def _inside(code: str, area: str) -> bool:
    return code == area or code.startswith(area + ".")


def covers(scope: str | None, areas: Iterable[str]) -> bool:
    """Whether an area list (one of them) lies in `scope` or holds it; no scope: everywhere.
    A national alert (no areas) reaches only the national."""
    areas = tuple(areas)
    if scope is None:
        return True
    return any(_inside(code, scope) or _inside(scope, code) for code in areas)


def wants(subscriber: Subscriber, alert: AlertFacts) -> bool:
    """Whether the subscriber is to be told: a tsunami warning always; otherwise the area (their
    chosen areas inside their scope), the hazard type and the minimum severity must fit."""
    if alert.rule in EVERYONE:
        return True
    if not covers(subscriber.scope, alert.areas):
        return False
    if subscriber.areas and not any(covers(area, alert.areas) for area in subscriber.areas):
        return False
    if subscriber.hazards and alert.hazard and alert.hazard not in subscriber.hazards:
        return False
    return rank(alert.severity) >= rank(subscriber.min_severity)


def channels_of(subscriber: Subscriber) -> list[tuple[str, str]]:
    """(channel, address) pairs a subscriber is told on: those chosen that are linked."""
    chosen = subscriber.channels or CHANNELS
    return [(c, subscriber.links[c]) for c in CHANNELS if c in chosen and c in subscriber.links]


def recipients(
    alert: AlertFacts, subscribers: Iterable[Subscriber]
) -> list[tuple[Subscriber, str, str]]:
    """Everyone to tell of `alert`, on each of their channels."""
    return [(s, c, a) for s in subscribers if wants(s, alert) for c, a in channels_of(s)]


def escalation_targets(
    alert: AlertFacts, level: int, subscribers: Iterable[Subscriber]
) -> list[tuple[Subscriber, str, str]]:
    """The users of the `level`-th escalation role whose scope covers the alert (on every
    linked channel: what they subscribed to does not hold back an escalation)."""
    role = ESCALATION[level]
    return [
        (s, c, a)
        for s in subscribers
        if s.role == role and covers(s.scope, alert.areas)
        for c, a in s.links.items()
    ]


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def quiet_error(text: str | None) -> bool:
    """Whether a quiet-hours bound is not an "HH:MM" time."""
    if not text:
        return False
    if not re.fullmatch(r"\d{1,2}:\d{2}", text.strip()):
        return True
    hours, minutes = (int(p) for p in text.strip().split(":"))
    return hours > 23 or minutes > 59


def held_until(subscriber: Subscriber, severity: str, now: datetime) -> datetime | None:
    """When a delivery may go out if `now` is in the subscriber's quiet hours (local time);
    None: at once. Critical alerts ignore quiet hours; nothing is dropped, only held."""
    if severity == "critical" or not subscriber.quiet_from or not subscriber.quiet_until:
        return None
    start, end = _clock(subscriber.quiet_from), _clock(subscriber.quiet_until)
    local = now.astimezone(ZoneInfo(subscriber.zone))
    clock = local.time().replace(second=0, microsecond=0)
    quiet = start <= clock < end if start <= end else clock >= start or clock < end
    if not quiet:
        return None
    until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if until <= local:
        until += timedelta(days=1)
    return until


def backoff_s(attempt: int, base_s: float) -> float:
    """The wait before retry number `attempt` (1 = the first retry): doubling, capped."""
    return min(MAX_BACKOFF_S, base_s * 2 ** max(0, attempt - 1))


def delivery_key(alert_id: int, user_id: int, channel: str) -> str:
    """The idempotency key of one alert to one user on one channel."""
    return f"cc-{alert_id}-{user_id}-{channel}"


# -- messages ---------------------------------------------------------------------------------

SEVERITY_WORDS = {"info": "Info", "warning": "Waspada", "critical": "KRITIS"}
SITREP_FORMATS = ("pdf", "png", "text")  # how a subscriber gets an issued sitrep
MIME_TYPES = {"pdf": "application/pdf", "png": "image/png"}


@dataclass(frozen=True)
class Attachment:
    """A file that goes with a message (an issued sitrep's PDF or image)."""

    name: str
    kind: str  # pdf or png
    content: bytes

    @property
    def mime(self) -> str:
        return MIME_TYPES[self.kind]


SITREP_LINK_H = 72  # a sitrep's download link works this long


def _link_signature(secret: str, sitrep_id: int, kind: str, until: int) -> str:
    key = hmac.new(secret.encode(), b"sitrep-link", hashlib.sha256).digest()  # its own key
    return hmac.new(key, f"{sitrep_id}:{kind}:{until}".encode(), hashlib.sha256).hexdigest()


def sitrep_link(base: str, secret: str, sitrep_id: int, kind: str, now: datetime) -> str:
    """The signed link to one issued sitrep's file (`kind` pdf or png), good for
    `SITREP_LINK_H` hours: `<base>/sitrep?id=..&kind=..&until=..&sig=..`."""
    until = int((now + timedelta(hours=SITREP_LINK_H)).timestamp())
    sig = _link_signature(secret, sitrep_id, kind, until)
    return f"{base.rstrip('/')}/sitrep?id={sitrep_id}&kind={kind}&until={until}&sig={sig}"


def link_holds(secret: str, sitrep_id: int, kind: str, until: int, sig: str, now: datetime) -> bool:
    """Whether a download link is ours, unchanged and not expired."""
    good = hmac.compare_digest(_link_signature(secret, sitrep_id, kind, until), sig)
    return good and now.timestamp() <= until


def sitrep_attachment(number: int, kind: str, content: bytes) -> Attachment:
    """An issued sitrep's file as it is sent: `laporan-situasi-no-3.pdf`."""
    return Attachment(f"laporan-situasi-no-{number}.{kind}", kind, content)


@dataclass(frozen=True)
class Message:
    """One alert as it goes out: plain text as written (user text included, unescaped here)."""

    key: str
    rule: str
    severity: str
    title: str
    body: str
    link: str  # absolute
    ack_token: str | None = None  # critical alerts: acknowledged by link or button
    ack_link: str | None = None
    created_at: datetime | None = None
    attachment: Attachment | None = None  # sent as a file where the channel can
    download_link: str | None = None  # the file's signed link, where a file cannot go

    @property
    def heading(self) -> str:
        return f"[{SEVERITY_WORDS.get(self.severity, self.severity)}] {self.title}"


def plain_text(message: Message) -> str:
    """The message as plain text (e-mail's text part, a WhatsApp gateway's message)."""
    lines = [message.heading, message.body, f"Buka: {message.link}"]
    if message.download_link:
        lines.append(f"Unduh: {message.download_link}")
    if message.ack_link:
        lines.append(f"Terima/ACK: {message.ack_link}")
    return "\n".join(line for line in lines if line)


def telegram_html(message: Message) -> str:
    """The message in Telegram's HTML mode: every text escaped, links as anchors."""
    parts = [
        f"<b>{html.escape(message.heading, quote=False)}</b>",
        html.escape(message.body, quote=False),
        f'<a href="{html.escape(message.link)}">Buka di dasbor</a>',
    ]
    return "\n".join(p for p in parts if p)


def email_html(message: Message) -> str:
    """The e-mail's HTML part: every text escaped (a name typed by a user stays text)."""
    body = html.escape(message.body).replace("\n", "<br>")
    ack = (
        f'<p><a href="{html.escape(message.ack_link)}"><b>Terima/ACK</b></a></p>'
        if message.ack_link
        else ""
    )
    return (
        f"<html><body><h3>{html.escape(message.heading)}</h3><p>{body}</p>"
        f'<p><a href="{html.escape(message.link)}">Buka di dasbor</a></p>{ack}</body></html>'
    )


def template_parameter(text: str, limit: int = 1000) -> str:
    """A WhatsApp template parameter: the Cloud API refuses newlines, tabs and more than four
    spaces in a row inside one."""
    flat = re.sub(r"\s+", " ", text).strip()
    return flat[:limit] or "-"


def webhook_payload(message: Message) -> bytes:
    """The webhook's JSON body (documented in `docs/alerts.md`)."""
    payload = {
        "id": message.key,
        "rule": message.rule,
        "severity": message.severity,
        "title": message.title,
        "body": message.body,
        "link": message.link,
        "ack_link": message.ack_link,
        "download": message.download_link,
        "created_at": message.created_at.isoformat() if message.created_at else None,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over `timestamp.body`: a receiver recomputes it with the
    shared secret and compares in constant time (and refuses an old timestamp)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does with `X-CC-Signature`."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)
