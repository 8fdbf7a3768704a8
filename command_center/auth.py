"""Who may do what: principals, roles and area scopes.

Every write in the stores calls `require(actor, permission, area_code)`, so the rules hold
whatever the UI shows. Roles:

- viewer (officials): read and the briefing only;
- operator: incidents, impact reports, verification, sitreps;
- coordinator: teams, members, status changes and assignments, roster imports, sitreps;
- admin: everything, plus users, wall-screen tokens and the audit log.

A scope (a province `32` or kabupaten `32.03` code) limits writes to records in that area.
Accounts and wall-screen tokens are in `accounts.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from command_center.errors import FieldError, Forbidden, InvalidInput

ROLES = ("viewer", "operator", "coordinator", "admin")
PERMISSIONS = {
    "viewer": frozenset(),
    "operator": frozenset({"incident", "report", "verify", "sitrep"}),
    "coordinator": frozenset({"team", "sitrep"}),
    "admin": frozenset({"incident", "report", "verify", "sitrep", "team", "users", "audit"}),
}


@dataclass(frozen=True)
class Principal:
    """Someone acting: `name` goes into the audit log."""

    name: str
    role: str
    scope: str | None = None

    def covers(self, area_code: str | None) -> bool:
        """Whether `area_code` lies inside this principal's scope (no scope: everywhere)."""
        if self.scope is None:
            return True
        code = area_code or ""
        return code == self.scope or code.startswith(self.scope + ".")


SYSTEM = Principal("system", "admin")


def require(actor: Principal, permission: str, area_code: str | None = None) -> None:
    """Refuse unless `actor`'s role grants `permission` and its scope covers `area_code`.

    Raises:
        Forbidden: naming who, what and where.
    """
    allowed = permission in PERMISSIONS.get(actor.role, frozenset())
    if not allowed or (area_code is not None and not actor.covers(area_code)):
        raise Forbidden(actor.name, permission, area_code)


def in_scope(actor: Principal, area_code: str, field: str = "kecamatan_code") -> None:
    """A row-level scope check for imports: an out-of-scope row is an input error."""
    if not actor.covers(area_code):
        raise InvalidInput([FieldError(field, "out_of_scope", {"value": area_code})])
