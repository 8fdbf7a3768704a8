"""Helpers for the alerts tests: accounts with linked channels, an incident that alerts."""

from __future__ import annotations

from datetime import timedelta

from command_center.base.auth import SYSTEM, Principal
from command_center.base.times import utcnow
from command_center.stores import accounts
from command_center.stores import alerts as alert_store
from command_center.stores import incidents as incident_store
from command_center.stores.incidents import NewIncident

OPERATOR = Principal("Operator Cianjur", "operator", "32.03", "op_cianjur")
DAYEUHKOLOT, BALEENDAH = "32.04.12", "32.04.32"
# the tests' webhook receivers listen on this machine: allowed as a LAN receiver would be
LAN = ("localhost", "127.0.0.1")


def person(engine, username: str, role: str = "operator", scope: str | None = "32.04", **links):
    """An account with `links` (channel=address), named by the part before `_`; an admin
    links them, webhooks with `LAN` allowed."""
    accounts.create_user(engine, SYSTEM, username, None, role, scope, username)
    for channel, address in links.items():
        if channel == "telegram":  # as a user does: the code sent to the bot from the chat
            code = alert_store.start_telegram(engine, SYSTEM, username)
            alert_store.link_telegram(engine, f"/start {code}", address)
        else:
            alert_store.set_address(engine, SYSTEM, username, channel, address, LAN)
    return username


def flood(engine, name: str = "Banjir Dayeuhkolot", actor: Principal | None = None) -> int:
    """Open a flood in Kab. Bandung (32.04) by hand; returns its id."""
    entry = NewIncident("banjir", name, (DAYEUHKOLOT, BALEENDAH), utcnow() - timedelta(hours=2))
    key = incident_store.open_incident(engine, entry, actor or Principal("Operator", "operator"))
    return incident_store.incident_id(engine, key)
