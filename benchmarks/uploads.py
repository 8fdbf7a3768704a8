"""Hostile uploads: the 455 KB shared-strings bomb of issue 32, and what reading every upload in a
child process costs a normal file.

Run: `.venv/bin/python benchmarks/uploads.py [--before]` (about 10 minutes; every file is built in
memory, none is committed). Prints:
- the bomb (11,000,000 one-letter shared strings, 187 MB unpacked, declaring a count of 1): the
  time, CPU time and peak memory of this process (the server) while it is refused by the
  shared-strings check, and with that check lifted, so that the child's own limits stop it;
  "before" is the figure of issue 32 (129 s, 1.25 GB), or with `--before` the bomb read in this
  process, as it was;
- the child's overhead on a normal households sheet (`households.py`'s people) of 1,000 and
  100,000 rows, CSV and .xlsx: read in this process (`tables.read`, as before) and in a child
  (`tables.read_table`), medians of 3, the ratio, and the CPU time of the child and of the
  server itself (decoding the child's answer). A child is started ahead for each read; the
  reads are 2 s apart, as two uploads are, so it is ready. The child runs at a lower priority:
  on a busy machine (the load average is printed) it yields to everything else, and may wait
  longer than it works.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.households import _people
from command_center.base import tables
from command_center.base.errors import ImportFileError
from command_center.services.households import IMPORT_HEADERS
from command_center.stores.teams import TEAM_HEADERS
from tests.workbooks import shared_strings_bomb, workbook

BOMB_STRINGS = 11_000_000
ROSTER = [["Nama Tim", "Jenis", "Kode Kecamatan"], ["Tagana A", "Tagana", "32.03.01"]]
LIMITS = tables.ImportLimits()
LIFTED = tables.ImportLimits(max_shared_strings=10**9, max_shared_strings_bytes=10**10)
ROWS = (1_000, 100_000)
PAUSE_S = 2.0


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(read: Callable[[], object]) -> tuple[float, float, float, str]:
    """Wall time, this process's CPU time, its finished children's, and what came of `read`."""
    started, cpu, child = time.perf_counter(), time.process_time(), children_cpu()
    try:
        read()
        outcome = "read"
    except ImportFileError as exc:
        outcome = str(exc).split(": ", 1)[1]
    done = time.perf_counter() - started
    return done, time.process_time() - cpu, children_cpu() - child, outcome


def bomb(before: bool) -> None:
    data = shared_strings_bomb(ROSTER, BOMB_STRINGS)
    tables.read_table(workbook(ROSTER), "warm-up", TEAM_HEADERS, LIMITS)  # a child is ready
    print(f"bomb: {len(data) / 1e3:,.0f} KB, {BOMB_STRINGS:,} shared strings\n")
    print("| the bomb | server time (CPU) | server peak RSS | outcome |")
    print("| --- | --- | --- | --- |")
    reads = {
        "after: the shared-strings check": (tables.read_table, LIMITS),
        "after, that check lifted: the child": (tables.read_table, LIFTED),
    }
    if before:  # last: the server's peak memory only grows
        reads["before: read in the server"] = (tables.read, LIFTED)
    else:
        print("| before (issue 32: read in the server) | 129 s | 1,250 MB | read by openpyxl |")
    for label, (read, limits) in reads.items():
        time.sleep(PAUSE_S)
        ahead = peak_mb()
        seconds, cpu, _, outcome = timed(lambda r=read, x=limits: r(data, "b", TEAM_HEADERS, x))
        print(
            f"| {label} | {seconds:.2f} s ({cpu:.2f} s) | {ahead:,.0f} -> {peak_mb():,.0f} MB "
            f"| {outcome[:90]} |"
        )
    print(f"\nlargest child, peak RSS: {peak_mb(resource.RUSAGE_CHILDREN):,.0f} MB")


def households_files() -> dict[str, bytes]:
    """The people of `households.py` as CSV and .xlsx, 1,000 and 100,000 rows."""
    lines = _people(random.Random(21))[0].decode().split("\n")
    files = {}
    for rows in ROWS:
        files[f"{rows:,} rows CSV"] = "\n".join(lines[: rows + 1]).encode()
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet()
        for line in lines[: rows + 1]:
            sheet.append(line.split(";"))
        out = io.BytesIO()
        book.save(out)
        files[f"{rows:,} rows .xlsx"] = out.getvalue()
    return files


def overhead() -> None:
    print(
        "\n| households sheet | in the server (before) | in a child | ratio | CPU: child, server |"
    )
    print("| --- | --- | --- | --- | --- |")
    for label, data in households_files().items():
        runs: dict[Callable, list[tuple[float, float, float, str]]] = {
            tables.read: [],
            tables.read_table: [],
        }
        for _ in range(3):
            for read, done in runs.items():
                time.sleep(PAUSE_S)
                done.append(timed(lambda r=read, d=data: r(d, "x", IMPORT_HEADERS, LIMITS)))
                assert done[-1][3] == "read", done[-1][3]
        here, child = (statistics.median(run[0] for run in done) for done in runs.values())
        server, its = (statistics.median(run[i] for run in runs[tables.read_table]) for i in (1, 2))
        print(
            f"| {label} ({len(data) / 1e6:.1f} MB) | {here:.3f} s | {child:.3f} s "
            f"| {child / here:.2f}x | {its:.3f} s, {server:.3f} s |"
        )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import command_center.base.tables"], check=True)
    cold = time.perf_counter() - started
    print(f"\na child started cold (none ready) first spends {cold:.2f} s starting and importing")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", action="store_true", help="read the bomb here, as before")
    before = parser.parse_args().before
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n")
    bomb(before)
    overhead()


if __name__ == "__main__":
    main()
