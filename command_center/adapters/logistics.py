"""Logistik page, and the logistics lines of the briefing, wall screen and Laporan Situasi:
stock per warehouse and its ledger, dispatches and their receipt, shelters, dapur umum, and
the cover of each incident's needs. Reads are cached by the tables they read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from command_center.base import resources
from command_center.base.auth import Principal
from command_center.base.errors import FieldError, InvalidInput
from command_center.base.labels import NO_VALUE, number, t
from command_center.base.models import (
    Area,
    Deployment,
    Dispatch,
    HazardEvent,
    ImpactReport,
    Incident,
    IncidentArea,
    Kitchen,
    MealCount,
    Shelter,
    StockMovement,
    Team,
    Warehouse,
)
from command_center.base.times import format_wib, utcnow
from command_center.services import logistics as rules
from command_center.services.exports import to_csv, to_xlsx
from command_center.services.logistics import item_label
from command_center.services.reports import counted
from command_center.stores import common as store
from command_center.stores import imports
from command_center.stores import logistics as logistics_store
from command_center.stores import reports as report_store
from command_center.stores import teams as team_store
from command_center.stores.common import IncidentRecord
from command_center.stores.logistics import DispatchRequest, Line


def _date(day: Any) -> date | str:
    """A day kept a day (the table shows it as `19 Des 2026`), or the empty-cell mark."""
    return NO_VALUE if day is None or pd.isna(day) else day


def _text(values: pd.Series) -> list[Any]:
    """A column with the empty-cell mark where nothing is recorded."""
    return [NO_VALUE if v is None or pd.isna(v) else v for v in values]


@resources.cached(Warehouse, ttl=60)
def load_warehouses() -> pd.DataFrame:
    """Every warehouse (id, name, kind, kecamatan, kabupaten, position)."""
    return logistics_store.warehouses(resources.engine())


def warehouse_names(actor: Principal | None = None) -> dict[int, str]:
    """Warehouses, id -> name: those `actor` may move stock out of (without one, all)."""
    table = load_warehouses()
    if actor is not None:
        table = table.loc[[actor.covers(code) for code in table["kabupaten_code"]]]
    return dict(zip(table["id"], table["name"], strict=True))


def in_scope(table: pd.DataFrame, actor: Principal) -> pd.DataFrame:
    """The shelters or dapur umum of `table` inside `actor`'s scope (those it may change)."""
    return table.loc[[actor.covers(code) for code in table["kecamatan_code"]]]


@resources.cached(StockMovement, ttl=60)
def _stock() -> pd.DataFrame:
    return logistics_store.stock(resources.engine())


@resources.cached(StockMovement, ttl=60)
def load_balances(warehouse_id: int) -> dict[str, int]:
    """What one warehouse holds per item, all batches together (expired ones included)."""
    table = logistics_store.balances(resources.engine())
    mine = table[table["warehouse_id"] == warehouse_id]
    return {item: int(q) for item, q in zip(mine["item"], mine["on_hand"], strict=True)}


@resources.cached(StockMovement, Warehouse, ttl=60)
def load_stock(lang: str) -> pd.DataFrame:
    """On hand per warehouse, item and batch, with the batch's expiry, in words."""
    table = _stock()
    names = load_warehouses().set_index("id")["name"]
    return pd.DataFrame(
        {
            "warehouse_id": table["warehouse_id"],
            t("col_warehouse", lang): table["warehouse_id"].map(names),
            "item": table["item"],
            t("col_item", lang): [item_label(i, lang) for i in table["item"]],
            t("col_batch", lang): table["batch"],
            t("col_on_hand", lang): table["on_hand"].astype(int),
            t("col_unit", lang): [rules.CATALOGUE[i].unit for i in table["item"]],
            t("col_expiry", lang): [_date(d) for d in table["expires_on"]],
        }
    ).sort_values([t("col_warehouse", lang), t("col_item", lang), t("col_batch", lang)])


