"""Time to make one Laporan Situasi PDF and one WhatsApp image for the Cianjur training
scenario (the earthquake), median of 3 after a warm-up; target <= 3 s each.

Run: `.venv/bin/python benchmarks/sitrep_files.py` (SQLite in a temporary folder, the
boundaries from CC_SHARED_DATA_DIR). The facts are gathered once; each run draws the map and
the chart from the boundary layer and lays the files out (`services.sitrep_files`).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from command_center import demo
from command_center.base.db import make_engine, migrate
from command_center.base.geography import load_geography
from command_center.base.scenarios import SCENARIOS
from command_center.base.settings import load_settings
from command_center.services import sitrep_files
from command_center.stores import common as store
from command_center.stores import sitreps as sitrep_store

RUNS = 3


def _median_s(make) -> tuple[float, bytes]:
    made = make()  # warm-up: fonts, the layout engine's caches
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        made = make()
        times.append(time.perf_counter() - start)
    return statistics.median(times), made


def main() -> None:
    settings = load_settings()
    with tempfile.TemporaryDirectory() as folder:
        geography = load_geography(settings.kecamatan_path, Path(folder))
        engine = make_engine(f"sqlite:///{folder}/store.db")
        migrate(engine)
        demo.load(engine, geography, scenarios=SCENARIOS[:1])
        (incident,) = store.incidents(engine)
        facts = sitrep_store.gather(engine, incident.id, organisation=settings.organisation)

        def pdf() -> bytes:
            return sitrep_files.pdf(facts, *sitrep_files.drawings(facts, geography))

        def png() -> bytes:
            return sitrep_files.png(facts, sitrep_files.drawings(facts, geography)[0])

        print(f"sitrep files, {incident.name} ({len(facts.kecamatan)} kecamatan)")
        for name, make in (("PDF (A4)", pdf), ("PNG (1080 px)", png)):
            seconds, made = _median_s(make)
            print(f"| {name} | {seconds:.2f} s median of {RUNS} | {len(made) / 1e3:.0f} kB |")
        engine.dispose()


if __name__ == "__main__":
    main()
