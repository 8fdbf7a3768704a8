"""Aid logistics as plain rules: the item catalogue and its consumption rules (the one place
both are set), need and aid lines read into the catalogue's words and units, inputs as typed or
imported, the stock ledger's balances, first-expiry-first-out, the release rule of a lumbung
sosial, and one reconciliation of an incident's needs with what was delivered.

Stock quantities are whole units of the item's own unit (paket, lembar, buah, kg, liter). A
need or aid line is (item, quantity, unit): a unit the catalogue converts exactly (beras: ton,
kwintal) becomes the item's unit; any other unit stays as written, and quantities in different
units are never added up or compared. A movement is signed: receipts and transfers in add,
dispatches and transfers out take away; an adjustment carries its own sign and a reason.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

import pandas as pd
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from command_center.base.errors import FieldError, InvalidInput
from command_center.base.labels import t
from command_center.services.exposure import haversine_km
from command_center.services.incidents import (
    RELEASING_PHASES,
    PhaseRecord,
    Region,
    current_phase,
    heads,
)
from command_center.services.validation import (
    LABEL,
    NAME,
    Count,
    Decimal,
    KecamatanCode,
    Phone,
    Text,
    blank_to_none,
    bounded,
    field_errors,
    longest,
    one_of,
    parse_count,
)


@dataclass(frozen=True)
class Item:
    """One catalogue item: its code, unit, whether it expires, the words people use, and the
    other units it is counted in that convert exactly into its own."""

    code: str
    unit: str
    perishable: bool
    words: tuple[str, ...]  # lower-case names as written on reports and spreadsheets
    per: Mapping[str, int] = field(default_factory=dict, hash=False)  # unit -> of `unit`


# A need in another unit is kept in that unit: only exact, standard conversions are listed (a
# karung of beras or a dus of air mineral holds whatever its packer chose).
CATALOGUE = {
    item.code: item
    for item in (
        Item("makanan_siap_saji", "paket", True, ("makanan siap saji", "mss", "nasi bungkus")),
        Item("lauk_pauk", "paket", True, ("lauk pauk", "lauk pauk siap saji", "lauk")),
        Item("beras", "kg", True, ("beras",), {"ton": 1000, "kwintal": 100}),
        Item("air_mineral", "liter", True, ("air mineral", "air bersih", "air minum")),
        Item("makanan_anak", "paket", True, ("makanan anak", "makanan balita", "mpasi")),
        Item("family_kit", "paket", False, ("family kit", "paket keluarga")),
        Item("kids_ware", "paket", False, ("kids ware", "kidsware", "perlengkapan anak")),
        Item("selimut", "lembar", False, ("selimut",), {"buah": 1}),  # a blanket is a sheet
        Item("matras", "lembar", False, ("matras", "tikar", "kasur"), {"buah": 1}),
        Item("tenda_gulung", "lembar", False, ("tenda gulung", "terpal")),
        Item("tenda_keluarga", "buah", False, ("tenda keluarga", "tenda"), {"unit": 1}),
        Item("sandang", "paket", False, ("sandang", "pakaian")),
        Item("perlengkapan_dapur_umum", "paket", False, ("perlengkapan dapur umum",)),
        Item("hygiene_kit", "paket", False, ("hygiene kit", "perlengkapan mandi")),
    )
}


@dataclass(frozen=True)
class Rule:
    """What one displaced person (or family) uses of an item: `amount` a day when `daily`,
    else `amount` once (a blanket, a family kit)."""

    amount: float
    per: str  # "person" or "family"
    daily: bool


RULES = {  # Kemensos buffer-stock practice; change here and nowhere else
    "makanan_siap_saji": Rule(3, "person", daily=True),  # three portions a day
    "lauk_pauk": Rule(1, "family", daily=True),
    "beras": Rule(0.4, "person", daily=True),
    "air_mineral": Rule(2.5, "person", daily=True),
    "selimut": Rule(1, "person", daily=False),
    "matras": Rule(1, "person", daily=False),
    "sandang": Rule(1, "person", daily=False),
    "family_kit": Rule(1, "family", daily=False),
    "hygiene_kit": Rule(1, "family", daily=False),
    "tenda_gulung": Rule(1, "family", daily=False),
}
PERSONS_PER_FAMILY = 4  # families from people when no shelter counts them (BPS: 3.9)

WAREHOUSE_KINDS = ("lumbung_sosial", "gudang_kabupaten", "gudang_provinsi", "gudang_nasional")
ADJUSTMENT_REASONS = ("expired", "damaged", "counted", "lost")
MEALS = ("pagi", "siang", "malam")
ITEM_WORDS = {
    **{code: code for code in CATALOGUE},
    **{code.replace("_", " "): code for code in CATALOGUE},
    **{word: item.code for item in CATALOGUE.values() for word in item.words},
}
KIND_WORDS = {
    **{k: k for k in WAREHOUSE_KINDS},
    "lumbung": "lumbung_sosial",
    "lumbung sosial": "lumbung_sosial",
    "kabupaten": "gudang_kabupaten",
    "gudang kabupaten": "gudang_kabupaten",
    "provinsi": "gudang_provinsi",
    "gudang provinsi": "gudang_provinsi",
    "nasional": "gudang_nasional",
    "gudang nasional": "gudang_nasional",
}


def item_of(text: object) -> str | None:
    """The catalogue code a written item name stands for (`"Selimut"` → `selimut`,
    `"makanan siap saji (paket)"` → `makanan_siap_saji`), if any."""
    words = re.sub(r"\(.*?\)", " ", str(text or "").casefold().replace("_", " "))
    return ITEM_WORDS.get(" ".join(words.split()))


UNIT_WORDS = {  # a unit as written -> our word for it; "pcs" and "bh" are pieces: buah
    **{unit: unit for unit in ("dus", "karton", "paket", "pak", "liter", "kg", "ton")},
    **{unit: unit for unit in ("kwintal", "lembar", "buah", "unit", "karung", "galon")},
    **{unit: unit for unit in ("bungkus", "botol")},
    "dos": "dus",
    "kardus": "dus",
    "pkt": "paket",
    "ltr": "liter",
    "lt": "liter",
    "l": "liter",
    "kilo": "kg",
    "kilogram": "kg",
    "kuintal": "kwintal",
    "lbr": "lembar",
    "pcs": "buah",
    "bh": "buah",
    "bks": "bungkus",
    "btl": "botol",
}


@dataclass(frozen=True)
class NeedLine:
    """A need or an aid delivery in the catalogue's words: `item` is a catalogue code, or the
    words of an item the catalogue does not know (lower case, single spaces); `unit` is our
    word for the unit ("" for an unknown item written without one)."""

    item: str
    qty: int | None  # None: named without a quantity
    unit: str


def need_line(words: str, qty: int | None, unit: str | None) -> NeedLine:
    """What a person wrote for one need or delivery (`"Air Mineral"`, 500, `"dus"`), in the
    catalogue's words and units. Every channel that takes needs reads them here.

    The item is the catalogue code its words name (`"kasur"` → `matras`), else the words. The
    unit is `unit`, else a unit word in brackets after the name (`"air bersih (liter)"`), else
    the item's own. A unit the item converts exactly is turned into the item's unit with the
    quantity (beras 2 ton → 2000 kg); any other unit is kept with the quantity as written
    (air mineral 500 dus stays 500 dus), so it is never added to or compared with litres.
    A unit word we do not know is kept as written (lower case).
    """
    text = " ".join(str(words or "").casefold().replace("_", " ").split())
    bracket = re.search(r"\(\s*([^()]*?)\s*\.?\s*\)$", text)
    if not unit and bracket and bracket.group(1) in UNIT_WORDS:
        unit, text = bracket.group(1), text[: bracket.start()].strip()
    written = " ".join(str(unit or "").casefold().strip(" .").split())
    written = UNIT_WORDS.get(written, written)
    code = item_of(text)
    if code is None:
        return NeedLine(text, qty, written)
    item = CATALOGUE[code]
    if not written or written == item.unit:
        return NeedLine(code, qty, item.unit)
    if written in item.per:
        return NeedLine(code, None if qty is None else qty * item.per[written], item.unit)
    return NeedLine(code, qty, written)


def item_label(item: str, lang: str = "id") -> str:
    """A catalogue item in words (`Selimut`); an item outside the catalogue as written."""
    return t(f"item_{item}", lang) if item in CATALOGUE else item


def typed_list(items: Iterable[Mapping[str, Any]]) -> str:
    """Stored needs or aid as a person types them, in words that read back to the same lines:
    `Selimut: 300 lembar; Sembako: 100 paket: 2026-11-21`."""
    parts = []
    for stored in items:
        line = need_line(stored.get("item", ""), stored.get("qty"), stored.get("unit"))
        amount = f"{line.qty} {line.unit}".strip()
        parts.append(": ".join(p for p in (item_label(line.item), amount, stored.get("date")) if p))
    return "; ".join(parts)


class _Input(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, frozen=True)

    @classmethod
    def check(cls, values: Mapping[str, Any], geography: Any = None) -> Any:
        """Validate `values` (kecamatan codes against `geography` when given).

        Raises:
            InvalidInput: one FieldError per bad field.
        """
        try:
            return cls.model_validate(dict(values), context={"geography": geography})
        except ValidationError as exc:
            raise InvalidInput(field_errors(exc)) from exc


class StockLine(_Input):
    """A quantity of one item from one batch (`"selimut A2023"`)."""

    item: str
    batch: str = Field(min_length=1, max_length=LABEL)
    quantity: Annotated[int, BeforeValidator(parse_count), bounded(1, 10**9)]
    expires_on: date | None = None

    @field_validator("item", mode="before")
    @classmethod
    def _item(cls, value: Any) -> str:
        return one_of(value, ITEM_WORDS, "bad_item", items=", ".join(CATALOGUE))


class WarehouseInput(_Input):
    name: str = Field(min_length=1, max_length=NAME)
    kind: str
    kecamatan_code: KecamatanCode
    lat: Annotated[Decimal, bounded(-11.5, 6.5)] = None
    lon: Annotated[Decimal, bounded(94.0, 141.5)] = None

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> str:
        return one_of(value, KIND_WORDS, "bad_warehouse_kind", kinds=", ".join(WAREHOUSE_KINDS))

    @property
    def kabupaten_code(self) -> str:
        return self.kecamatan_code[:5]


class ShelterInput(_Input):
    """A posko pengungsian and who is in it."""

    name: str = Field(min_length=1, max_length=NAME)
    kecamatan_code: KecamatanCode
    lat: Annotated[Decimal, bounded(-11.5, 6.5)] = None
    lon: Annotated[Decimal, bounded(94.0, 141.5)] = None
    capacity: Count = None
    people: Count = 0
    families: Count = 0
    toddlers: Count = 0
    pregnant: Count = 0
    elderly: Count = 0
    disabled: Count = 0
    opened_on: date
    closed_on: date | None = None
    contact_name: Annotated[Text, longest(NAME)] = None
    contact_phone: Phone = None

    @classmethod
    def check(cls, values: Mapping[str, Any], geography: Any = None) -> ShelterInput:
        entry = super().check(values, geography)
        errors = []
        for group in ("families", "toddlers", "pregnant", "elderly", "disabled"):
            if (getattr(entry, group) or 0) > (entry.people or 0):
                errors.append(FieldError(group, "exceeds_people", {"value": getattr(entry, group)}))
        if entry.closed_on is not None and entry.closed_on < entry.opened_on:
            errors.append(FieldError("closed_on", "end_before_start", {"value": entry.closed_on}))
        if errors:
            raise InvalidInput(errors)
        return entry


class KitchenInput(_Input):
    """A dapur umum: where, which team runs it, from when to when."""

    name: str = Field(min_length=1, max_length=NAME)
    kecamatan_code: KecamatanCode
    lat: Annotated[Decimal, bounded(-11.5, 6.5)] = None
    lon: Annotated[Decimal, bounded(94.0, 141.5)] = None
    team_id: int | None = None
    started_on: date
    ended_on: date | None = None


class MealsInput(_Input):
    day: date
    meal: str
    portions: Annotated[int, bounded(0, 10**7)]

    @field_validator("meal", mode="before")
    @classmethod
    def _meal(cls, value: Any) -> str:
        return one_of(value, {m: m for m in MEALS}, "bad_meal", meals=", ".join(MEALS))


OPENING_HEADERS = {
    "warehouse": ("gudang", "nama_gudang", "lumbung", "warehouse", "lokasi"),
    "item": ("barang", "jenis_barang", "item", "nama_barang", "logistik", "jenis"),
    "batch": ("batch", "lot", "tahun_pengadaan", "kode_batch", "label"),
    "quantity": ("jumlah", "qty", "quantity", "stok", "volume", "kuantitas"),
    "expires_on": ("kedaluwarsa", "kadaluarsa", "expired", "expires_on", "tgl_kedaluwarsa"),
    "document": ("dokumen", "nomor_dokumen", "berita_acara", "document"),
}


class OpeningRow(StockLine):
    """One line of an opening stock count: which warehouse (by name) holds how much."""

    warehouse: str = Field(min_length=1, max_length=NAME)
    document: Annotated[Text, longest(NAME)] = None

    @field_validator("expires_on", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        value = blank_to_none(value)
        if isinstance(value, str) and re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}", value):
            day, month, year = re.split(r"[/.-]", value)
            return f"{year}-{int(month):02d}-{int(day):02d}"
        return value[:10] if isinstance(value, str) else value


@dataclass(frozen=True)
class Batch:
    batch: str
    on_hand: int
    expires_on: date | None


def fefo(batches: Iterable[Batch], quantity: int) -> list[tuple[str, int]]:
    """First expiry, first out: which batches to take `quantity` from (expiring soonest first,
    batches without a date last, then by name). Takes what there is if there is not enough."""
    order = sorted(
        (b for b in batches if b.on_hand > 0),
        key=lambda b: (b.expires_on is None, b.expires_on or date.max, b.batch),
    )
    taken = []
    for batch in order:
        if quantity <= 0:
            break
        take = min(batch.on_hand, quantity)
        taken.append((batch.batch, take))
        quantity -= take
    return taken


def release_refusal(
    warehouse_kind: str,
    warehouse_kabupaten: str,
    warehouse_region: Region,
    incident_kecamatan: Iterable[str],
    phases: Iterable[PhaseRecord],
    today: date,
) -> tuple[str, dict[str, Any]] | None:
    """Why stock may not leave this warehouse for the incident (a reason code and its values),
    or None. Only a lumbung sosial is bound: the incident's area must include its kabupaten,
    and a confirmed siaga or tanggap darurat decree must be in force, set by the head of the
    lumbung's kabupaten/kota or province, or by the President."""
    if warehouse_kind != "lumbung_sosial":
        return None
    if not any(code.startswith(warehouse_kabupaten + ".") for code in incident_kecamatan):
        return "release_outside_area", {"kabupaten": warehouse_kabupaten}
    phases = list(phases)
    decree = _releasing((p for p in phases if p.confirmed), today)
    if decree is None:
        waiting = _releasing(phases, today)
        if waiting is not None:
            return "release_decree_unconfirmed", {"decree": waiting.decree}
        return "release_no_decree", {}
    if not heads(decree.authority, warehouse_region):
        values = {"authority": decree.authority, "area": str(warehouse_region)}
        return "release_decree_authority", values
    return None