def batches(warehouse_id: int, item: str) -> list[rules.Batch]:
    """The batches of one item a warehouse holds (to suggest first expiry first)."""
    stock = _stock()
    mine = stock[(stock["warehouse_id"] == warehouse_id) & (stock["item"] == item)]
    return [
        rules.Batch(r.batch, int(r.on_hand), None if pd.isna(r.expires_on) else r.expires_on)
        for r in mine.itertuples()
    ]


def fefo_plan(warehouse_id: int, item: str, quantity: int) -> list[tuple[str, int]]:
    """Which batches a dispatch of `quantity` would take (unexpired, expiring first)."""
    today = logistics_store.local_today()
    usable = [
        b for b in batches(warehouse_id, item) if b.expires_on is None or b.expires_on >= today
    ]
    return rules.fefo(usable, quantity)


def _ledger(lang: str, table: pd.DataFrame) -> pd.DataFrame:
    names = load_warehouses().set_index("id")["name"]
    return pd.DataFrame(
        {
            t("col_time", lang): [format_wib(v, lang) for v in table["at"]],
            t("col_warehouse", lang): table["warehouse_id"].map(names),
            t("col_movement", lang): [t(f"move_{k}", lang) for k in table["kind"]],
            t("col_item", lang): [item_label(i, lang) for i in table["item"]],
            t("col_batch", lang): table["batch"],
            t("col_expiry", lang): [_date(d) for d in table["expires_on"]],
            t("col_quantity", lang): table["quantity"].astype(int),
            t("col_detail", lang): [
                " · ".join(
                    str(x)
                    for x in (
                        r.reason and t(f"reason_{r.reason}", lang),
                        r.source,
                        r.document,
                        pd.notna(r.dispatch_id)
                        and logistics_store.note_number(r.dispatch_id, r.at.year),
                        pd.notna(r.other_warehouse_id) and names.get(r.other_warehouse_id),
                        r.note,
                    )
                    if x and not pd.isna(x)
                )
                or NO_VALUE
                for r in table.itertuples()
            ],
            t("col_by", lang): table["by"],
        }
    )


@resources.cached(StockMovement, Warehouse, Dispatch, ttl=60)
def load_movements(warehouse_id: int | None, lang: str, limit: int = 300) -> pd.DataFrame:
    """The newest movements of a warehouse (or all), in words."""
    return _ledger(lang, logistics_store.movements(resources.engine(), warehouse_id, limit))


@resources.cached(Area, Dispatch, Kitchen, MealCount, Shelter, StockMovement, Warehouse, ttl=60)
def load_dispatches(lang: str, incident_id: int | None = None) -> pd.DataFrame:
    """Dispatches, a line per item: note number, where from and to, sent, received, status."""
    table = logistics_store.dispatches(resources.engine())
    if incident_id is not None:
        table = table[table["incident_id"] == incident_id]
    names = load_warehouses().set_index("id")["name"]
    shelters = load_shelters().set_index("id")["name"]
    kitchens = load_kitchens().set_index("id")["name"]

    def destination(r: Any) -> str:
        place = (
            shelters.get(r.shelter_id)
            if pd.notna(r.shelter_id)
            else kitchens.get(r.kitchen_id)
            if pd.notna(r.kitchen_id)
            else None
        )
        where = f"{resources.area_name(r.kecamatan_code)} ({r.kecamatan_code})"
        return f"{place} · {where}" if place else where

    return pd.DataFrame(
        {
            "dispatch_id": table["id"],
            "kitchen_id": table["kitchen_id"],
            "status": table["status"],
            t("col_note_number", lang): [
                logistics_store.note_number(i, at.year)
                for i, at in zip(table["id"], table["created_at"], strict=True)
            ],
            t("col_sent_at", lang): [format_wib(v, lang) for v in table["created_at"]],
            t("col_from", lang): table["warehouse_id"].map(names),
            t("col_to", lang): [destination(r) for r in table.itertuples()],
            "item": table["item"],
            t("col_item", lang): [item_label(i, lang) for i in table["item"]],
            t("col_sent", lang): table["sent"].astype(int),
            t("col_received", lang): [
                NO_VALUE if pd.isna(q) else str(int(q)) for q in table["received_quantity"]
            ],
            t("col_status", lang): [t(f"dispatch_{s}", lang) for s in table["status"]],
            t("col_received_by", lang): _text(table["received_by"]),
            t("col_receipt_note", lang): _text(table["receipt_note"]),
            t("col_override", lang): _text(table["override_reason"]),
        }
    )


