"""SQLAlchemy 2 models: the store's schema. Alembic migrations in `migrations/` create it.

Times are stored in UTC (`UTCDateTime` gives them back timezone-aware on SQLite too).
Rows edited by several people at once carry a `version` column (optimistic locking).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from command_center.base.times import as_utc, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _enum(cls: type[enum.Enum]) -> Enum:
    """Store an enum by value, as a plain VARCHAR (no native type, so migrations stay simple)."""
    return Enum(cls, values_callable=lambda e: [m.value for m in e], native_enum=False, length=20)


class AreaLevel(enum.StrEnum):
    PROVINCE = "province"
    KABUPATEN = "kabupaten"
    KECAMATAN = "kecamatan"


class TeamStatus(enum.StrEnum):
    STANDBY = "standby"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RETURNING = "returning"
    UNAVAILABLE = "unavailable"


class IncidentStatus(enum.StrEnum):
    PROPOSED = "proposed"
    OPEN = "open"
    CLOSED = "closed"
    MERGED = "merged"  # kept as a pointer to the incident it was merged into


class Verification(enum.StrEnum):
    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    REJECTED = "rejected"


class Area(Base):
    """A province, kabupaten/kota or kecamatan, keyed by its dotted Kemendagri code."""

    __tablename__ = "areas"
    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    level: Mapped[AreaLevel] = mapped_column(_enum(AreaLevel), index=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)


class HazardEvent(Base):
    """One hazard (earthquake, weather warning) as one source published it."""

    __tablename__ = "hazard_events"
    __table_args__ = (UniqueConstraint("source", "source_event_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    source_event_id: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(30))
    time_utc: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    depth_km: Mapped[float | None] = mapped_column(Float)
    magnitude: Mapped[float | None] = mapped_column(Float)
    location_text: Mapped[str | None] = mapped_column(Text)
    felt: Mapped[str | None] = mapped_column(Text)
    tsunami_potential: Mapped[bool] = mapped_column(Boolean, default=False)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, onupdate=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("hazard_events.id"))


class FeedStatus(Base):
    """The latest fetch outcome of one feed, with what conditional GETs need."""

    __tablename__ = "feed_status"
    feed: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_outcome: Mapped[str | None] = mapped_column(String(20))
    last_error: Mapped[str | None] = mapped_column(Text)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(100))


class FetchLog(Base):
    """Every fetch of every feed: ok, not_modified or error, with the reason."""

    __tablename__ = "fetch_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    feed: Mapped[str] = mapped_column(String(40), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text)
    items: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class Hotspot(Base):
    """One satellite fire detection (NASA FIRMS), once however many files list it."""

    __tablename__ = "hotspots"
    __table_args__ = (UniqueConstraint("satellite", "time_utc", "lat", "lon"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    time_utc: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    satellite: Mapped[str] = mapped_column(String(20))
    instrument: Mapped[str] = mapped_column(String(10))
    confidence: Mapped[str] = mapped_column(String(10))  # low, nominal or high
    frp_mw: Mapped[float | None] = mapped_column(Float)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Forecast(Base):
    """The latest BMKG forecast for a kecamatan (taken at one of its desa), 3-hourly slots."""

    __tablename__ = "forecasts"
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True)
    adm4: Mapped[str] = mapped_column(String(20))
    desa: Mapped[str] = mapped_column(String(120))
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    slots: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Incident(Base):
    """A disaster the command center responds to: a hazard, an area and a status.

    `kind` is one of `services.incidents.HAZARDS`; `kabupaten_code` is the smallest area
    holding all its kecamatan (a kabupaten, a province, or None across provinces)."""

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[IncidentStatus] = mapped_column(_enum(IncidentStatus), default="open")
    hazard_event_id: Mapped[int | None] = mapped_column(ForeignKey("hazard_events.id"))
    kabupaten_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    is_exercise: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    # local times a sitrep is issued by itself ("07:00,19:00", in the area's zone); None: never
    sitrep_at: Mapped[str | None] = mapped_column(String(120))
    sitrep_at_set: Mapped[datetime | None] = mapped_column(UTCDateTime)  # slots start after it
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    areas: Mapped[list[IncidentArea]] = relationship(cascade="all, delete-orphan")


class IncidentPhase(Base):
    """A decree (SK) setting an incident's emergency phase from `starts_on`; an extension
    (perpanjangan) is a later decree for the same phase, and every one is kept. A siaga or
    tanggap darurat decree recorded by a non-admin waits (`confirmed_by` None) until a second
    person confirms it: only then does it release a lumbung sosial's stock."""

    __tablename__ = "incident_phases"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    phase: Mapped[str] = mapped_column(String(30))
    decree: Mapped[str] = mapped_column(String(120))
    authority: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))
    confirmed_by: Mapped[str | None] = mapped_column(String(80))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IncidentEvent(Base):
    """A hazard event linked to an incident, besides the one it was raised from."""

    __tablename__ = "incident_events"
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    hazard_event_id: Mapped[int] = mapped_column(
        ForeignKey("hazard_events.id", ondelete="CASCADE"), primary_key=True
    )


