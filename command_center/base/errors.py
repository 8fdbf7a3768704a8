"""The project's one error hierarchy. Messages are for the person who must act on them."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from typing import Any


class CommandCenterError(Exception):
    """Base class for every error this package raises on purpose."""


class BoundariesMissing(CommandCenterError):
    """No boundary file where settings point; the message says how to get one."""


class BasemapError(CommandCenterError):
    """The offline basemap file cannot be used; the message says why."""


class BoundariesDownloadFailed(CommandCenterError):
    """`command-center boundaries download` could not fetch or build the layer."""


class InvalidAreaCode(CommandCenterError, ValueError):
    """A Kemendagri code with the wrong format, or one that does not exist."""

    def __init__(self, code: object, reason: str, field: str = "kode"):
        self.code, self.reason, self.field = code, reason, field
        super().__init__(f"{field}: {code!r} {reason}")


class SchemaRefused(CommandCenterError):
    """The database's schema revision is one this code will not migrate from or to: one a
    newer release wrote, or an older one than the database is at (a downgrade)."""


class FeedError(CommandCenterError):
    """A hazard feed could not be used this time."""


class FeedUnavailable(FeedError):
    """The feed did not answer usefully: timeout, refused, 5xx, 429, an error page."""


class FeedFormatError(FeedError):
    """The feed answered, but the payload is not what its parser expects."""


class StaleRecord(CommandCenterError):
    """Someone else changed the row since it was read (optimistic locking).

    `by` and `at` say who changed it last and when, when the row records that.
    """

    def __init__(self, message: str, by: str | None = None, at: datetime | None = None):
        self.by, self.at = by, at
        super().__init__(message)


class NotFound(CommandCenterError, LookupError):
    """The row asked for does not exist (any more)."""


class IllegalTransition(CommandCenterError):
    """A team status change the lifecycle does not allow; `hint` names the way that does."""

    def __init__(self, current: str, target: str, hint: str):
        self.current, self.target, self.hint = current, target, hint
        super().__init__(f"a team cannot go from {current} to {target} ({hint})")


class TeamBusy(CommandCenterError):
    """The team cannot take this assignment: it is deployed elsewhere or not available."""

    def __init__(self, team: str, status: str, kecamatan_code: str | None = None):
        self.team, self.status, self.kecamatan_code = team, status, kecamatan_code
        where = f" in {kecamatan_code}" if kecamatan_code else ""
        super().__init__(f"{team} is {status}{where}")


class InvalidInput(CommandCenterError, ValueError):
    """Input that failed validation; `errors` lists (field, code, params) for each problem."""

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.code} {e.params}" for e in errors))


@dataclass(frozen=True)
class FieldError:
    """One problem with one field; `code` is a label key suffix (`err_<code>`)."""

    field: str
    code: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)


class ImportFileError(CommandCenterError, ValueError):
    """An uploaded file that cannot be imported at all: too large, wrong type, no header row."""


class NotReports(ImportFileError):
    """A readable file that is not a table of reports at all (`services.report_files.refusal`
    gives the `reason`)."""

    def __init__(self, file_name: str, reason: str):
        super().__init__(f"{file_name}: not a table of kecamatan reports ({reason})")
        self.file_name, self.reason = file_name, reason


class NeedsConfirmation(CommandCenterError):
    """Valid input that looks wrong (e.g. a figure dropped sharply); saved only when confirmed."""

    def __init__(self, warnings: list[FieldError]):
        self.warnings = warnings
        super().__init__("; ".join(f"{w.field}: {w.code} {w.params}" for w in warnings))


class Forbidden(CommandCenterError, PermissionError):
    """The user's role or area scope does not allow this change."""

    def __init__(self, who: str, permission: str, area_code: str | None = None):
        self.who, self.permission, self.area_code = who, permission, area_code
        where = f" in {area_code}" if area_code else ""
        super().__init__(f"{who} may not {permission}{where}")


class SignInRefused(CommandCenterError):
    """A sign-in refused before the password counts: the username or the client failed too
    often lately and must wait `seconds` more."""

    def __init__(self, seconds: int):
        self.seconds = seconds
        super().__init__(f"sign-in refused for {seconds} s")


class TeamsDeployed(CommandCenterError):
    """An incident cannot close while these teams are still deployed to it."""

    def __init__(self, teams: list[str]):
        self.teams = teams
        super().__init__(f"teams still deployed: {', '.join(teams)}")


class DuplicateHousehold(CommandCenterError):
    """This family is already registered for the incident (same KK, or a member's NIK is in
    another household): `household_id` names it; saving again with `merge_into` merges."""

    def __init__(self, household_id: int, reason: str, field: str, by: str | None = None):
        self.household_id, self.reason, self.field, self.by = household_id, reason, field, by
        super().__init__(f"{field}: already in household {household_id} ({reason})")


# why a destination is refused, in the words an admin reads in the outbox
DESTINATION_REFUSALS = {
    "bad_url": "not an http(s) URL with a host name",
    "unresolved": "the host name does not resolve",
    "private": "a loopback, private or shared address, and the host is not in "
    "CC_WEBHOOK_ALLOWED_HOSTS",
    "never": "a link-local, cloud metadata, multicast or reserved address (never sent to)",
}


class DestinationRefused(CommandCenterError):
    """A URL the server will not send to (`destinations.vet`): `reason` is a key of
    `DESTINATION_REFUSALS`; `name` is the host (the URL when it has none), `address` the
    refused address."""

    def __init__(self, reason: str, name: str, address: str | None = None):
        self.reason, self.name, self.address = reason, name, address
        where = f"{name} ({address})" if address else name
        super().__init__(f"{where}: {DESTINATION_REFUSALS[reason]}")