def _releasing(phases: Iterable[PhaseRecord], today: date) -> PhaseRecord | None:
    """The decree in force on `today` if it sets a phase that releases stock."""
    phase = current_phase(list(phases), today)
    if phase is None or phase.phase not in RELEASING_PHASES:
        return None
    return phase if phase.ends_on is None or phase.ends_on >= today else None


@dataclass(frozen=True)
class AidLine:
    """One item in one unit for an incident (or a kecamatan): needed, delivered, on the way."""

    item: str  # a catalogue code, or the words of an item the catalogue does not know
    unit: str
    needed: int
    delivered: int
    in_transit: int
    reported: bool  # delivered as the posko reports say: the ledger never sent this item


RECONCILED = ["kecamatan_code", "item", "unit", "needed", "delivered", "in_transit", "reported"]


def needs_by_item(items: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], int]:
    """Stored needs or aid (`{"item": "Selimut", "qty": 50, "unit": "lembar"}`) summed per
    (item, unit) as `need_line` reads them; an item without a unit is in the item's own."""
    found: dict[tuple[str, str], int] = {}
    for written in items:
        line = need_line(written.get("item", ""), written.get("qty"), written.get("unit"))
        found[(line.item, line.unit)] = found.get((line.item, line.unit), 0) + (line.qty or 0)
    return found


