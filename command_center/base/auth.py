"""Who may do what: principals, roles and area scopes.

Every write in the stores calls `require(actor, permission)` or, for a record in an area,
`require_in(actor, permission, area_code)`, so the rules hold whatever the UI shows (the
table of write paths is `docs/permissions.md`, checked by `tests/test_permissions.py`). Roles:

- viewer (officials): read and the briefing only;
- operator: incidents (open, edit, area, confirm proposals), impact reports, verification,
  affected households (entered, seen masked), sitreps, shelters and dapur umum;
- coordinator: incidents too, their emergency phases and closing; teams, members, status
  changes and assignments, roster imports, sitreps; field reporters' links; stock, shelters
  and dapur umum (as logistik);
- logistik: warehouses and their stock (receipts, dispatches, transfers, adjustments,
  receipts of dispatches, opening stock imports), shelters and dapur umum;
- pendata (data officers of the Dinas Sosial): affected households, their personal data in
  clear (every view audited with a reason), named exports, registry extracts and the
  assistance payments;
- admin: everything, plus releasing a lumbung sosial's stock past its rule (with a reason),
  reopening and merging incidents, users, wall-screen tokens, the audit log, and the
  alerts' dead letters (retried or discarded).

A scope (a province `32` or kabupaten `32.03` code) limits writes to records in that area. A
record whose area is unknown lies in no scope: only unscoped principals may change it.
Accounts and wall-screen tokens are in `stores/accounts.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from command_center.base.errors import FieldError, Forbidden, InvalidInput

ROLES = ("viewer", "operator", "coordinator", "logistik", "pendata", "admin")
PERMISSIONS = {
    "viewer": frozenset(),
    "operator": frozenset({"incident", "report", "verify", "sitrep", "shelter", "household"}),
    "coordinator": frozenset(
        {"incident", "phase", "team", "sitrep", "reporters", "stock", "shelter"}
    ),
    "logistik": frozenset({"stock", "shelter"}),
    "pendata": frozenset({"household", "pii", "assistance"}),
    "admin": frozenset(
        {
            "incident",
            "phase",
            "merge",
            "report",
            "verify",
            "sitrep",
            "team",
            "reporters",
            "stock",
            "shelter",
            "release",
            "household",
            "pii",
            "assistance",
            "users",
            "audit",
            "alerts",
        }
    ),
}


@dataclass(frozen=True)
class Principal:
    """Someone acting: `name` goes into the audit log. `username` is the account behind it
    (re-read on every run). A wall screen's token (`kiosk`) reads the briefing of its scope,
    or of one `incident_id`, and nothing else."""

    name: str
    role: str
    scope: str | None = None
    username: str | None = None
    kiosk: bool = False
    incident_id: int | None = None

    def covers(self, area_code: str | None) -> bool:
        """Whether `area_code` lies inside this principal's scope (no scope: everywhere).
        An unknown area (None) lies inside no scope."""
        if self.scope is None:
            return True
        if area_code is None:
            return False
        return area_code == self.scope or area_code.startswith(self.scope + ".")


SYSTEM = Principal("system", "admin")
V = TypeVar("V")


def permits(actor: Principal, permission: str) -> bool:
    """Whether `actor`'s role grants `permission` somewhere (to show or hide a control)."""
    return permission in PERMISSIONS.get(actor.role, frozenset())


def require(actor: Principal, permission: str) -> None:
    """Refuse unless `actor`'s role grants `permission` (for actions not tied to one area).

    Raises:
        Forbidden: naming who and what.
    """
    if not permits(actor, permission):
        raise Forbidden(actor.name, permission)


def require_in(actor: Principal, permission: str, area_code: str | None) -> None:
    """Refuse unless `actor`'s role grants `permission` and its scope covers `area_code`;
    None (the area is unknown) is covered by unscoped principals only.

    Raises:
        Forbidden: naming who, what and where.
    """
    require(actor, permission)
    if not actor.covers(area_code):
        raise Forbidden(actor.name, permission, area_code or "?")


def within(actor: Principal, options: Mapping[str, V]) -> dict[str, V]:
    """The pick-list `options` (keyed by area code) inside `actor`'s scope, in their order:
    a picker offers only what the stores would accept from `actor` (everything, unscoped)."""
    return {code: label for code, label in options.items() if actor.covers(code)}


def in_scope(actor: Principal, area_code: str, field: str = "kecamatan_code") -> None:
    """A row-level scope check for imports: an out-of-scope row is an input error."""
    if not actor.covers(area_code):
        raise InvalidInput([FieldError(field, "out_of_scope", {"value": area_code})])
