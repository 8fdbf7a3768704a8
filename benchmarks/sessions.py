"""Many screens at once: real websocket sessions against `streamlit run` on this machine.

Run: `.venv/bin/python benchmarks/sessions.py` (needs the shared kecamatan layer; the store is
a SQLite file with the training scenarios unless `DATABASE_URL` names another, e.g. a shared
PostgreSQL). `PYTHONPATH=<another checkout> .venv/bin/python benchmarks/sessions.py` measures
that checkout the same way (the figures "before" in results.md). Each session speaks
Streamlit's own protocol, as the browser does: it connects to `/_stcore/stream`, asks for a page
(`rerun_script`) and times until the server says the script finished. No browser is involved,
so the figures are the server's: script time plus queueing behind the other sessions. The wall
screen alone is measured in headless Chromium, since the browser is what drives it.

Printed, each the median of `--runs` runs (3):
- one session: the rerun median and p95 of each page, alone on the server;
- a crowd of 50 sessions spread over the four pages, opened over 30 s, then each acting every
  5 s (jittered): rerun p95 per page, and the server's memory per extra session;
- a burst of 20 sessions (5 per page) acting at the same instant, five times: rerun p95;
- the same crowd and burst over two app processes (sessions shared out between them, as a
  sticky reverse proxy does);
- the wall screen: server CPU time per open screen per minute while no data changes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

import websockets
from sqlalchemy import Engine
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from command_center import demo
from command_center.base.db import make_engine, migrate
from command_center.base.geography import load_geography
from command_center.base.settings import PROJECT_ROOT, load_settings

PAGES = ("live_map", "deployments", "reports", "briefing")
CROWD, PACE_S, ACTIONS = 50, 5.0, 6  # sessions, seconds between actions, actions each
OPENING_S = 30.0  # the crowd opens its pages over this long
BURST, ROUNDS = 20, 5
ALONE = 20  # reruns of one session alone, per page
WALL_SCREENS, WALL_MINUTES = 4, 1.0
TARGETS = {"alone": 80, "crowd": 1_000, "burst": 2_000, "session_mb": 20}


class ScriptError(RuntimeError):
    """The page raised: a benchmark of an error page would measure nothing useful."""


async def run_page(ws, page: str, query_string: str = "") -> float:
    """Ask for `page` (with `query_string`), wait until its script has finished; returns
    seconds."""
    request = BackMsg()
    request.rerun_script.page_name = page
    request.rerun_script.query_string = query_string
    started = time.perf_counter()
    await ws.send(request.SerializeToString())
    while True:
        message = ForwardMsg()
        message.ParseFromString(await ws.recv())
        kind = message.WhichOneof("type")
        if kind == "delta" and message.delta.new_element.WhichOneof("type") == "exception":
            raise ScriptError(message.delta.new_element.exception.message)
        if kind == "script_finished":
            status = message.script_finished
            if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                return time.perf_counter() - started
            if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                raise ScriptError(f"{page}: compile error")


def connect(url: str, headers: dict[str, str] | None = None):
    """A websocket to the app, as the browser opens it. No timeouts on opening or pings: a
    busy server answers late, and that lateness is what is measured."""
    return websockets.connect(
        url,
        subprotocols=["streamlit"],
        max_size=None,
        additional_headers=headers,
        open_timeout=None,
        ping_interval=None,
    )


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


async def alone(url: str, page: str) -> list[float]:
    async with connect(url) as ws:
        await run_page(ws, page)
        return [await run_page(ws, page) for _ in range(ALONE)]


async def crowd(urls: list[str], pids: list[int]) -> tuple[dict[str, list[float]], float]:
    """CROWD sessions over the pages and servers: they open their page over OPENING_S, then
    each acts every PACE_S (the steady state of a command center). Returns the reruns per page
    and MB of server memory per session (with all of them open)."""
    reruns: dict[str, list[float]] = defaultdict(list)
    before = sum(rss_mb(pid) for pid in pids)
    opened, measured = asyncio.Barrier(CROWD + 1), asyncio.Event()

    async def user(index: int) -> None:
        page = PAGES[index % len(PAGES)]
        async with connect(urls[index % len(urls)]) as ws:
            await asyncio.sleep(random.uniform(0, OPENING_S))  # people do not start together
            await run_page(ws, page)
            await opened.wait()
            await measured.wait()
            await asyncio.sleep(random.uniform(0, PACE_S))
            for _ in range(ACTIONS):
                reruns[page].append(await run_page(ws, page))
                await asyncio.sleep(PACE_S * random.uniform(0.8, 1.2))

    users = [asyncio.create_task(user(i)) for i in range(CROWD)]
    await opened.wait()
    await asyncio.sleep(2)  # the last pages' messages are out
    per_session = (sum(rss_mb(pid) for pid in pids) - before) / CROWD
    measured.set()
    await asyncio.gather(*users)
    return reruns, per_session


async def burst(urls: list[str]) -> dict[str, list[float]]:
    """BURST sessions over the pages and servers, all acting at the same instant, ROUNDS times."""
    reruns: dict[str, list[float]] = defaultdict(list)
    ready = asyncio.Barrier(BURST)

    async def user(index: int) -> None:
        page = PAGES[index % len(PAGES)]
        async with connect(urls[index % len(urls)]) as ws:
            await run_page(ws, page)
            for _ in range(ROUNDS):
                await ready.wait()
                reruns[page].append(await run_page(ws, page))

    await asyncio.gather(*(user(i) for i in range(BURST)))
    return reruns


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return (
        int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
        / 1024
    )


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "server.py")),
            *(f"--server.port={port}", "--server.address=127.0.0.1", "--server.headless=true"),
        ],
        cwd=PROJECT_ROOT,  # its .streamlit/config.toml
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
            return server, port
        except OSError:
            time.sleep(0.25)
    server.kill()
    raise SystemExit("the server did not start within 120 s")


def wall_screens(port: int, pid: int) -> float:
    """Server CPU ms per wall screen per minute, with WALL_SCREENS open in Chromium and no
    data changing (after they have been drawn)."""
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CC_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        tabs = [
            browser.new_page(viewport={"width": 1920, "height": 1080}) for _ in range(WALL_SCREENS)
        ]
        for tab in tabs:
            tab.goto(f"http://127.0.0.1:{port}/briefing?kiosk=1")
            tab.locator(".cc-ticker").wait_for(timeout=120_000)
        time.sleep(5)  # drawn: maps, tables
        before = cpu_s(pid)
        time.sleep(WALL_MINUTES * 60)
        used = cpu_s(pid) - before
        browser.close()
    return used * 1000 / WALL_SCREENS / WALL_MINUTES


def table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )


def _all(run: dict[str, list[float]]) -> list[float]:
    return [t for times in run.values() for t in times]


def median_of(runs: list[dict[str, list[float]]], page: str, statistic) -> float:
    return statistics.median(statistic(run[page]) for run in runs) * 1000


def measure(url: str, runs: int) -> None:
    env = {"DATABASE_URL": url, "CC_AUTH_MODE": "dev", "CC_KIOSK_ROTATE_S": "20"}
    servers = [start_server(env) for _ in range(2)]
    streams = [f"ws://127.0.0.1:{port}/_stcore/stream" for _, port in servers]
    pids = [server.pid for server, _ in servers]
    try:
        for stream in streams:
            for page in PAGES:
                asyncio.run(alone(stream, page))  # warm caches: boundaries, layers, results
        single = [{p: asyncio.run(alone(streams[0], p)) for p in PAGES} for _ in range(runs)]
        one = [asyncio.run(crowd(streams[:1], pids[:1])) for _ in range(runs)]
        one_burst = [asyncio.run(burst(streams[:1])) for _ in range(runs)]
        two = [asyncio.run(crowd(streams, pids)) for _ in range(runs)]
        two_burst = [asyncio.run(burst(streams)) for _ in range(runs)]
        wall = wall_screens(servers[0][1], pids[0])
    finally:
        for server, _ in servers:
            server.terminate()
            server.wait(20)
    print(
        f"medians of {runs} runs; ms; targets: alone <= {TARGETS['alone']} median,"
        f" crowd p95 <= {TARGETS['crowd']}, burst p95 <= {TARGETS['burst']}"
    )
    rows = [
        (
            "page",
            "alone median",
            "alone p95",
            "crowd p95 (1 proc)",
            "burst p95 (1 proc)",
            "crowd p95 (2 procs)",
            "burst p95 (2 procs)",
        )
    ]
    for page in PAGES:
        rows.append(
            (
                page,
                f"{median_of(single, page, statistics.median):,.0f}",
                f"{median_of(single, page, p95):,.0f}",
                f"{median_of([r for r, _ in one], page, p95):,.0f}",
                f"{median_of(one_burst, page, p95):,.0f}",
                f"{median_of([r for r, _ in two], page, p95):,.0f}",
                f"{median_of(two_burst, page, p95):,.0f}",
            )
        )
    rows.append(
        (
            "all pages",
            "",
            "",
            f"{statistics.median(p95(_all(r)) for r, _ in one) * 1000:,.0f}",
            f"{statistics.median(p95(_all(r)) for r in one_burst) * 1000:,.0f}",
            f"{statistics.median(p95(_all(r)) for r, _ in two) * 1000:,.0f}",
            f"{statistics.median(p95(_all(r)) for r in two_burst) * 1000:,.0f}",
        )
    )
    table(rows)
    memory = statistics.median(mb for _, mb in one)
    print(f"server memory per extra session: {memory:.1f} MB (target <= {TARGETS['session_mb']})")
    print(f"wall screen, no data change: {wall:.0f} ms of server CPU per screen per minute")


def app_commit() -> str:
    """The short commit of the app measured."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True
    ).stdout.strip()
    return commit or "unknown"


def demo_store(folder: str) -> tuple[str, Engine]:
    """A store with the training scenarios in `folder` (or `DATABASE_URL`'s): its URL and engine."""
    settings = load_settings()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(folder) / 'store.db'}"
    engine = make_engine(url)
    migrate(engine)
    demo.load(engine, load_geography(settings.kecamatan_path, settings.cache_dir))
    return url, engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{CROWD} sessions each acting every {PACE_S:.0f} s; {BURST} at the same instant;"
        f" {os.cpu_count()} CPUs; the app at commit {app_commit()}"
    )
    with tempfile.TemporaryDirectory() as folder:
        url, engine = demo_store(folder)
        engine.dispose()
        measure(url, args.runs)


if __name__ == "__main__":
    main()
