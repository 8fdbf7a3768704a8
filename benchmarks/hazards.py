"""Hazard benchmarks: parse + upsert 1,000 earthquakes; exposure of one event to all kecamatan.

Run: `.venv/bin/python benchmarks/hazards.py` (needs the shared kecamatan layer). Prints medians
of several runs; these machines are noisy, so compare medians and ratios, not single runs.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from command_center.base.db import make_engine, migrate
from command_center.base.geography import load_geography
from command_center.base.settings import load_settings
from command_center.services.exposure import affected_kecamatan
from command_center.sources.bmkg_quakes import parse_infogempa
from command_center.stores import hazards as hazard_store


def infogempa(count: int, magnitude_shift: float = 0.0) -> bytes:
    """A gempaterkini-style payload with `count` distinct events (real field formats)."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    entries = []
    for i in range(count):
        when = start + timedelta(minutes=37 * i)
        lat, lon = -8.0 + (i % 50) * 0.2, 100.0 + (i % 200) * 0.2
        entries.append(
            {
                "Tanggal": "01 Jan 2026",
                "Jam": "07:00:00 WIB",
                "DateTime": when.isoformat(),
                "Coordinates": f"{lat:.2f},{lon:.2f}",
                "Lintang": f"{abs(lat):.2f} {'LS' if lat < 0 else 'LU'}",
                "Bujur": f"{lon:.2f} BT",
                "Magnitude": f"{4.0 + (i % 30) / 10 + magnitude_shift:.1f}",
                "Kedalaman": f"{10 + i % 90} km",
                "Wilayah": f"{i % 150} km BaratDaya KAB-CONTOH-{i}",
                "Potensi": "Tidak berpotensi tsunami",
            }
        )
    return json.dumps({"Infogempa": {"gempa": entries}}).encode()


def timed(function, runs: int) -> list[float]:
    results = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        results.append(time.perf_counter() - started)
    return results


def main() -> None:
    rows = []
    payload, revised = infogempa(1000), infogempa(1000, magnitude_shift=0.1)
    parse = timed(lambda: parse_infogempa(payload), 5)
    rows.append(("parse 1,000 BMKG events", statistics.median(parse) * 1000, "ms"))

    def insert_then_update() -> tuple[float, float]:
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite:///{Path(folder) / 'b.db'}")
            migrate(engine)
            times = []
            for body in (payload, revised):
                started = time.perf_counter()
                with Session(engine) as session, session.begin():
                    hazard_store.save_quakes(session, parse_infogempa(body))
                times.append(time.perf_counter() - started)
            engine.dispose()
            return times[0], times[1]

    runs = [insert_then_update() for _ in range(3)]
    rows.append(
        ("parse + insert 1,000 events (SQLite)", statistics.median(r[0] for r in runs) * 1000, "ms")
    )
    rows.append(
        ("parse + update 1,000 events (SQLite)", statistics.median(r[1] for r in runs) * 1000, "ms")
    )

    settings = load_settings()
    geography = load_geography(settings.kecamatan_path, settings.cache_dir)
    points = geography.points
    exposure = timed(lambda: affected_kecamatan(points, 6.5, 10.0, -6.84, 107.05, 5.0), 200)
    rows.append(
        ("exposure, 1 event x 7,285 kecamatan (median)", statistics.median(exposure) * 1000, "ms")
    )
    rows.append(("exposure p95", sorted(exposure)[int(len(exposure) * 0.95)] * 1000, "ms"))

    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark':<{width}}  {'value':>10}")
    for name, value, unit in rows:
        print(f"{name:<{width}}  {value:>8.1f} {unit}")


if __name__ == "__main__":
    main()
