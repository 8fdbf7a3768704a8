"""ODK Central / KoboToolbox submissions into kecamatan reports, each version once.

Every submission version pulled is remembered (`FormSubmission`): pulling again stores nothing
twice, and an edited submission (a new version of the same submission) lands as the next
version of its report. A submission the server's reviewer rejected, or one that fails the
report checks, waits in the reports quarantine with its reason, as an imported row would. All
of a pull is written in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from command_center.base.auth import Principal
from command_center.base.errors import FieldError, InvalidInput
from command_center.base.geography import Geography, normalise_code
from command_center.base.models import FormSubmission, Incident, IncidentArea, IncidentStatus
from command_center.base.times import utcnow
from command_center.services.reports import ReportInput
from command_center.sources.odk import Submission
from command_center.stores import imports
from command_center.stores.reports import REPORTS, ImportWriter, checked

OPEN = (IncidentStatus.OPEN,)
# a submission's identity (kept in `FormSubmission`) and Kobo's `formhub/uuid`: not answers
ODK_META = frozenset({"instanceID", "deprecatedID", "instanceName", "uuid"})


def seen(engine: Engine, server: str, form: str) -> set[str]:
    """The submission versions of `form` on `server` already pulled."""
    with Session(engine) as session:
        query = select(FormSubmission.version_id).where(
            FormSubmission.server == server, FormSubmission.form == form
        )
        return set(session.scalars(query))


def incident_of(engine: Engine) -> dict[str, int]:
    """Kecamatan → the newest open incident whose area holds it."""
    query = (
        select(IncidentArea.kecamatan_code, Incident.id)
        .join(Incident, Incident.id == IncidentArea.incident_id)
        .where(Incident.status.in_(OPEN))
        .order_by(Incident.started_at)
    )
    with Session(engine) as session:
        return dict(session.execute(query).all())  # later (newer) incidents win


def _values(submission: Submission, incident_id: int | None) -> dict[str, Any]:
    """A submission as a report row: the answers of our fields, the others kept under
    `~name` (as a file's other columns are) but for the submission's identity."""
    answers = submission.answers
    values: dict[str, Any] = {
        (key if key in ReportInput.model_fields else f"{imports.UNMAPPED}{key}"): value
        for key, value in answers.items()
        if key not in ODK_META
    }
    values["submission_id"] = submission.submission_id
    values["server_review"] = "rejected" if submission.rejected else ""
    values["reporter"] = answers.get("reporter") or submission.submitter or ""
    values["report_time"] = answers.get("report_time") or submission.submitted_at or ""
    if incident_id is not None:
        values["incident_id"] = incident_id
    return values


def _code(answers: dict[str, str]) -> str | None:
    try:
        return normalise_code(answers.get("kecamatan_code", ""))
    except ValueError:
        return None


def remember_pulled(
    session: Session,
    server: str,
    form: str,
    pulled: list[Submission],
    waits: Callable[[int, Submission], bool],
) -> None:
    """Record each pulled submission version (numbered from 1), so it is never stored twice;
    `waits(number, submission)` says whether it waits in quarantine."""
    for number, submission in enumerate(pulled, start=1):
        session.add(
            FormSubmission(
                server=server,
                form=form,
                submission_id=submission.submission_id,
                version_id=submission.version_id,
                outcome="quarantined" if waits(number, submission) else "landed",
                pulled_at=utcnow(),
            )
        )


def save_submissions(
    engine: Engine,
    server: str,
    form: str,
    submissions: list[Submission],
    geography: Geography | None,
    actor: Principal,
    incident_id: int | None = None,
) -> imports.ImportReport:
    """Store the submission versions not seen before as report versions, for `incident_id`
    or else the newest open incident holding the kecamatan; the rest wait in quarantine.

    Raises:
        Forbidden: `actor` may not record reports.
    """
    pulled = seen(engine, server, form)
    fresh = list({s.version_id: s for s in submissions if s.version_id not in pulled}.values())
    incidents = incident_of(engine) if incident_id is None else {}
    rows = []
    for number, submission in enumerate(fresh, start=1):
        target = incident_id or incidents.get(_code(submission.answers) or "")
        rows.append(imports.RawRow(number, _values(submission, target)))

    def check(values: dict[str, Any]) -> ReportInput:
        if values["server_review"] == "rejected":
            raise InvalidInput([FieldError("server_review", "rejected_on_server")])
        if values.get("incident_id") is None:
            raise InvalidInput([FieldError("incident_id", "no_open_incident")])
        return checked(values, geography)

    def remember(session: Session, problems: list[imports.RowProblem]) -> None:
        waiting = {p.number for p in problems}
        remember_pulled(session, server, form, fresh, lambda n, _: n in waiting)

    return imports.run_import(
        engine,
        REPORTS,
        f"odk:{form}",
        rows,
        check,
        ImportWriter(confirmed=False),  # sharp drops wait for an operator, as for any file
        actor,
        finish=remember,
    )
