"""Import benchmark: 10,000 kecamatan report rows from CSV into the store (target <= 3 s).

Run: `.venv/bin/python benchmarks/imports.py` (needs the shared kecamatan layer). Uses a fresh
SQLite file, or PostgreSQL when `DATABASE_URL` points at one. Prints medians of three runs.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from command_center import demo
from command_center.base.auth import Principal
from command_center.base.db import make_engine, migrate
from command_center.base.geography import load_geography
from command_center.base.scenarios import SCENARIOS
from command_center.base.settings import ImportLimits, load_settings
from command_center.base.times import utcnow
from command_center.stores import common as store
from command_center.stores import reports as report_store

ROWS = 10_000
HEADER = "kode_kecamatan;waktu_laporan;pelapor;sumber;meninggal;hilang;mengungsi;jiwa_terdampak;"
HEADER += "rumah_rusak_berat;rumah_rusak_sedang;kebutuhan"
BENCH = Principal("benchmark", "operator")


def report_csv(codes: list[str], rows: int) -> bytes:
    """A Dinsos-style file: semicolons, thousands separators, every kecamatan in turn."""
    stamp = utcnow().strftime("%d/%m/%Y %H:%M")
    lines = [HEADER]
    for i in range(rows):
        code = codes[i % len(codes)]
        lines.append(
            f"{code};{stamp};TKSK {i};TKSK;{i % 7};{i % 3};{1000 + i % 900:,}".replace(",", ".")
            + f";{5000 + i % 4000};{i % 50};{i % 80};tenda: {i % 20}; selimut: {i % 300}"
        )
    return "\n".join(lines).encode()


def main() -> None:
    settings = load_settings()
    geography = load_geography(settings.kecamatan_path, settings.cache_dir)
    codes = list(geography.kecamatan.index)
    data = report_csv(codes, ROWS)
    runs = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as folder:
            url = (
                settings.database_url
                if settings.database_url.startswith("postgresql")
                else (f"sqlite:///{Path(folder) / 'bench.db'}")
            )
            engine = make_engine(url)
            migrate(engine)
            demo.load(engine, geography, reset=True, scenarios=SCENARIOS[:1])  # the earthquake
            (incident,) = store.incidents(engine)
            started = time.perf_counter()
            result = report_store.import_reports(
                engine,
                data,
                "bench.csv",
                incident.id,
                geography,
                BENCH,
                ImportLimits(max_bytes=50_000_000),
                True,
            )
            runs.append(time.perf_counter() - started)
            assert result.created == ROWS, result.problems[:3]
            engine.dispose()
    median = statistics.median(runs)
    print(
        f"| import of {ROWS:,} report rows ({len(data) / 1e6:.1f} MB CSV) | {median:.2f} s "
        f"median | {ROWS / median:,.0f} rows/s | target <= 3 s | {engine.url.get_backend_name()} |"
    )


if __name__ == "__main__":
    main()
