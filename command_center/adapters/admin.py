"""Admin page: accounts, wall-screen tokens and the audit log (read-only, exportable)."""

from __future__ import annotations

import pandas as pd

from command_center import accounts, resources, store
from command_center.auth import Principal, require
from command_center.labels import action_label, entity_label, fields_text, number, t
from command_center.models import AuditEntry
from command_center.services import audit_chain, exports
from command_center.services.briefing import wall_screen_url
from command_center.times import format_wib


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