class IncidentArea(Base):
    """A kecamatan inside an incident's affected area."""

    __tablename__ = "incident_areas"
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), primary_key=True)


class Team(Base):
    """A Tagana team or another pilar sosial unit (TKSK, PSM, Karang Taruna) as a resource."""

    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(30), default="tagana")
    home_kabupaten_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    home_kecamatan_code: Mapped[str | None] = mapped_column(ForeignKey("areas.code"))
    base_lat: Mapped[float | None] = mapped_column(Float)
    base_lon: Mapped[float | None] = mapped_column(Float)
    last_lat: Mapped[float | None] = mapped_column(Float)
    last_lon: Mapped[float | None] = mapped_column(Float)
    status: Mapped[TeamStatus] = mapped_column(_enum(TeamStatus), default="standby", index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    unavailable_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    equipment: Mapped[str | None] = mapped_column(Text)
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    is_exercise: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(80), default="system")
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    members: Mapped[list[TeamMember]] = relationship(cascade="all, delete-orphan")


class TeamMember(Base):
    __tablename__ = "team_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str | None] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(40))


class Deployment(Base):
    """A team assigned to an incident and a kecamatan, until it stands down."""

    __tablename__ = "deployments"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    task: Mapped[str] = mapped_column(Text)
    expected_days: Mapped[int | None] = mapped_column(Integer)
    assigned_by: Mapped[str] = mapped_column(String(80))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[str | None] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
    __table_args__ = (
        # A team has at most one open deployment, whatever the application does.
        Index(
            "uq_deployments_active_team",
            "team_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )


FIGURES = (
    "deaths",
    "missing",
    "injured_severe",
    "injured_light",
    "displaced",
    "shelters",
    "affected_families",
    "affected_people",
    "houses_heavy",
    "houses_moderate",
    "houses_light",
    "houses_flooded",
    "schools_damaged",
    "worship_damaged",
    "health_damaged",
    "offices_damaged",
    "bridges_damaged",
    "injured_unspecified",
)
"""The numeric impact figures of a report (Perka BNPB 8/2011 style), in our names."""


class ImpactReport(Base):
    """One version of a kecamatan's impact report from one source; every version is kept.

    A Dinsos that knows only its kabupaten's total files a kabupaten-level report: its
    `area_level` is "kabupaten" and `kecamatan_code` then holds the kabupaten's code. Such
    reports are read apart (`report_store.all_versions(level=...)`) and count only for what the
    kecamatan reports of that kabupaten do not yet hold (`services.reports.not_broken_down`).
    """

    __tablename__ = "impact_reports"
    __table_args__ = (UniqueConstraint("incident_id", "kecamatan_code", "source", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    area_level: Mapped[str] = mapped_column(String(10), default="kecamatan")
    source: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    reporter: Mapped[str] = mapped_column(String(120))
    report_time: Mapped[datetime] = mapped_column(UTCDateTime)
    verification: Mapped[Verification] = mapped_column(_enum(Verification), default="unverified")
    verified_by: Mapped[str | None] = mapped_column(String(80))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    deaths: Mapped[int | None] = mapped_column(Integer)
    missing: Mapped[int | None] = mapped_column(Integer)
    injured_severe: Mapped[int | None] = mapped_column(Integer)
    injured_light: Mapped[int | None] = mapped_column(Integer)
    displaced: Mapped[int | None] = mapped_column(Integer)
    shelters: Mapped[int | None] = mapped_column(Integer)
    affected_families: Mapped[int | None] = mapped_column(Integer)
    affected_people: Mapped[int | None] = mapped_column(Integer)
    houses_heavy: Mapped[int | None] = mapped_column(Integer)
    houses_moderate: Mapped[int | None] = mapped_column(Integer)
    houses_light: Mapped[int | None] = mapped_column(Integer)
    houses_flooded: Mapped[int | None] = mapped_column(Integer)
    schools_damaged: Mapped[int | None] = mapped_column(Integer)
    worship_damaged: Mapped[int | None] = mapped_column(Integer)
    health_damaged: Mapped[int | None] = mapped_column(Integer)
    offices_damaged: Mapped[int | None] = mapped_column(Integer)
    bridges_damaged: Mapped[int | None] = mapped_column(Integer)
    injured_unspecified: Mapped[int | None] = mapped_column(Integer)  # BNPB "terluka"
    reporter_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporter_links.id", ondelete="SET NULL"), index=True
    )  # the field reporter's link it came through
    needs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    aid_delivered: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    # the columns of its file (answers of its form) that are none of the above, as given
    other_columns: Mapped[dict[str, str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(80))


class Warehouse(Base):
    """Where buffer stock is held: a lumbung sosial, or a kabupaten, provincial or national
    warehouse (`services.logistics.WAREHOUSE_KINDS`). Its stock is the sum of its movements."""

    __tablename__ = "warehouses"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    kabupaten_code: Mapped[str] = mapped_column(String(13), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    is_exercise: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))


class StockMovement(Base):
    """One signed line of the stock ledger (receipt, dispatch, transfer in/out, adjustment)
    of one item batch in one warehouse. Rows are only ever added."""

    __tablename__ = "stock_movements"
    __table_args__ = (Index("ix_stock_movements_stock", "warehouse_id", "item", "batch"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    item: Mapped[str] = mapped_column(String(40))
    batch: Mapped[str] = mapped_column(String(60))
    expires_on: Mapped[date | None] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(20))  # an adjustment's
    source: Mapped[str | None] = mapped_column(String(120))  # a receipt's: who sent it
    document: Mapped[str | None] = mapped_column(String(120))  # BAST, surat jalan, SK ...
    note: Mapped[str | None] = mapped_column(Text)
    dispatch_id: Mapped[int | None] = mapped_column(ForeignKey("dispatches.id"), index=True)
    other_warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    by: Mapped[str] = mapped_column(String(80))


class Shelter(Base):
    """A posko pengungsian of an incident and the people in it, by group."""

    __tablename__ = "shelters"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    capacity: Mapped[int | None] = mapped_column(Integer)
    people: Mapped[int] = mapped_column(Integer, default=0)
    families: Mapped[int] = mapped_column(Integer, default=0)
    toddlers: Mapped[int] = mapped_column(Integer, default=0)
    pregnant: Mapped[int] = mapped_column(Integer, default=0)  # ibu hamil/menyusui
    elderly: Mapped[int] = mapped_column(Integer, default=0)
    disabled: Mapped[int] = mapped_column(Integer, default=0)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Kitchen(Base):
    """A dapur umum of an incident, run by a team from `started_on` to `ended_on`."""

    __tablename__ = "kitchens"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    updated_by: Mapped[str] = mapped_column(String(80))


class MealCount(Base):
    """Portions a dapur umum served at one meal of one day (a correction replaces it)."""

    __tablename__ = "meals_served"
    __table_args__ = (UniqueConstraint("kitchen_id", "day", "meal"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kitchen_id: Mapped[int] = mapped_column(ForeignKey("kitchens.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    meal: Mapped[str] = mapped_column(String(10))
    portions: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Dispatch(Base):
    """Aid sent from a warehouse for an incident, with its delivery note (surat jalan): to a
    shelter, a dapur umum or a kecamatan; in transit until its receipt (BAST) is recorded.
    Its lines are its dispatch movements; `received` holds what arrived, per item."""

    __tablename__ = "dispatches"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), index=True)
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    shelter_id: Mapped[int | None] = mapped_column(ForeignKey("shelters.id"))
    kitchen_id: Mapped[int | None] = mapped_column(ForeignKey("kitchens.id"))
    carrier: Mapped[str | None] = mapped_column(String(120))  # vehicle, driver
    override_reason: Mapped[str | None] = mapped_column(Text)  # an admin's, past the rule
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_by: Mapped[str | None] = mapped_column(String(120))  # who signed the BAST
    receipt_note: Mapped[str | None] = mapped_column(Text)  # the differences, in words
    received: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # item -> quantity
    recorded_by: Mapped[str | None] = mapped_column(String(80))


class Sitrep(Base):
    """One issued Laporan Situasi: its number per incident, its totals and its text."""

    __tablename__ = "sitreps"
    __table_args__ = (UniqueConstraint("incident_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by: Mapped[str] = mapped_column(String(80))
    totals: Mapped[dict[str, Any]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    is_final: Mapped[bool] = mapped_column(Boolean, default=False)  # issued at closing


class SitrepFile(Base):
    """An issued sitrep's files, made when it was issued: the A4 PDF and the WhatsApp card
    (PNG). Apart from `sitreps` so that listing sitreps never reads the bytes."""

    __tablename__ = "sitrep_files"
    sitrep_id: Mapped[int] = mapped_column(
        ForeignKey("sitreps.id", ondelete="CASCADE"), primary_key=True
    )
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    png: Mapped[bytes] = mapped_column(LargeBinary)


class SitrepSlot(Base):
    """A scheduled sitrep's slot taken: written in the transaction that issues its sitrep, so
    a second worker racing for the same slot fails on the key and issues nothing."""

    __tablename__ = "sitrep_slots"
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    slot_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)  # the slot's start
    number: Mapped[int] = mapped_column(Integer)  # the sitrep issued for it


class QuarantinedRow(Base):
    """An imported row that failed validation, kept as typed until it is fixed and re-submitted."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    batch: Mapped[str] = mapped_column(String(40), index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    row_number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str | None] = mapped_column(String(13))  # the importer's; None: national
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(80))


class User(Base):
    """A local account; the password is kept only as an Argon2 hash."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None: OIDC sign-in only
    role: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str | None] = mapped_column(String(13))  # a province or kabupaten code
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)


class SignInFailure(Base):
    """A failed sign-in, kept to slow down guessing of one username or from one client
    (`accounts.authenticate`); the audit log keeps them all."""

    __tablename__ = "sign_in_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    username: Mapped[str] = mapped_column(String(120), index=True)  # as typed: real or not


class UserSession(Base):
    """A signed-in browser: the cookie holds a random id, only its hash is kept. It ends at
    `expires_at`, when its user signs out or an admin revokes it, and when the account is
    disabled or its role or scope changes (`accounts.set_user` revokes it then)."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client: Mapped[str] = mapped_column(String(64))
    agent: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class KioskToken(Base):
    """A read-only wall-screen token for the briefing of its area (`scope`) or one incident:
    valid until revoked; only its hash is kept."""

    __tablename__ = "kiosk_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str | None] = mapped_column(String(13))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReporterLink(Base):
    """A field reporter's personal link to the `Lapor` page: who (name, phone, pilar sosial
    role), which kecamatan, one incident or every open one there, until when. Only the
    token's hash is kept; revoking it ends it at once."""

    __tablename__ = "reporter_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(30))
    role: Mapped[str] = mapped_column(String(20))
    kecamatan: Mapped[list[str]] = mapped_column(JSON)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FormSubmission(Base):
    """One version of an ODK/Kobo submission, pulled once: what became of it (the report it
    landed as, or quarantined), so pulling again stores nothing twice."""

    __tablename__ = "form_submissions"
    __table_args__ = (UniqueConstraint("server", "form", "version_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    server: Mapped[str] = mapped_column(String(200))
    form: Mapped[str] = mapped_column(String(120))
    submission_id: Mapped[str] = mapped_column(String(120), index=True)
    version_id: Mapped[str] = mapped_column(String(120))
    outcome: Mapped[str] = mapped_column(String(20))  # landed, quarantined
    pulled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommunityReport(Base):
    """A resident's flood report from PetaBencana.id: never verified, never counted as an
    official figure; shown apart on the live map."""

    __tablename__ = "community_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    app: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    depth_cm: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    image_url: Mapped[str | None] = mapped_column(Text)


class Household(Base):
    """An affected family (one KK) of an incident. Personal fields are sealed (`pdp.Vault`):
    only their masked form and keyed hash are readable without the key."""

    __tablename__ = "households"
    __table_args__ = (UniqueConstraint("incident_id", "kk_index"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    desa: Mapped[str] = mapped_column(String(120))
    kk_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    kk_index: Mapped[str] = mapped_column(String(64))
    kk_masked: Mapped[str] = mapped_column(String(16))
    head_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    head_masked: Mapped[str] = mapped_column(String(120))
    address_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    payout_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    damage: Mapped[str] = mapped_column(String(10))
    displaced: Mapped[bool] = mapped_column(Boolean, default=False)
    shelter_id: Mapped[int | None] = mapped_column(ForeignKey("shelters.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, default=1)
    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="household", cascade="all, delete-orphan", order_by="HouseholdMember.id"
    )
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class HouseholdMember(Base):
    """One person of a household; one NIK appears once per incident."""

    __tablename__ = "household_members"
    __table_args__ = (UniqueConstraint("incident_id", "nik_index"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    incident_id: Mapped[int] = mapped_column(Integer)
    nik_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    nik_index: Mapped[str] = mapped_column(String(64), index=True)
    nik_masked: Mapped[str] = mapped_column(String(16))
    name_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    relation: Mapped[str] = mapped_column(String(20))
    casualty: Mapped[str | None] = mapped_column(String(12))
    pregnant: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    household: Mapped[Household] = relationship(back_populates="members")


class AssistancePayment(Base):
    """One Kemensos payment owed by an incident: proposed, verified, paid (with date and
    reference). `subject` (the keyed NIK or KK) is unique per programme and incident, so
    nobody is paid twice, whatever two clerks do at once."""

    __tablename__ = "assistance_payments"
    __table_args__ = (UniqueConstraint("incident_id", "programme", "subject"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    programme: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(64))
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("household_members.id", ondelete="SET NULL")
    )
    heir_id: Mapped[int | None] = mapped_column(
        ForeignKey("household_members.id", ondelete="SET NULL")
    )
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(15))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    proposed_by: Mapped[str] = mapped_column(String(80))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by: Mapped[str | None] = mapped_column(String(80))
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_by: Mapped[str | None] = mapped_column(String(80))
    reference: Mapped[str | None] = mapped_column(String(120))
    # the account or collection point it was verified with (sealed): a payout change approved
    # later sends it back to be verified again
    payout_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)


class HouseholdChange(Base):
    """An entry that waits for a data officer instead of changing a registered family: a change
    of what is paid (payout, membership, casualties, house) that needs a second person, or a
    duplicate that the one entering it may not see (a field reporter's entry for a family
    someone else registered). The entry is sealed whole; the reviewer sees it beside the family
    as it is then, and accepts or rejects it (not the one who entered it)."""

    __tablename__ = "household_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    kecamatan_code: Mapped[str] = mapped_column(String(13))  # the entry's
    reason: Mapped[str] = mapped_column(String(20))  # payment, duplicate
    keep_members: Mapped[bool] = mapped_column(Boolean)  # a merge (True) or an edit
    fields: Mapped[list[str]] = mapped_column(JSON)  # what it changes, by name only
    entry_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    proposed_by: Mapped[str] = mapped_column(String(80))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="waiting", index=True)
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(200))


class PdpKeyCheck(Base):
    """The check value of the personal-data key the store is sealed with (never the key), in
    one row: a process with another key is refused before it seals or opens anything. A key
    rotation replaces it (the audit log keeps the earlier ones)."""

    __tablename__ = "pdp_key_check"
    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    check_value: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RegistryEntry(Base):
    """A person of the social registry extract (DTSEN), known only by the keyed hash of the
    NIK, with the programmes they receive."""

    __tablename__ = "registry_entries"
    nik_index: Mapped[str] = mapped_column(String(64), primary_key=True)
    pkh: Mapped[bool] = mapped_column(Boolean, default=False)
    sembako: Mapped[bool] = mapped_column(Boolean, default=False)
    pbi: Mapped[bool] = mapped_column(Boolean, default=False)
    decile: Mapped[int | None] = mapped_column(Integer)
    batch: Mapped[str] = mapped_column(String(12))


class Alert(Base):
    """Something someone must be told, written in the same transaction as the change behind it
    (the outbox); the sender fans it out to deliveries. User-written text is kept as typed and
    escaped per channel when sent. `dedupe_key` keeps a condition from alerting twice."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(10))  # info, warning, critical
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300))  # a path of the dashboard
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: national
    hazard: Mapped[str | None] = mapped_column(String(30))
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # `sitrep_issued`: the sitrep whose files go with it
    sitrep_id: Mapped[int | None] = mapped_column(ForeignKey("sitreps.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fanned_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    escalation: Mapped[int] = mapped_column(Integer, default=0)  # roles gone up so far
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acked_by: Mapped[str | None] = mapped_column(String(120))


class AlertDelivery(Base):
    """One alert to one user on one channel: `key` (alert, user, channel) makes it once only.

    pending -> sending (claimed until `claimed_until`) -> sent, or back to pending with
    `next_at` after a failure, or dead after the last attempt (an admin retries or discards)."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (Index("ix_alert_deliveries_due", "status", "next_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(320))
    key: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ack_token: Mapped[str | None] = mapped_column(String(64), unique=True)  # its SHA-256
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AlertSubscription(Base):
    """What one user wants to be told, and where; a user without one gets the defaults."""

    __tablename__ = "alert_subscriptions"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: the user's scope
    hazards: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every hazard
    min_severity: Mapped[str] = mapped_column(String(10), default="info")
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every linked one
    quiet_from: Mapped[str | None] = mapped_column(String(5))  # "22:00", local time
    quiet_until: Mapped[str | None] = mapped_column(String(5))
    # how an issued sitrep reaches them: "pdf", "png" (the image) or "text" (no file)
    sitrep_format: Mapped[str] = mapped_column(String(5), default="pdf", server_default="pdf")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(80))


class ChannelLink(Base):
    """A user's address on one channel: an e-mail, a WhatsApp number, a webhook URL, or a
    Telegram chat, linked when the user sends the bot the one-time code (`code_hash`)."""

    __tablename__ = "channel_links"
    __table_args__ = (UniqueConstraint("user_id", "channel"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(320))  # None: a code not yet used
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    linked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AlertRead(Base):
    """When a user opened an alert in the app (the Notifikasi list): read or unread, per user."""

    __tablename__ = "alert_reads"
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SenderState(Base):
    """Small values the alert sender keeps between runs (Telegram's update offset)."""

    __tablename__ = "sender_state"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class AuditEntry(Base):
    """Who changed what, when, with the row before and after. Append-only, and chained: each
    entry's place and hash (`services.audit_chain`) are set as its transaction commits."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    chain_seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    chain_hash: Mapped[str | None] = mapped_column(String(64))


class DataVersion(Base):
    """A counter per table, moved in the same transaction as every write to it
    (`versions.track`), so that results cached by version never outlive the data they show."""

    __tablename__ = "data_versions"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class AppProcess(Base):
    """What one app process (`host:pid`) last said of itself, written at most every few
    seconds: its open sessions and its page rerun times (a histogram: cumulative counts per
    upper bound in seconds, `+Inf` last), which the worker's `/metrics` exposes."""

    __tablename__ = "app_processes"
    process: Mapped[str] = mapped_column(String(120), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    rerun_buckets: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    rerun_sum_s: Mapped[float] = mapped_column(Float, default=0.0)