@resources.cached(Shelter, ttl=60)
def load_shelters(incident_id: int | None = None) -> pd.DataFrame:
    """Shelters (of one incident): our columns, people by group, dates, version."""
    table = logistics_store.shelters(resources.engine())
    return table if incident_id is None else table[table["incident_id"] == incident_id]


@resources.cached(Kitchen, MealCount, ttl=60)
def load_kitchens(incident_id: int | None = None) -> pd.DataFrame:
    """Dapur umum (of one incident) with the portions each has served."""
    table = logistics_store.kitchens(resources.engine())
    return table if incident_id is None else table[table["incident_id"] == incident_id]


@resources.cached(Kitchen, MealCount, ttl=60)
def load_meals(incident_id: int, lang: str) -> pd.DataFrame:
    """Portions served per day and meal by the incident's dapur umum (a row per day)."""
    table = logistics_store.meals(resources.engine())
    table = table[table["incident_id"] == incident_id]
    if table.empty:
        return pd.DataFrame()
    wide = table.pivot_table(index="day", columns="meal", values="portions", aggfunc="sum")
    wide = wide.reindex(columns=list(rules.MEALS)).fillna(0).astype(int)
    wide[t("col_total", lang)] = wide.sum(axis=1)
    wide.columns = [t(f"meal_{c}", lang) if c in rules.MEALS else c for c in wide.columns]
    wide.index = [d.isoformat() for d in wide.index]
    return wide


@dataclass(frozen=True)
class IncidentCover:
    """An incident's aid picture: who is displaced (and where that figure comes from), cover
    per item and unit, needs and deliveries per kecamatan (`rules.reconcile`), the warehouses
    counted, and shelters and meals."""

    displaced_reported: int
    displaced_in_shelters: int
    shelters_open: int
    families: int | None
    lines: list[rules.CoverLine]
    kecamatan: pd.DataFrame  # `rules.RECONCILED` and the kecamatan's name
    warehouses: list[str]
    meals_served: int
    meals_last_day: tuple[date, int] | None

    @property
    def people(self) -> int:
        """Those cover is counted for: the reports' displaced, else the shelters'."""
        return self.displaced_reported or self.displaced_in_shelters


# what an incident's cover is read from (the briefing's wall screen shows it too)
COVER_TABLES = (
    Area,
    Dispatch,
    HazardEvent,
    ImpactReport,
    Incident,
    IncidentArea,
    Kitchen,
    MealCount,
    Shelter,
    StockMovement,
    Warehouse,
)


