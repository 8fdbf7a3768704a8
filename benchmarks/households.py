"""Register and match 100,000 people (25,000 families) against a 1,000,000-row registry extract.

Run: `.venv/bin/python benchmarks/households.py` (SQLite in a temporary folder; set DATABASE_URL
to an empty PostgreSQL database to measure that instead; CC_SHARED_DATA_DIR for the boundaries
the NIK and kecamatan checks use). Prints, for 3 runs each on a fresh database, the medians of:
- storing the registry extract (1,000,000 NIKs hashed with the key, upserted);
- registering the people from a spreadsheet (checked, sealed, hashed, inserted);
- matching them against the registry (one join on the keyed hash);
target: register + match <= 10 s.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine, migrate
from command_center.base.geography import load_geography
from command_center.base.pdp import Vault, new_key
from command_center.base.settings import ImportLimits, load_settings
from command_center.base.times import utcnow
from command_center.stores import common as store
from command_center.stores import households as household_store
from command_center.stores import incidents as incident_store
from command_center.stores.incidents import NewIncident

FAMILIES, PER_FAMILY, REGISTRY, RUNS = 25_000, 4, 1_000_000, 3
KECAMATAN = [f"3203{k:02d}" for k in range(1, 33)]
AREA = tuple(f"{k[:2]}.{k[2:4]}.{k[4:]}" for k in KECAMATAN)  # the incident's: its families


def _nik(female: bool, born: date, serial: int) -> str:
    """A NIK unique by its place and serial (the birth date as the rule wants)."""
    kecamatan = KECAMATAN[serial // 9999 % len(KECAMATAN)]
    day = born.day + (40 if female else 0)
    return f"{kecamatan}{day:02d}{born.month:02d}{born.year % 100:02d}{serial % 9999 + 1:04d}"


def _people(rng: random.Random) -> tuple[bytes, list[str]]:
    """The household spreadsheet (one row per person) and every NIK in it."""
    lines = ["No KK;NIK;Nama;JK;Tanggal Lahir;Hubungan;Kode Kecamatan;Desa;Kondisi Rumah"]
    niks, serial = [], 0
    for family in range(FAMILIES):
        kecamatan = rng.choice(KECAMATAN)
        issued = date(2000, 1, 1) + timedelta(days=family // 9999)
        kk = f"{kecamatan}{issued:%d%m%y}{family % 9999 + 1:04d}"
        code = f"{kecamatan[:2]}.{kecamatan[2:4]}.{kecamatan[4:]}"
        damage = rng.choice(["berat", "sedang", "ringan", "tidak"])
        for person in range(PER_FAMILY):
            serial += 1
            female = person % 2 == 1
            born = date(1950, 1, 1) + timedelta(days=rng.randint(0, 26_000))
            nik = _nik(female, born, serial)
            niks.append(nik)
            relation = "kepala keluarga" if person == 0 else "anak"
            lines.append(
                f"{kk};{nik};Warga {serial};{'P' if female else 'L'};{born:%d/%m/%Y};"
                f"{relation};{code};Desa {family % 50};{damage}"
            )
    return "\n".join(lines).encode(), niks


def _registry(rng: random.Random, niks: list[str]) -> bytes:
    """1,000,000 rows: a third of the registered people, the rest other people."""
    known = rng.sample(niks, len(niks) // 3)
    rows = ["NIK,PKH,BPNT,PBI,DESIL"]
    rows += [f"{n},{rng.randint(0, 1)},{rng.randint(0, 1)},1,{rng.randint(1, 5)}" for n in known]
    for i in range(REGISTRY - len(known)):
        rows.append(f"3273{i % 99 + 1:02d}{rng.randint(1, 28):02d}0190{i % 10000:04d},0,1,0,3")
    return "\n".join(rows).encode()


def _fresh_engine(base: str | None, folder: Path):
    if base is None:
        engine = make_engine(f"sqlite:///{folder / f'{uuid.uuid4().hex}.db'}")
    else:
        engine = make_engine(base)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        engine = make_engine(base)
    migrate(engine)
    return engine


def main() -> None:
    settings = load_settings()
    geography = load_geography(settings.kecamatan_path, settings.cache_dir)
    rng = random.Random(21)
    people, niks = _people(rng)
    extract = _registry(rng, niks)
    vault = Vault(new_key())
    limits = ImportLimits(max_bytes=50_000_000, max_rows=200_000)
    base = (
        os.environ.get("DATABASE_URL")
        if "postgresql" in os.environ.get("DATABASE_URL", "")
        else None
    )
    timings: dict[str, list[float]] = {"registry": [], "register": [], "match": []}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(RUNS):
            engine = _fresh_engine(base, Path(folder))
            store.sync_areas(engine, geography.area_rows())
            key = incident_store.open_incident(
                engine, NewIncident("banjir", "Banjir", AREA, utcnow()), SYSTEM
            )
            incident = incident_store.incident_id(engine, key)
            started = time.perf_counter()
            stored, refused = household_store.import_registry(
                engine, vault, extract, "x.csv", SYSTEM, limits
            )
            timings["registry"].append(time.perf_counter() - started)
            started = time.perf_counter()
            report = household_store.import_households(
                engine, vault, people, "kk.csv", incident, geography, SYSTEM, limits
            )
            timings["register"].append(time.perf_counter() - started)
            started = time.perf_counter()
            matched = household_store.registry_match(engine, incident)
            timings["match"].append(time.perf_counter() - started)
            assert stored == REGISTRY and not refused, (stored, len(refused))
            assert report.landed == len(niks) and not report.problems, report.problems[:3]
            assert int(matched["in_registry"].sum()) == len(niks) // 3
            engine.dispose()
    backend = "PostgreSQL" if base else "SQLite"
    median = {name: statistics.median(values) for name, values in timings.items()}
    print(f"{backend}: {FAMILIES:,} families, {len(niks):,} people, registry {REGISTRY:,} rows")
    print(f"- store the registry extract: {median['registry']:.1f} s (median of {RUNS})")
    print(f"- register the people from a spreadsheet: {median['register']:.1f} s")
    print(f"- match them against the registry: {median['match']:.2f} s")
    total = median["register"] + median["match"]
    print(f"- register + match: {total:.1f} s (target <= 10 s)")


if __name__ == "__main__":
    main()
