"""Concurrent sessions: 20 websocket sessions against one `streamlit run` server.

Run: `.venv/bin/python benchmarks/sessions.py` (needs the shared kecamatan layer). Each session
speaks Streamlit's own protocol, as the browser does: it connects to `/_stcore/stream`, asks for
a page (`rerun_script`) and times until the server says the script finished; then it reruns the
page a few times (what a click or a refresh costs). No browser is involved, so the figures are
the server's: script time plus queueing behind the other sessions.

Printed per page: first load and rerun, median and p95 in ms, for 1 session alone, for 20
rerunning back to back (the worst case), and for 20 pausing about 3 s between reruns (people
clicking); the ratio of each rerun median to the single session's, and reruns served per
second. The store is a SQLite file with the training scenario (`DATABASE_URL` overrides it).
"""

from __future__ import annotations

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
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from command_center import demo
from command_center.db import make_engine, migrate
from command_center.geography import load_geography
from command_center.settings import PROJECT_ROOT, load_settings

SESSIONS = 20
RERUNS = 5
THINK_S = 3.0  # an operator's pause between clicks, jittered by +-50 %
PAGES = ("live_map", "deployments", "briefing")


class ScriptError(RuntimeError):
    """The page raised: a benchmark of an error page would measure nothing useful."""


async def run_page(ws, page: str) -> float:
    """Ask for `page`, wait until its script has finished; returns seconds."""
    request = BackMsg()
    request.rerun_script.page_name = page
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


async def session(url: str, page: str, think_s: float) -> tuple[float, list[float]]:
    """One user: (first load, reruns) in seconds; `think_s` between reruns, jittered."""
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
        first = await run_page(ws, page)
        reruns = []
        for _ in range(RERUNS):
            await asyncio.sleep(think_s * random.uniform(0.5, 1.5))
            reruns.append(await run_page(ws, page))
        return first, reruns


async def crowd(url: str, page: str, users: int, think_s: float = 0.0):
    """(first loads, reruns, reruns per second of wall time) for `users` at once."""
    started = time.perf_counter()
    results = await asyncio.gather(*(session(url, page, think_s) for _ in range(users)))
    reruns = [t for _, rest in results for t in rest]
    return [first for first, _ in results], reruns, len(reruns) / (time.perf_counter() - started)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "app.py")),
            *(f"--server.port={port}", "--server.address=127.0.0.1", "--server.headless=true"),
        ],
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


def main() -> None:
    settings = load_settings()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(folder) / 'store.db'}"
        engine = make_engine(url)
        migrate(engine)
        demo.load(engine, load_geography(settings.kecamatan_path, settings.cache_dir))
        engine.dispose()
        server, port = start_server({"DATABASE_URL": url, "CC_AUTH_MODE": "dev"})
        stream = f"ws://127.0.0.1:{port}/_stcore/stream"
        try:
            for page in PAGES:
                asyncio.run(crowd(stream, page, 1))  # warm caches: boundaries, layers
            print(f"{SESSIONS} concurrent websocket sessions, {RERUNS} reruns each, one server")
            print(
                f"{'page':<12} {'sessions':>8} {'pace':>10} {'first load ms (median/p95)':>27}"
                f" {'rerun ms (median/p95)':>22} {'vs alone':>9} {'reruns/s':>9}"
            )
            for page in PAGES:
                alone = None
                for users, think_s in ((1, 0.0), (SESSIONS, 0.0), (SESSIONS, THINK_S)):
                    firsts, reruns, rate = asyncio.run(crowd(stream, page, users, think_s))
                    median = statistics.median(reruns)
                    alone = alone or median
                    pace = f"{think_s:.0f} s apart" if think_s else "at once"
                    print(
                        f"{page:<12} {users:>8} {pace:>10}"
                        f" {statistics.median(firsts) * 1000:>15,.0f} / {p95(firsts) * 1000:>7,.0f}"
                        f" {median * 1000:>11,.0f} / {p95(reruns) * 1000:>6,.0f}"
                        f" {median / alone:>8.1f}x {rate:>9.1f}"
                    )
        finally:
            server.terminate()
            server.wait(20)


if __name__ == "__main__":
    main()
