"""Kecamatan impact reports in the store: new versions, verification, history, import.

Every version is kept; a new report from the same source for the same kecamatan gets the next
version number, in the order reports arrive. Which one is current is decided by report time
(`services.reports`): a report older than the current one of its kecamatan and source is
stored as history, and every save says so (`Saved.older_than`, an import's note). Verification
(verified, or rejected with a reason) is audited like every write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Engine, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from command_center.base.auth import Principal, in_scope, require, require_in
from command_center.base.db import writing
from command_center.base.errors import (
    FieldError,
    InvalidInput,
    NeedsConfirmation,
    NotFound,
    NotReports,
    StaleRecord,
)
from command_center.base.geography import Geography
from command_center.base.models import FIGURES, Area, ImpactReport, IncidentArea, Verification
from command_center.base.settings import ImportLimits
from command_center.base.times import utcnow
from command_center.services import report_files
from command_center.services.gazetteer import gazetteer_of
from command_center.services.reports import Reported, ReportInput, lowered_by, sharp_drops
from command_center.services.validation import LABEL, REASON, check_lengths
from command_center.stores import imports
from command_center.stores.common import frame, record_audit

REPORTS = "reports"  # the import kind of report files
HISTORY = "older_than_current"  # an imported report's note: it is stored as history


@dataclass(frozen=True)
class Saved:
    id: int
    version: int
    outside_area: bool  # the kecamatan is not in the incident's affected area
    older_than: datetime | None = None  # the current report's time, when this one is older

    @property
    def current(self) -> bool:
        """Whether it is now its source's current report for the kecamatan (else history)."""
        return self.older_than is None


Key = tuple[int, str, str]  # (incident, kecamatan, source)


def _reported(session: Session, *where: ColumnElement[bool]) -> dict[Key, Reported]:
    """What each source has reported of each kecamatan so far, of the versions `where` picks."""
    query = (
        select(
            ImpactReport.incident_id,
            ImpactReport.kecamatan_code,
            ImpactReport.source,
            ImpactReport.version,
            ImpactReport.report_time,
            ImpactReport.verification,
            *(getattr(ImpactReport, f) for f in FIGURES),
        )
        .where(*where)
        .order_by(ImpactReport.id)
    )
    said: dict[Key, Reported] = {}
    for row in session.execute(query):
        key = (row.incident_id, row.kecamatan_code, row.source)
        figures = {f: getattr(row, f) for f in FIGURES}
        rejected = row.verification == Verification.REJECTED
        said[key] = said.get(key, Reported()).add(row.version, row.report_time, figures, rejected)
    return said


def _row(version: int, report: ReportInput, actor: str) -> dict[str, Any]:
    """The column values of `report` stored as `version`."""
    return {
        **report.model_dump(exclude={"needs", "aid_delivered", "other_columns"}),
        "needs": [i.model_dump(exclude_none=True) for i in report.needs],
        "aid_delivered": [i.model_dump(exclude_none=True) for i in report.aid_delivered],
        "other_columns": report.other_columns or None,
        "version": version,
        "created_by": actor,
        "created_at": utcnow(),
    }


_NOT_REPEATED = {"report_time", "created_at"}  # a phone's second press is the same report


def _inside(session: Session, report: ReportInput) -> bool:
    """Whether the reported area is in the incident's area (a kabupaten: any of its kecamatan)."""
    query = select(IncidentArea.kecamatan_code).where(
        IncidentArea.incident_id == report.incident_id
    )
    if report.area_level == "kabupaten":
        query = query.where(IncidentArea.kecamatan_code.startswith(report.kecamatan_code + "."))
    else:
        query = query.where(IncidentArea.kecamatan_code == report.kecamatan_code)
    return session.scalar(query.limit(1)) is not None