@resources.cached(*COVER_TABLES, ttl=60)
def load_cover(incident_id: int) -> IncidentCover | None:
    """The incident's cover (None when it is not known)."""
    engine = resources.engine()
    incident = _incidents().get(incident_id)
    if incident is None:
        return None
    reports = counted(report_store.all_versions(engine, incident_id))
    raw = logistics_store.dispatches(engine)
    kecamatan = rules.reconcile(reports, raw[raw["incident_id"] == incident_id])
    kecamatan["kecamatan"] = [resources.area_name(code) for code in kecamatan["kecamatan_code"]]
    shelters = load_shelters(incident_id)
    open_shelters = shelters[shelters["closed_on"].isna()]
    nearby = _nearby(incident.kecamatan_codes)
    stock = _stock()
    today = logistics_store.local_today(incident.kabupaten_code)
    usable = stock["expires_on"].map(lambda d: d is None or pd.isna(d) or d >= today)
    stock = stock[stock["warehouse_id"].isin(nearby) & usable]
    held = stock.groupby("item")["on_hand"].sum()
    displaced = int(pd.to_numeric(reports["displaced"], errors="coerce").fillna(0).sum())
    in_shelters = int(open_shelters["people"].sum())
    families = int(open_shelters["families"].sum()) or None
    people = displaced or in_shelters
    lines = rules.cover(
        rules.aid_lines(kecamatan), {k: int(v) for k, v in held.items()}, people, families
    )
    meals = logistics_store.meals(engine)
    meals = meals[meals["incident_id"] == incident_id]
    by_day = meals.groupby("day")["portions"].sum()
    names = load_warehouses().set_index("id")["name"]
    return IncidentCover(
        displaced_reported=displaced,
        displaced_in_shelters=in_shelters,
        shelters_open=len(open_shelters),
        families=families,
        lines=lines,
        kecamatan=kecamatan,
        warehouses=[names[w] for w in nearby],
        meals_served=int(meals["portions"].sum()),
        meals_last_day=(by_day.index[-1], int(by_day.iloc[-1])) if len(by_day) else None,
    )


def _nearby(kecamatan_codes: tuple[str, ...]) -> list[int]:
    """The warehouses whose stock counts for an incident: within the configured radius of its
    kecamatan's centre (the nearest one when none is); without boundaries, those in its
    kabupaten."""
    warehouses = load_warehouses()
    geography = resources.geography()
    if geography is None or not kecamatan_codes:
        kabupaten = {c[:5] for c in kecamatan_codes}
        return warehouses[warehouses["kabupaten_code"].isin(kabupaten)]["id"].tolist()
    lat, lon = _centre(geography, kecamatan_codes)
    places = [
        (int(w.id), None if pd.isna(w.lat) else w.lat, None if pd.isna(w.lon) else w.lon)
        for w in warehouses.itertuples()
    ]
    return rules.nearest(places, lat, lon, resources.settings().cover_radius_km)


def _days(days: float, lang: str) -> str:
    """Days of cover with one decimal in the language's format (`2,5`)."""
    text = f"{days:.1f}"
    return text.replace(".", ",") if lang == "id" else text


def cover_sentences(cover: IncidentCover | None, lang: str, limit: int = 3) -> list[str]:
    """The wall screen's lines: the daily items running out first ("Stok beras cukup 2 hari",
    "Stok air mineral habis"), then the once-only items still missing ("Selimut kurang 120
    lembar"), `limit` in all, and the displaced in shelters."""
    if cover is None:
        return []
    daily = [c for c in cover.lines if c.days is not None][: limit - 1]
    short = [c for c in cover.lines if c.short][: limit - len(daily)]
    lines = [
        t("cover_empty", lang, item=item_label(c.item, lang).lower())
        if c.stock == 0
        else t("cover_days", lang, item=item_label(c.item, lang).lower(), days=_days(c.days, lang))
        for c in daily
    ]
    lines += [
        t("cover_short", lang, item=item_label(c.item, lang), n=number(c.short, lang), unit=c.unit)
        for c in short
    ]
    if cover.shelters_open:
        lines.append(
            t(
                "cover_shelters",
                lang,
                people=number(cover.displaced_in_shelters, lang),
                n=cover.shelters_open,
            )
        )
    return lines


@resources.cached(HazardEvent, Incident, IncidentArea, ttl=60)
def _incidents() -> dict[int, IncidentRecord]:
    """Incidents not closed, newest first, by id."""
    return {i.id: i for i in store.incidents(resources.engine())}


def _kecamatan_of(incident_id: int) -> tuple[str, ...]:
    incident = _incidents().get(incident_id)
    return incident.kecamatan_codes if incident else ()


