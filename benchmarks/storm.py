"""When everyone opens it at once: a cold-open storm, and the headroom of a steady crowd.

Run: `.venv/bin/python benchmarks/storm.py` (needs the shared kecamatan layer; a SQLite store
with the training scenarios unless `DATABASE_URL` names another). `PYTHONPATH=<another
checkout> .venv/bin/python benchmarks/storm.py` measures that checkout (the figures "before").
Sessions speak Streamlit's own websocket protocol, as in `sessions.py`.

Printed, each the median of `--runs` runs (3):
- the storm: STORM new sessions, signed in (local accounts: each carries its sign-in cookie,
  a wall screen its token), open their first page within STORM_S seconds, just after a data
  change (a big earthquake: every data version moves, so nothing per version is cached yet).
  Timed from opening the websocket to the page's script finished; p95 per page and overall,
  on one process and on two (sessions shared out, as a sticky reverse proxy does);
- headroom: `sessions.py`'s crowd (each session acting every 5 s) of HEADROOM sessions on two
  processes, and of 50 on one process with a noisy neighbour burning one core beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import sessions
from sessions import app_commit, connect, demo_store, p95, run_page, start_server

from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine
from command_center.base.settings import PROJECT_ROOT
from command_center.base.versions import move_past
from command_center.stores import accounts

# page name -> its query string; the wall screen is the briefing with a screen's token
STORM_PAGES = ("live_map", "incidents", "reports", "briefing", "wall")
STORM, STORM_S = 50, 5.0  # new sessions, the seconds over which they open
HEADROOM = 100  # sessions each acting every 5 s on two processes
TARGETS = {"storm_1": 3_000, "storm_2": 2_000, "headroom": 1_000}
ACCOUNTS = 10  # operators; each session signs in as one of them


def accounts_for(engine) -> tuple[list[str], str]:
    """Sign-in cookies for STORM sessions and one wall screen's token."""
    names = [f"storm{i}" for i in range(ACCOUNTS)]
    for name in names:
        accounts.create_user(engine, SYSTEM, name, "storm-benchmark-pw", "operator")
    cookies = [accounts.open_session(engine, names[i % ACCOUNTS], 12) for i in range(STORM)]
    return cookies, accounts.create_token(engine, SYSTEM, "storm", None)


async def open_first(stream: str, page: str, cookie: str, token: str) -> float:
    """A new session opening `page`: seconds from connecting to its script finished."""
    started = time.perf_counter()
    headers = {"Cookie": f"cc_session={cookie}"}
    async with connect(stream, headers) as ws:
        if page == "wall":
            await run_page(ws, "briefing", f"kiosk=1&token={token}")
        else:
            await run_page(ws, page)
    return time.perf_counter() - started


async def storm(streams: list[str], cookies: list[str], token: str) -> dict[str, list[float]]:
    """STORM new sessions over the pages and servers, each opening within STORM_S."""
    times: dict[str, list[float]] = defaultdict(list)

    async def user(index: int) -> None:
        page = STORM_PAGES[index % len(STORM_PAGES)]
        await asyncio.sleep(random.uniform(0, STORM_S))
        stream = streams[index % len(streams)]
        times[page].append(await open_first(stream, page, cookies[index], token))

    await asyncio.gather(*(user(i) for i in range(STORM)))
    return times


def storm_runs(url: str, streams: list[str], runs: int, cookies, token) -> list[dict]:
    engine = make_engine(url)
    results = []
    for _ in range(runs):
        move_past(engine, {})  # an earthquake: every cached result is stale
        results.append(asyncio.run(storm(streams, cookies, token)))
    engine.dispose()
    return results


def servers(env: dict[str, str], count: int) -> tuple[list, list[str]]:
    started = [start_server(env) for _ in range(count)]
    return started, [f"ws://127.0.0.1:{port}/_stcore/stream" for _, port in started]


def stop(started: list) -> None:
    for server, _ in started:
        server.terminate()
        server.wait(20)


def measure_storm(url: str, runs: int, cookies: list[str], token: str) -> None:
    started, streams = servers({"DATABASE_URL": url, "CC_AUTH_MODE": "local"}, 2)
    try:
        for stream in streams:  # a server that has been up: its imports and layers are in
            asyncio.run(open_first(stream, "live_map", cookies[0], token))
        one = storm_runs(url, streams[:1], runs, cookies, token)
        two = storm_runs(url, streams, runs, cookies, token)
    finally:
        stop(started)
    print(
        f"storm: {STORM} new sessions opening their first page within {STORM_S:.0f} s, after"
        f" a data change; p95 ms, medians of {runs} runs; targets: one process <="
        f" {TARGETS['storm_1']:,}, two <= {TARGETS['storm_2']:,}"
    )
    rows = [("page", "median (1 proc)", "p95 (1 proc)", "median (2 procs)", "p95 (2 procs)")]
    for page in (*STORM_PAGES, None):
        cells = []
        for result in (one, two):
            picked = [run[page] if page else sessions._all(run) for run in result]
            cells += [
                f"{statistics.median(statistics.median(x) for x in picked) * 1000:,.0f}",
                f"{statistics.median(p95(x) for x in picked) * 1000:,.0f}",
            ]
        rows.append((page or "all pages", *cells))
    sessions.table(rows)


def burn() -> subprocess.Popen:
    """A noisy neighbour: a process keeping one core busy."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def measure_headroom(url: str, runs: int) -> None:
    started, streams = servers({"DATABASE_URL": url, "CC_AUTH_MODE": "dev"}, 2)
    pids = [server.pid for server, _ in started]
    try:
        for stream in streams:
            for page in sessions.PAGES:
                asyncio.run(sessions.alone(stream, page))
        sessions.CROWD = HEADROOM
        two = [asyncio.run(sessions.crowd(streams, pids))[0] for _ in range(runs)]
        sessions.CROWD = 50
        neighbour = burn()
        try:
            one = [asyncio.run(sessions.crowd(streams[:1], pids[:1]))[0] for _ in range(runs)]
        finally:
            neighbour.kill()
            neighbour.wait()
    finally:
        stop(started)
    print(
        f"headroom: sessions each acting every {sessions.PACE_S:.0f} s; rerun p95 ms, medians"
        f" of {runs} runs; target <= {TARGETS['headroom']:,}"
    )
    rows = [("page", f"{HEADROOM} on 2 procs", "50 on 1 proc + a core burnt")]
    for page in (*sessions.PAGES, None):
        cells = []
        for crowds in (two, one):
            picked = [run[page] if page else sessions._all(run) for run in crowds]
            cells.append(f"{statistics.median(p95(x) for x in picked) * 1000:,.0f}")
        rows.append((page or "all pages", *cells))
    sessions.table(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("storm", "headroom"))
    args = parser.parse_args()
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(
        f"{os.cpu_count()} CPUs; load average {' '.join(load)} before; the app at commit"
        f" {app_commit()} ({PROJECT_ROOT})"
    )
    with tempfile.TemporaryDirectory() as folder:
        url, engine = demo_store(folder)
        cookies, token = accounts_for(engine)
        engine.dispose()
        if args.only != "headroom":
            measure_storm(url, args.runs, cookies, token)
        if args.only != "storm":
            measure_headroom(url, args.runs)
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"load average {' '.join(load)} after")


if __name__ == "__main__":
    main()