def reconcile(reports: pd.DataFrame, dispatches: pd.DataFrame) -> pd.DataFrame:
    """An incident's needs and deliveries per (kecamatan, item, unit): the one account that
    the sitrep, the wall screen and the Logistik page all show (columns `RECONCILED`).

    Needed is what the counted `reports` ask for. Delivered and in transit come from the
    ledger's `dispatches` to the incident (received as receipted, in the item's unit). For an
    item the ledger has sent to the incident at all, the ledger is the only record of its
    deliveries: the posko reports' own `aid_delivered` of it (which would count the same aid
    twice, or in another unit) is left out. For an item it never sent (aid from elsewhere),
    the reports' figure is taken and marked `reported`. So no item has two delivered figures.
    """
    received, moving = deliveries(dispatches, by=("kecamatan_code", "item"))
    in_ledger = set(dispatches["item"])
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}

    def add(code: str, item: str, unit: str, column: str, qty: float) -> None:
        row = rows.setdefault(
            (code, item, unit),
            {"kecamatan_code": code, "item": item, "unit": unit, "reported": False}
            | {"needed": 0, "delivered": 0, "in_transit": 0},
        )
        row[column] += int(qty)
        if column == "delivered" and item not in in_ledger:
            row["reported"] = True

    for code, needs, aid in zip(
        reports["kecamatan_code"], reports["needs"], reports["aid_delivered"], strict=True
    ):
        for (item, unit), qty in needs_by_item(needs or []).items():
            add(code, item, unit, "needed", qty)
        for (item, unit), qty in needs_by_item(aid or []).items():
            if item not in in_ledger:
                add(code, item, unit, "delivered", qty)
    for column, sums in (("delivered", received), ("in_transit", moving)):
        for (code, item), qty in sums.items():
            add(code, item, CATALOGUE[item].unit, column, qty)
    return pd.DataFrame([rows[key] for key in sorted(rows)], columns=RECONCILED)