def is_exercise(incident_id: int) -> bool:
    incident = _incidents().get(incident_id)
    return bool(incident and incident.is_exercise)


def incident_today(incident_id: int) -> date:
    """Today in the incident's zone (WIB, WITA or WIT): the day a new shelter, dapur umum or
    meal count is dated by unless the user picks another."""
    incident = _incidents().get(incident_id)
    return logistics_store.local_today(incident.kabupaten_code if incident else None)


def load_incidents() -> dict[int, str]:
    """Open incidents, newest first: id -> name."""
    return {i.id: i.name for i in _incidents().values() if i.status == "open"}


def _centre(geography: Any, kecamatan_codes: tuple[str, ...]) -> tuple[float, float]:
    """The mean of the kecamatan's centres (lat, lon)."""
    centres = [geography.centre(c) for c in kecamatan_codes]
    return sum(p.y for p in centres) / len(centres), sum(p.x for p in centres) / len(centres)


def incident_centre(incident_id: int) -> tuple[float, float] | None:
    """The middle of an incident's kecamatan (for an empty shelter map)."""
    geography, codes = resources.geography(), _kecamatan_of(incident_id)
    return _centre(geography, codes) if geography is not None and codes else None


@resources.cached(Area, HazardEvent, Incident, IncidentArea, Kitchen, MealCount, Shelter, ttl=60)
def destinations(incident_id: int, lang: str) -> dict[tuple[str, int | str], str]:
    """Where a dispatch for the incident may go: its shelters, its dapur umum, its kecamatan."""
    places: dict[tuple[str, int | str], str] = {}
    for r in load_shelters(incident_id).itertuples():
        places[("shelter", int(r.id))] = f"{t('shelter', lang)}: {r.name}"
    for r in load_kitchens(incident_id).itertuples():
        places[("kitchen", int(r.id))] = f"{t('kitchen', lang)}: {r.name}"
    codes = next(
        (i.kecamatan_codes for i in store.incidents(resources.engine()) if i.id == incident_id), ()
    )
    for code in codes:
        places[("kecamatan", code)] = (
            f"{t('col_kecamatan', lang)}: {resources.area_name(code)} ({code})"
        )
    return places


@resources.cached(Area, Deployment, Team, ttl=60)
def load_team_names() -> dict[int, str]:
    """Every team (to pick the one running a dapur umum): id -> name."""
    roster = team_store.roster(resources.engine())
    return dict(zip(roster["id"].astype(int), roster["name"], strict=True))


GROUPS = ("capacity", "people", "families", "toddlers", "pregnant", "elderly", "disabled")


def shelter_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Shelters for reading: name, kecamatan, people by group, open/closed, contact."""
    shown = pd.DataFrame(
        {
            t("col_name", lang): table["name"],
            t("col_kecamatan", lang): [
                f"{resources.area_name(c)} ({c})" for c in table["kecamatan_code"]
            ],
            **{t(f"field_{g}", lang): table[g].astype("Int64") for g in GROUPS},
            t("field_opened_on", lang): table["opened_on"],
            t("field_closed_on", lang): table["closed_on"],
            t("field_contact_name", lang): table["contact_name"],
            t("field_contact_phone", lang): table["contact_phone"],
        }
    )
    return shown.astype(object).where(shown.notna(), NO_VALUE)


def kitchen_table(incident_id: int, lang: str) -> pd.DataFrame:
    """The incident's dapur umum: name, kecamatan, team, dates, portions served, and the stock
    sent to it (received, or on the way)."""
    table = load_kitchens(incident_id)
    teams = load_team_names()
    sent = load_dispatches(lang, incident_id)
    drawn = {
        kitchen: ", ".join(
            f"{item_label(r['item'], lang)} {number(int(r[t('col_sent', lang)]), lang)}"
            for r in sent[sent["kitchen_id"] == kitchen].to_dict("records")
        )
        for kitchen in table["id"]
    }
    return pd.DataFrame(
        {
            "id": table["id"],
            t("col_name", lang): table["name"],
            t("col_kecamatan", lang): [
                f"{resources.area_name(c)} ({c})" for c in table["kecamatan_code"]
            ],
            t("field_team_id", lang): [
                teams.get(i, NO_VALUE) if pd.notna(i) else NO_VALUE for i in table["team_id"]
            ],
            t("field_started_on", lang): table["started_on"],
            t("field_ended_on", lang): table["ended_on"]
            .astype(object)
            .where(table["ended_on"].notna(), NO_VALUE),
            t("col_portions", lang): table["portions"].astype(int),
            t("col_stock_drawn", lang): [drawn.get(k) or NO_VALUE for k in table["id"]],
        }
    )


def delivered_text(delivered: int, reported: bool, lang: str) -> str:
    """A delivered figure, marked when it is the posko reports' own (the ledger has none)."""
    shown = number(delivered, lang)
    return t("delivered_reported", lang, n=shown) if reported else shown


