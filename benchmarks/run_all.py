"""Run every benchmark and write what they print to `benchmarks/results.md`.

Run: `.venv/bin/python benchmarks/run_all.py` (a few minutes; needs the shared kecamatan layer,
and Chromium for the first-paint figures). Each script prints medians of several runs; compare
ratios and medians across runs, not single figures: these machines are noisy.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = (
    "hazards.py",
    "intensity.py",
    "imports.py",
    "choropleth.py",
    "sessions.py",
    "storm.py",
    "stock.py",
    "households.py",
    "alerts.py",
    "uploads.py",
    "field_text.py",
    "sitrep_files.py",
    "phone.py",
)


def main() -> int:
    sections = [
        "# Benchmark results",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.machine()} · "
        f"{os.cpu_count()} CPUs · Python {platform.python_version()}",
    ]
    failed = 0
    for script in SCRIPTS:
        run = subprocess.run(
            [sys.executable, str(HERE / script)], capture_output=True, text=True, timeout=1800
        )
        lines = [line for line in run.stdout.splitlines() if line.strip()]
        sections += ["", f"## {script}", "", *lines]
        if run.returncode != 0:
            failed += 1
            sections += ["", "```", run.stderr[-2000:], "```"]
        print("\n".join(sections[-len(lines) - 2 :]), flush=True)
    (HERE / "results.md").write_text("\n".join(sections) + "\n")
    print(f"\nwritten to {HERE / 'results.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