def aid_lines(reconciled: pd.DataFrame) -> list[AidLine]:
    """The lines of `reconcile` summed over the kecamatan per (item, unit), largest gap first."""
    totals = reconciled.groupby(["item", "unit"], as_index=False).agg(
        needed=("needed", "sum"),
        delivered=("delivered", "sum"),
        in_transit=("in_transit", "sum"),
        reported=("reported", "any"),
    )
    lines = [
        AidLine(r.item, r.unit, int(r.needed), int(r.delivered), int(r.in_transit), r.reported)
        for r in totals.itertuples()
    ]
    return sorted(lines, key=lambda n: (-(n.needed - n.delivered), n.item, n.unit))


@dataclass(frozen=True)
class CoverLine(AidLine):
    """An `AidLine` with the stock left nearby and how long that lasts at today's number of
    displaced people (None: not a daily item, or not counted in the item's own unit)."""

    stock: int
    days: float | None
    short: int  # once-only items: how many are still missing after stock and deliveries


def cover(
    lines: Iterable[AidLine],
    stock: Mapping[str, int],
    people: int,
    families: int | None = None,
) -> list[CoverLine]:
    """Needs against deliveries and nearby stock per (item, unit), the ones running out first
    on top: daily items by days of cover, once-only items by what is still missing. Stock and
    the consumption rules are in the item's own unit: a line in another unit (air mineral in
    dus) is shown as it is, never set against them."""
    families = families if families is not None else math.ceil(people / PERSONS_PER_FAMILY)
    every = {(line.item, line.unit): line for line in lines}
    for item, held in stock.items():
        if held:
            unit = CATALOGUE[item].unit
            every.setdefault((item, unit), AidLine(item, unit, 0, 0, 0, reported=False))
    covered = []
    for (item, unit), line in sorted(every.items()):
        own = item in CATALOGUE and unit == CATALOGUE[item].unit
        rule = RULES.get(item) if own else None
        held = stock.get(item, 0) if own else 0
        days, short = None, 0
        if rule is not None:
            users = people if rule.per == "person" else families
            use = rule.amount * users
            if rule.daily:
                days = (held / use) if use else None
            else:
                short = max(0, math.ceil(use) - line.delivered - line.in_transit - held)
        covered.append(CoverLine(**vars(line), stock=held, days=days, short=short))
    return sorted(covered, key=_running_out)