def cover_table(cover: IncidentCover, lang: str) -> pd.DataFrame:
    """Per item and unit: needed, delivered, in transit, stock nearby, days of cover or still
    missing."""
    return pd.DataFrame(
        [
            {
                t("col_item", lang): item_label(c.item, lang),
                t("col_unit", lang): c.unit or NO_VALUE,
                t("col_needed", lang): c.needed,
                t("col_delivered", lang): delivered_text(c.delivered, c.reported, lang),
                t("col_in_transit", lang): c.in_transit,
                t("col_stock_nearby", lang): c.stock,
                t("col_days_cover", lang): NO_VALUE if c.days is None else _days(c.days, lang),
                t("col_short", lang): number(c.short, lang) if c.short else NO_VALUE,
            }
            for c in cover.lines
        ]
    )


def kecamatan_table(cover: IncidentCover, lang: str) -> pd.DataFrame:
    """Needed, delivered and in transit per kecamatan, item and unit."""
    table = cover.kecamatan
    return pd.DataFrame(
        {
            t("col_kecamatan", lang): [
                f"{n} ({c})"
                for n, c in zip(table["kecamatan"], table["kecamatan_code"], strict=True)
            ],
            t("col_item", lang): [item_label(i, lang) for i in table["item"]],
            t("col_unit", lang): table["unit"].replace("", NO_VALUE),
            t("col_needed", lang): table["needed"],
            t("col_delivered", lang): [
                delivered_text(d, r, lang)
                for d, r in zip(table["delivered"], table["reported"], strict=True)
            ],
            t("col_in_transit", lang): table["in_transit"],
        }
    )


def rules_text(lang: str) -> str:
    """The consumption rules in words: `Makanan siap saji 3 paket/orang/hari, ...`."""
    return "; ".join(
        t(
            "rule_daily" if rule.daily else "rule_once",
            lang,
            item=item_label(code, lang),
            amount=f"{rule.amount:g}",
            unit=rules.CATALOGUE[code].unit,
            per=t(f"per_{rule.per}", lang),
        )
        for code, rule in rules.RULES.items()
    )


# Writes: each passes the caller on to the store, which checks role and area.


def create_warehouse(values: dict[str, Any], actor: Principal) -> int:
    entry = rules.WarehouseInput.check(values, resources.geography())
    return resources.written(logistics_store.create_warehouse(resources.engine(), entry, actor))


def receive(
    warehouse_id: int,
    rows: list[dict[str, Any]],
    source: str,
    document: str | None,
    actor: Principal,
) -> None:
    lines = _checked_lines(rows)
    resources.written(
        logistics_store.receive(resources.engine(), warehouse_id, lines, source, document, actor)
    )