def write_version(
    session: Session,
    report: ReportInput,
    actor: Principal,
    confirmed: bool,
    link_id: int | None = None,
) -> Saved:
    """Add `report` as the next version of its (incident, area, source), current or history
    by its report time; `link_id` is the field reporter's link it came through."""
    if session.get(Area, report.kecamatan_code) is None:
        raise InvalidInput(
            [FieldError("kecamatan_code", "unknown_kecamatan", {"value": report.kecamatan_code})]
        )
    reported = _reported(
        session,
        ImpactReport.incident_id == report.incident_id,
        ImpactReport.kecamatan_code == report.kecamatan_code,
        ImpactReport.source == report.source,
    )
    before = reported.get((report.incident_id, report.kecamatan_code, report.source), Reported())
    replaced = before.replaced(report.report_time)
    drops = [] if confirmed else sharp_drops(replaced, report.figures())
    if drops:
        raise NeedsConfirmation(drops)
    row = ImpactReport(**_row(before.version + 1, report, actor.name))
    row.reporter_link_id = link_id
    session.add(row)
    session.flush()
    inside = _inside(session, report)
    after = {"kecamatan_code": row.kecamatan_code, "source": row.source, "version": row.version}
    after |= {f: getattr(row, f) for f in FIGURES if getattr(row, f) is not None}
    record_audit(session, actor.name, "report", "impact_report", row.id, None, after)
    older_than = before.older_than(report.report_time)
    return Saved(row.id, row.version, outside_area=not inside, older_than=older_than)


def repeated(session: Session, report: ReportInput, link_id: int, since: datetime) -> Saved | None:
    """The version a field reporter's link stored since `since` as its newest for the report's
    incident, kecamatan and source, when `report` repeats it in every value but its time: the
    same report sent again from a phone that never saw the receipt. Else nothing."""
    last = session.scalars(
        select(ImpactReport)
        .where(
            ImpactReport.reporter_link_id == link_id,
            ImpactReport.incident_id == report.incident_id,
            ImpactReport.kecamatan_code == report.kecamatan_code,
            ImpactReport.source == report.source,
        )
        .order_by(ImpactReport.id.desc())
        .limit(1)
    ).first()
    if last is None or last.created_at < since:
        return None
    values = _row(last.version, report, last.created_by or "")
    if any(getattr(last, k) != v for k, v in values.items() if k not in _NOT_REPEATED):
        return None
    reported = _reported(
        session,
        ImpactReport.incident_id == report.incident_id,
        ImpactReport.kecamatan_code == report.kecamatan_code,
        ImpactReport.source == report.source,
    )
    now = reported[(report.incident_id, report.kecamatan_code, report.source)]
    inside = _inside(session, report)
    return Saved(last.id, last.version, not inside, now.older_than(last.report_time))


def save_report(
    engine: Engine, report: ReportInput, actor: Principal, confirmed: bool = False
) -> Saved:
    """Store a new report version.

    Raises:
        NeedsConfirmation: a figure fell sharply from the one it replaces (not `confirmed`).
        InvalidInput: the kecamatan is not in the store.
        StaleRecord: another report for the same kecamatan and source was saved at that moment.
        Forbidden: not an operator (or admin) of the kecamatan's area.
    """
    require_in(actor, "report", report.kecamatan_code)
    try:
        with writing(engine) as session, session.begin():
            return write_version(session, report, actor, confirmed)
    except IntegrityError as exc:  # the same version number taken by a concurrent writer
        raise StaleRecord(f"report for {report.kecamatan_code} saved meanwhile") from exc


