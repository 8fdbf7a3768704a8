"""Admin page: accounts, wall-screen tokens, the audit log (read-only, exportable) and the
system's figures (read-only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from command_center.base import resources
from command_center.base.auth import Principal, require
from command_center.base.labels import action_label, entity_label, feed_name, fields_text, number, t
from command_center.base.models import AuditEntry
from command_center.base.times import age_minutes, format_age, format_wib, utcnow
from command_center.services import audit_chain, exports
from command_center.services.briefing import wall_screen_url
from command_center.services.reruns import quantile
from command_center.stores import accounts, backups, system
from command_center.stores import common as store


def load_users(actor: Principal, lang: str) -> pd.DataFrame:
    rows = accounts.users(resources.engine(), actor)
    return pd.DataFrame(
        {
            t("username", lang): [u.username for u in rows],
            t("display_name", lang): [u.display_name for u in rows],
            t("role", lang): [t(f"role_{u.role}", lang) for u in rows],
            t("field_scope", lang): [u.scope or "-" for u in rows],
            t("col_active", lang): [t("yes" if u.active else "no", lang) for u in rows],
        }
    )


def load_tokens(actor: Principal, lang: str) -> pd.DataFrame:
    rows = accounts.tokens(resources.engine(), actor)
    return pd.DataFrame(
        {
            "id": [r.id for r in rows],
            t("token_label", lang): [r.label for r in rows],
            t("field_scope", lang): [
                r.scope or "-" if r.incident_id is None else f"#{r.incident_id}" for r in rows
            ],
            t("col_by", lang): [r.created_by for r in rows],
            t("col_time", lang): [format_wib(r.created_at, lang) for r in rows],
            t("col_revoked", lang): [format_wib(r.revoked_at, lang) for r in rows],
        }
    )


def load_sessions(actor: Principal, username: str, lang: str) -> pd.DataFrame:
    """The open sign-in sessions of `username` (in the admin's scope)."""
    rows = accounts.open_sessions(resources.engine(), actor, username.strip())
    return pd.DataFrame(
        {
            "id": [r["id"] for r in rows],
            t("col_client", lang): [r["client"] for r in rows],
            t("col_device", lang): [r["agent"] for r in rows],
            t("col_signed_in", lang): [format_wib(r["created_at"], lang) for r in rows],
            t("col_expires", lang): [format_wib(r["expires_at"], lang) for r in rows],
        }
    )


def revoke_session(actor: Principal, session_id: int) -> None:
    resources.written(accounts.revoke_session(resources.engine(), actor, session_id))


def load_audit(actor: Principal, lang: str, search: str = "", limit: int = 2000) -> pd.DataFrame:
    """The newest audit entries, optionally only those mentioning `search`."""
    require(actor, "audit")
    entries = store.audit_entries(resources.engine(), limit)
    table = pd.DataFrame(
        {
            t("col_time", lang): [format_wib(at, lang) for at in entries["at"]],
            t("col_by", lang): entries["actor"],
            t("col_action", lang): [action_label(a, lang) for a in entries["action"]],
            t("col_entity", lang): [
                f"{entity_label(e, lang)} #{i}"
                for e, i in zip(entries["entity"], entries["entity_id"], strict=True)
            ],
            t("col_before", lang): [fields_text(v, lang) for v in entries["before"]],
            t("col_after", lang): [fields_text(v, lang) for v in entries["after"]],
        }
    )
    if search:
        mask = table.apply(lambda r: r.astype(str).str.contains(search, case=False, regex=False))
        table = table[mask.any(axis=1)]
    return table


# also every few minutes: an edit made around the app does not move the data version
@resources.cached(AuditEntry, ttl=300)
def _audit_chain() -> audit_chain.ChainState:
    return store.verify_audit(resources.engine())


def load_audit_chain(actor: Principal, lang: str) -> tuple[bool, str]:
    """Whether the audit log's hash chain is intact, and the sentence that says so."""
    require(actor, "audit")
    state = _audit_chain()
    if state.intact:
        count = number(state.checked, lang)
        return True, t("audit_chain_ok", lang, count=count, head=state.head_seq)
    reason = t(f"audit_chain_{state.reason}", lang)
    return False, t("audit_chain_broken", lang, id=state.broken_id, reason=reason)


def audit_csv(table: pd.DataFrame) -> bytes:
    """The audit table as CSV; cells a spreadsheet would run as formulas are made inert."""
    return exports.to_csv(table)


def add_user(actor: Principal, values: dict) -> int:
    """Add an account; a password the admin typed must be changed at the first sign-in."""
    first = values.get("password") is not None
    engine = resources.engine()
    return resources.written(
        accounts.create_user(engine, actor, **values, must_change_password=first)
    )


def edit_user(
    actor: Principal,
    username: str,
    role: str | None,
    scope: str,
    password: str,
    active: bool | None,
    unlock: bool,
) -> None:
    """Change what the form says; an empty scope leaves it, `-` makes it national."""
    changes = {
        "role": role,
        "scope": accounts.KEEP if not scope.strip() else (None if scope.strip() == "-" else scope),
        "password": password or None,
        "active": active,
        "unlock": unlock,
    }
    resources.written(accounts.set_user(resources.engine(), actor, username.strip(), **changes))


def add_token(actor: Principal, label: str, scope: str = "", incident_id: int | None = None) -> str:
    """A new wall-screen token's address (shown once); an empty scope is the admin's own."""
    scope_or_own = scope.strip() or accounts.KEEP
    engine = resources.engine()
    token = resources.written(
        accounts.create_token(engine, actor, label, scope_or_own, incident_id)
    )
    return wall_screen_url(resources.settings().public_url, token)


def revoke_token(actor: Principal, token_id: int) -> None:
    resources.written(accounts.revoke_token(resources.engine(), actor, token_id))


@dataclass(frozen=True)
class SystemView:
    """The Sistem tab: headline figures (label, value) and three tables."""

    figures: list[tuple[str, str]]
    feeds: pd.DataFrame
    deliveries: pd.DataFrame
    processes: pd.DataFrame


def _age(moment: datetime | None, now: datetime, lang: str) -> str:
    if moment is None:
        return t("sys_not_known", lang)
    return format_age(age_minutes(moment, now), lang)


def _audit(ok: bool | None, lang: str) -> str:
    return t("sys_not_known" if ok is None else "sys_audit_ok" if ok else "sys_audit_broken", lang)


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def load_system(actor: Principal, lang: str) -> SystemView:
    """The figures the worker's `/metrics` gives, read from the store now (not cached; the
    audit chain's state as the audit tab has it)."""
    require(actor, "audit")
    now, settings = utcnow(), resources.settings()
    checks = system.Checks(
        lambda: backups.newest(settings.backup_folder), lambda: _audit_chain().intact
    )
    found = system.figures(resources.engine(), now, settings.stale_after_min, checks)
    feeds = pd.DataFrame(
        {
            t("col_feed", lang): [feed_name(f["feed"], lang) for f in found.feeds],
            t("col_status", lang): [t(f"state_{f['state']}", lang) for f in found.feeds],
            t("col_age", lang): [
                "-" if f["age_s"] is None else format_age(f["age_s"] / 60, lang)
                for f in found.feeds
            ],
            t("col_error", lang): [f["error"] or "-" for f in found.feeds],
        }
    )
    deliveries = pd.DataFrame(
        {
            t("col_status", lang): [t(f"delivery_{s}", lang) for s in found.deliveries],
            t("col_count", lang): list(found.deliveries.values()),
        }
    )
    apps = found.processes
    processes = pd.DataFrame(
        {
            t("col_process", lang): [a.process for a in apps],
            t("col_sessions", lang): [a.sessions for a in apps],
            t("col_reruns", lang): [a.rerun_buckets.get("+Inf", 0) for a in apps],
            t("col_rerun_p50", lang): [_seconds(quantile(0.5, a.rerun_buckets)) for a in apps],
            t("col_rerun_p95", lang): [_seconds(quantile(0.95, a.rerun_buckets)) for a in apps],
            t("col_seen", lang): [format_wib(a.seen_at, lang) for a in apps],
        }
    )
    figures = [
        (t("sys_backlog", lang), str(found.backlog)),
        (t("sys_dead", lang), str(found.dead)),
        (t("sys_oldest", lang), _age(found.oldest_waiting, now, lang)),
        (t("sys_backup", lang), _age(found.last_backup_at, now, lang)),
        (t("sys_audit", lang), _audit(found.audit_chain_ok, lang)),
    ]
    return SystemView(figures, feeds, deliveries, processes)