def _checked_lines(rows: list[dict[str, Any]]) -> list[rules.StockLine]:
    """Receipt lines from a form's table, each error named by its line."""
    lines, errors = [], []
    for i, row in enumerate(r for r in rows if any(v not in (None, "") for v in r.values())):
        try:
            lines.append(rules.StockLine.check(row))
        except InvalidInput as exc:
            errors += [FieldError(f"lines[{i}].{e.field}", e.code, e.params) for e in exc.errors]
    if errors or not lines:
        raise InvalidInput(errors or [FieldError("lines", "missing")])
    return lines


def adjust(
    warehouse_id: int,
    item: str,
    batch: str,
    quantity: int,
    reason: str,
    note: str | None,
    actor: Principal,
) -> None:
    resources.written(
        logistics_store.adjust(
            resources.engine(), warehouse_id, item, batch, quantity, reason, note, actor
        )
    )


def transfer(
    from_id: int, to_id: int, lines: list[Line], document: str | None, actor: Principal
) -> None:
    resources.written(
        logistics_store.transfer(resources.engine(), from_id, to_id, lines, document, actor)
    )


def dispatch(request: DispatchRequest, actor: Principal) -> str:
    """Send aid; returns the delivery note's number."""
    dispatch_id = logistics_store.dispatch(resources.engine(), request, actor)
    resources.written(dispatch_id)
    return logistics_store.note_number(dispatch_id, utcnow().year)


def confirm_receipt(
    dispatch_id: int, received_by: str, received: dict[str, int], note: str | None, actor: Principal
) -> dict[str, int]:
    return resources.written(
        logistics_store.confirm_receipt(
            resources.engine(), dispatch_id, received_by, received, note, actor
        )
    )


def save_shelter(
    incident_id: int,
    values: dict[str, Any],
    actor: Principal,
    shelter_id: int | None = None,
    version: int | None = None,
) -> int:
    entry = rules.ShelterInput.check(values, resources.geography())
    return resources.written(
        logistics_store.save_shelter(
            resources.engine(), incident_id, entry, actor, shelter_id, version
        )
    )


def save_kitchen(
    incident_id: int, values: dict[str, Any], actor: Principal, kitchen_id: int | None = None
) -> int:
    entry = rules.KitchenInput.check(values, resources.geography())
    return resources.written(
        logistics_store.save_kitchen(resources.engine(), incident_id, entry, actor, kitchen_id)
    )


def record_meals(kitchen_id: int, values: dict[str, Any], actor: Principal) -> None:
    entry = rules.MealsInput.check(values)
    resources.written(logistics_store.record_meals(resources.engine(), kitchen_id, entry, actor))


def preview_opening(data: bytes, file_name: str, actor: Principal) -> imports.Table:
    limits = resources.settings().import_limits
    return imports.preview(
        data, file_name, logistics_store.OPENING, rules.OPENING_HEADERS, actor, limits
    )


def import_opening(
    data: bytes, file_name: str, actor: Principal, progress: imports.Progress
) -> imports.ImportReport:
    limits = resources.settings().import_limits
    return resources.written(
        logistics_store.import_opening_stock(
            resources.engine(), data, file_name, actor, limits, progress
        )
    )


def resubmit_opening(edits: dict[int, dict[str, Any]], actor: Principal) -> imports.ImportReport:
    return resources.written(logistics_store.resubmit_opening(resources.engine(), edits, actor))


# Exports for BAST filing: the whole ledger and every distribution, as CSV or Excel.


def ledger_export(lang: str) -> pd.DataFrame:
    return _ledger(lang, logistics_store.movements(resources.engine(), None, limit=10**9))


def distributions_export(lang: str) -> pd.DataFrame:
    return load_dispatches(lang).drop(columns=["dispatch_id", "kitchen_id", "status", "item"])


def as_file(table: pd.DataFrame, kind: str) -> bytes:
    """`table` as CSV or an .xlsx workbook (formula-safe both)."""
    return to_csv(table) if kind == "csv" else to_xlsx(table)