def set_verification(
    engine: Engine,
    report_id: int,
    status: str,
    actor: Principal,
    reason: str | None = None,
    confirmed: bool = False,
) -> None:
    """Verify a report, or reject it with a reason. A decision that would lower a verified
    headline figure of its incident (what briefings show) waits for `confirmed`, and the audit
    entry records the figures it lowered (`lowered`: figure -> [before, after]).

    Raises:
        InvalidInput: rejected without a reason, or with one longer than `REASON`; decided by
            the one who entered it (`four_eyes`).
        NotFound: no such report.
        NeedsConfirmation: it lowers a published figure and is not `confirmed`.
    """
    reason = (reason or "").strip() or None
    check_lengths(rejection_reason=(reason, REASON))
    if status == Verification.REJECTED and not reason:
        raise InvalidInput([FieldError("rejection_reason", "missing")])
    with Session(engine) as session:
        incident_id = session.scalar(
            select(ImpactReport.incident_id).where(ImpactReport.id == report_id)
        )
    versions = all_versions(engine, incident_id) if incident_id else None
    lowered = lowered_by(versions, report_id, status) if versions is not None else {}
    if lowered and not confirmed:
        raise NeedsConfirmation(
            [
                FieldError(figure, "lowers_published", {"old": old, "value": new})
                for figure, (old, new) in lowered.items()
            ]
        )
    with writing(engine) as session, session.begin():
        row = session.get(ImpactReport, report_id)
        if row is None:
            raise NotFound(f"report {report_id}")
        require_in(actor, "verify", row.kecamatan_code)
        if row.created_by == actor.name:  # a report is checked by a second person
            raise InvalidInput([FieldError("verification", "four_eyes", {"value": actor.name})])
        before = {"verification": str(row.verification), "rejection_reason": row.rejection_reason}
        row.verification = status
        row.verified_by, row.verified_at = actor.name, utcnow()
        row.rejection_reason = reason if status == Verification.REJECTED else None
        after = {
            "verification": status,
            "rejection_reason": row.rejection_reason,
            "kecamatan_code": row.kecamatan_code,
            "incident_id": row.incident_id,
        }
        if lowered:
            after["lowered"] = {figure: list(pair) for figure, pair in lowered.items()}
        record_audit(session, actor.name, "verify", "impact_report", report_id, before, after)


def all_versions(
    engine: Engine, incident_id: int | None = None, level: str = "kecamatan"
) -> pd.DataFrame:
    """Every stored report version (of one incident) at one level, with the area's name: the
    kecamatan reports, or (`level="kabupaten"`) the kabupaten-level ones."""
    query = select(
        ImpactReport.id,
        ImpactReport.incident_id,
        ImpactReport.kecamatan_code,
        Area.name.label("kecamatan"),
        ImpactReport.area_level,
        ImpactReport.source,
        ImpactReport.version,
        ImpactReport.reporter,
        ImpactReport.report_time,
        ImpactReport.verification,
        ImpactReport.verified_by,
        ImpactReport.rejection_reason,
        *(getattr(ImpactReport, f) for f in FIGURES),
        ImpactReport.needs,
        ImpactReport.aid_delivered,
        ImpactReport.notes,
        ImpactReport.other_columns,
        ImpactReport.created_by,
        ImpactReport.created_at,
    ).join(Area, Area.code == ImpactReport.kecamatan_code)
    query = query.where(ImpactReport.area_level == level)
    if incident_id is not None:
        query = query.where(ImpactReport.incident_id == incident_id)
    versions = frame(engine, query.order_by(ImpactReport.kecamatan_code, ImpactReport.id))
    versions["verification"] = versions["verification"].astype(str)
    return versions