def _running_out(line: CoverLine) -> tuple[int, float, str, str]:
    """Daily items by days of cover, then once-only items by what is missing, then the rest."""
    if line.days is not None:
        return (0, line.days, line.item, line.unit)
    if line.short:
        return (1, -line.short, line.item, line.unit)
    return (2, 0, line.item, line.unit)


def deliveries(dispatches: pd.DataFrame, by: Sequence[str]) -> tuple[pd.Series, pd.Series]:
    """What has arrived (as receipted) and what is still on the way, summed `by` columns of a
    `logistics_store.dispatches` frame (a line per dispatch and item)."""
    done = dispatches[dispatches["status"] == "received"]
    moving = dispatches[dispatches["status"] == "in_transit"]
    received = pd.to_numeric(done["received_quantity"]).groupby([done[c] for c in by]).sum()
    return received, moving.groupby(list(by))["sent"].sum()


def nearest(
    warehouses: Iterable[tuple[int, float | None, float | None]],
    lat: float,
    lon: float,
    radius_km: float,
) -> list[int]:
    """The warehouses within `radius_km` of a point, nearest first; the nearest one alone when
    none is that close (warehouses without coordinates are left out)."""
    placed = [
        (float(haversine_km(lat, lon, w_lat, w_lon)), w_id)
        for w_id, w_lat, w_lon in warehouses
        if w_lat is not None and w_lon is not None
    ]
    placed.sort()
    near = [w_id for km, w_id in placed if km <= radius_km]
    return near or [w_id for _, w_id in placed[:1]]
