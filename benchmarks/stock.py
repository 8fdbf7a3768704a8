"""Stock balances from the ledger: 100 warehouses x 200 items x 100,000 movements.

Run: `.venv/bin/python benchmarks/stock.py` (SQLite in a temporary folder; set DATABASE_URL to
an empty PostgreSQL database to measure that instead). Prints medians of 7 runs of:
- every balance (`logistics_store.stock`: warehouse, item, batch, on hand), target <= 200 ms;
- one dispatch (lock the warehouse, read its batches of the item, write the movements).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine, migrate
from command_center.base.models import (
    Area,
    AreaLevel,
    Incident,
    IncidentArea,
    StockMovement,
    Warehouse,
)
from command_center.base.times import utcnow
from command_center.stores import logistics as logistics_store
from command_center.stores.logistics import DispatchRequest, Line

WAREHOUSES, ITEMS, MOVEMENTS, RUNS = 100, 200, 100_000, 7


def _load(engine) -> tuple[int, int]:
    """The areas, warehouses and movements (bulk inserted: the load is not what is measured)."""
    rng = random.Random(7)
    with engine.begin() as conn:
        conn.execute(
            insert(Area),
            [
                {
                    "code": "32",
                    "level": AreaLevel.PROVINCE,
                    "name": "Jawa Barat",
                    "parent_code": None,
                },
                {
                    "code": "32.03",
                    "level": AreaLevel.KABUPATEN,
                    "name": "Cianjur",
                    "parent_code": "32",
                },
                {
                    "code": "32.03.11",
                    "level": AreaLevel.KECAMATAN,
                    "name": "Cugenang",
                    "parent_code": "32.03",
                },
            ],
        )
        conn.execute(
            insert(Warehouse),
            [
                {
                    "id": w,
                    "name": f"Gudang {w}",
                    "kind": "gudang_kabupaten",
                    "kecamatan_code": "32.03.11",
                    "kabupaten_code": "32.03",
                    "is_exercise": False,
                    "created_at": utcnow(),
                    "created_by": "benchmark",
                }
                for w in range(1, WAREHOUSES + 1)
            ],
        )
        rows = []
        for n in range(MOVEMENTS):
            receipt = n < WAREHOUSES * ITEMS or rng.random() < 0.5
            rows.append(
                {
                    "warehouse_id": (n % WAREHOUSES) + 1,
                    "item": f"item_{(n // WAREHOUSES) % ITEMS:03d}",
                    "batch": f"B{2022 + rng.randrange(3)}",
                    "expires_on": date(2027, 1, 1) + timedelta(days=rng.randrange(365)),
                    "quantity": rng.randrange(50, 500) if receipt else -rng.randrange(1, 20),
                    "kind": "receipt" if receipt else "dispatch",
                    "at": utcnow(),
                    "by": "benchmark",
                }
            )
        conn.execute(insert(StockMovement), rows)
        incident = conn.execute(
            insert(Incident)
            .values(
                key="bench",
                name="Banjir",
                kind="banjir",
                status="open",
                kabupaten_code="32.03",
                started_at=utcnow(),
                is_exercise=False,
                created_at=utcnow(),
                version=1,
            )
            .returning(Incident.id)
        ).scalar_one()
        conn.execute(insert(IncidentArea).values(incident_id=incident, kecamatan_code="32.03.11"))
    return incident, 1


def _median_ms(call) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    url = os.environ.get("DATABASE_URL")
    folder = tempfile.mkdtemp()
    engine = make_engine(url or f"sqlite:///{folder}/stock.db")
    migrate(engine)
    incident, warehouse = _load(engine)
    balances = logistics_store.stock(engine)
    assert (balances["on_hand"] != 0).all() and len(balances) <= WAREHOUSES * ITEMS * 3
    per_item = logistics_store.balances(engine)
    items = _median_ms(lambda: logistics_store.balances(engine))
    every = _median_ms(lambda: logistics_store.stock(engine))
    request = DispatchRequest(incident, warehouse, [Line("item_000", 1)], "32.03.11")
    one = _median_ms(lambda: logistics_store.dispatch(engine, request, SYSTEM))
    backend = engine.dialect.name
    size = f"{WAREHOUSES} warehouses x {ITEMS} items x {MOVEMENTS:,} movements"
    print(f"{size}; {backend}; medians of {RUNS}")
    print("| measure | median | target |")
    print("| --- | --- | --- |")
    print(f"| every balance per item ({len(per_item):,} rows) | {items:.0f} ms | <= 200 ms |")
    print(f"| every balance per batch ({len(balances):,} rows) | {every:.0f} ms | - |")
    print(f"| one dispatch (lock, read batches, write) | {one:.1f} ms | - |")


if __name__ == "__main__":
    main()