class ImportWriter:
    """Writes imported reports fast: the known kecamatan, and what each source reported of
    each kecamatan of an incident (`Reported`), are read once, and the rows go in as one bulk
    insert when the import closes the writer. The import itself is one audit entry
    (`imports.run_import`)."""

    def __init__(self, confirmed: bool):
        self.confirmed = confirmed
        self.areas: set[str] | None = None
        self.affected: set[tuple[int, str]] = set()
        self.read: set[int] = set()  # the incidents whose stored reports are read
        self.reported: dict[Key, Reported] = {}
        self.pending: list[dict[str, Any]] = []
        # the current report's time for each row stored as history, by the row's model (kept
        # by `run_import` until it asks for `notes`)
        self.history: dict[int, datetime] = {}

    def _load(self, session: Session, incident_id: int) -> None:
        if self.areas is None:
            self.areas = set(session.scalars(select(Area.code)))
            affected = select(IncidentArea.incident_id, IncidentArea.kecamatan_code)
            self.affected = {tuple(row) for row in session.execute(affected)}
        if incident_id not in self.read:
            self.read.add(incident_id)
            self.reported |= _reported(session, ImpactReport.incident_id == incident_id)

    def __call__(self, session: Session, report: ReportInput, actor: Principal) -> str:
        self._load(session, report.incident_id)
        in_scope(actor, report.kecamatan_code)
        if report.kecamatan_code not in (self.areas or ()):
            error = FieldError(
                "kecamatan_code", "unknown_kecamatan", {"value": report.kecamatan_code}
            )
            raise InvalidInput([error])
        key = (report.incident_id, report.kecamatan_code, report.source)
        before = self.reported.get(key, Reported())
        replaced = before.replaced(report.report_time)
        drops = [] if self.confirmed else sharp_drops(replaced, report.figures())
        if drops:
            raise InvalidInput(drops)
        row = _row(before.version + 1, report, actor.name)
        self.pending.append(row)
        self.reported[key] = before.add(row["version"], report.report_time, report.figures())
        older_than = before.older_than(report.report_time)
        if older_than is not None:
            self.history[id(report)] = older_than
        return "created"

    def notes(self, report: ReportInput) -> list[FieldError]:
        """A written row outside its incident's affected area lands, with this note; so does
        one filed for a whole kabupaten, and one stored as history (`HISTORY`)."""
        if report.area_level == "kabupaten":
            inside = any(
                incident == report.incident_id and code.startswith(report.kecamatan_code + ".")
                for incident, code in self.affected
            )
            said = [FieldError("kecamatan_code", "kabupaten_level", {})]
        else:
            inside = (report.incident_id, report.kecamatan_code) in self.affected
            said = []
        if not inside:
            said.append(FieldError("kecamatan_code", "outside_incident_area", {}))
        if id(report) in self.history:
            said.append(FieldError("report_time", HISTORY, {"current": self.history[id(report)]}))
        return said

    def close(self, session: Session) -> None:
        """Insert the rows collected (in the import's transaction)."""
        if self.pending:
            session.execute(insert(ImpactReport), self.pending)
        self.pending = []


def stored_as_history(result: imports.ImportReport) -> int:
    """How many of the rows an import landed are history (older than the current report of
    their kecamatan and source)."""
    return sum(any(e.code == HISTORY for e in note.errors) for note in result.notes)


def read_file(
    data: bytes,
    file_name: str,
    geography: Geography | None,
    actor: Principal,
    limits: ImportLimits,
    default_source: str | None = None,
    within: Sequence[str] = (),
) -> imports.Table:
    """The rows of a report file in our fields, each with how its place was matched
    (`area_match`; a kecamatan name the file gives with no kabupaten is looked for in
    `within`, the incident's kabupaten), for a preview to confirm and for the import.

    Raises:
        Forbidden: `actor` may not import reports.
        InvalidInput: a `default_source` longer than any source's name.
        NotReports: the file holds no impact figures or no row names any area.
        ImportFileError: the file as a whole cannot be read.
    """
    check_lengths(source=(default_source, LABEL))
    table = imports.preview(data, file_name, REPORTS, report_files.FILE_HEADERS, actor, limits)
    places = gazetteer_of(geography.points) if geography is not None else None
    rows = [
        imports.RawRow(
            row.number,
            report_files.read_row(row.values, places, default_source, within)
            if places is not None
            else row.values,
            row.unmapped,
        )
        for row in table.rows
    ]
    reason = report_files.refusal(table.columns, [row.values for row in rows])
    if reason is not None:
        raise NotReports(file_name, reason)
    return imports.Table(rows, table.columns, table.ignored)


def incident_kabupaten(engine: Engine, incident_id: int | None) -> list[str]:
    """The kabupaten (NN.NN) holding the incident's area: where a kecamatan name is looked for
    first."""
    query = select(IncidentArea.kecamatan_code).where(IncidentArea.incident_id == incident_id)
    with Session(engine) as session:
        return sorted({code[:5] for code in session.scalars(query)})


def import_reports(
    engine: Engine,
    data: bytes,
    file_name: str,
    incident_id: int,
    geography: Geography | None,
    actor: Principal,
    limits: ImportLimits,
    confirmed: bool = False,
    progress: imports.Progress | None = None,
    default_source: str | None = None,
    dry_run: bool = False,
) -> imports.ImportReport:
    """Import one incident's reports from CSV/Excel (`read_file`); bad rows wait in
    quarantine with every column they had, and the rows that land keep the columns that are
    none of our fields (`other_columns`).

    Raises:
        NotReports: not a table of reports; nothing is stored.
        ImportFileError: the file as a whole cannot be read.
    """
    within = incident_kabupaten(engine, incident_id)
    table = read_file(data, file_name, geography, actor, limits, default_source, within)
    return imports.run_import(
        engine,
        REPORTS,
        file_name,
        [imports.RawRow(row.number, imports.kept(row)) for row in table.rows],
        _checker(engine, geography, incident_id, utcnow()),
        ImportWriter(confirmed),
        actor,
        progress=progress,
        context={"incident_id": incident_id},
        dry_run=dry_run,
    )


def checked(
    values: dict[str, Any],
    geography: Geography | None,
    now: datetime | None = None,
    within: Sequence[str] = (),
) -> ReportInput:
    """One imported, pulled or re-submitted report row checked: its kecamatan name against
    its code (`report_files.check_place`, names looked for in `within`), the report itself,
    and the columns it keeps besides our fields (`~header`, into `other_columns`).

    Raises:
        InvalidInput: one FieldError per problem, naming the field.
    """
    errors: list[FieldError] = []
    if geography is not None:
        places = gazetteer_of(geography.points)
        values, errors = report_files.check_place(values, places, within)
    others = {
        key.removeprefix(imports.UNMAPPED): str(value)
        for key, value in values.items()
        if key.startswith(imports.UNMAPPED) and str(value).strip()
    }
    try:
        report = ReportInput.check({**values, "other_columns": others}, geography, now)
    except InvalidInput as exc:
        # a place error already says what the code should be
        more = [e for e in exc.errors if not (errors and e.field == "kecamatan_code")]
        raise InvalidInput([*errors, *more]) from exc
    if errors:
        raise InvalidInput(errors)
    return report


def _checker(
    engine: Engine,
    geography: Geography | None,
    incident_id: int | None = None,
    now: datetime | None = None,
) -> Callable[[dict[str, Any]], ReportInput]:
    """`checked` for the rows of `incident_id` (else each row's own incident), names looked
    for in the incident's kabupaten."""
    kabupaten: dict[str, list[str]] = {}

    def check(values: dict[str, Any]) -> ReportInput:
        if incident_id is not None:
            values = {**values, "incident_id": incident_id}
        target = str(values.get("incident_id"))  # as a corrected cell, it is text
        if target not in kabupaten:
            found = incident_kabupaten(engine, int(target)) if target.isdigit() else []
            kabupaten[target] = found
        return checked(values, geography, now, kabupaten[target])

    return check


def resubmit_reports(
    engine: Engine,
    edits: dict[int, dict[str, Any]],
    geography: Geography | None,
    actor: Principal,
    confirmed: bool = False,
) -> imports.ImportReport:
    """Check corrected quarantined report rows again (`checked`); each keeps the incident it
    came with."""
    require(actor, "report")
    check = _checker(engine, geography)
    return imports.resubmit(engine, REPORTS, edits, check, ImportWriter(confirmed), actor)
