"""The Lapor form on a field phone: a reporter's link opened in Chromium with its CPU slowed 4x
and a slow-3G network (DevTools protocol emulation), straight from the server `command-center
run` starts (`streamlit run server.py`) and behind the shipped nginx configuration
(`deploy/nginx.conf`: TLS, HTTP/2, compression, cache lifetimes).

Run: `.venv/bin/python benchmarks/phone.py` (needs the shared kecamatan layer, Chromium at
/usr/bin/chromium or CC_CHROMIUM, and for the nginx rows `nginx` and `openssl` on the PATH;
without them those rows are left out). The link as issued opens the light form (`/lapor`);
`--path /` measures the full Streamlit page. `--app DIR` measures another checkout the same way
(its `server.py`, or its `app.py` before there was one), `--nginx-conf FILE` another proxy
configuration; `--network fast-3g` a better signal (1.44 Mbit/s, 563 ms).

Printed, each the median of `--runs` runs (3):
- first visit (a new browser profile, empty cache): seconds from asking for the link until the
  form's first figure can be typed in, and the bytes that crossed the network for it (HTTP
  bodies and headers as sent, compressed where they were, plus the websocket's frames);
- repeat visit (the link opened again in the same browser): the same two figures.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from command_center import demo
from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine, migrate
from command_center.base.geography import load_geography
from command_center.base.labels import t
from command_center.base.scenarios import SCENARIOS
from command_center.base.settings import PROJECT_ROOT, load_settings
from command_center.services.reporters import LINK_PARAM, NewLink
from command_center.stores import common as store
from command_center.stores import reporters as reporter_store

CHROMIUM = os.environ.get("CC_CHROMIUM", "/usr/bin/chromium")
CPU_SLOWDOWN = 4
# DevTools' profiles (Puppeteer's PredefinedNetworkConditions): bytes/s, ms added per request
NETWORKS = {
    "slow-3g": {"downloadThroughput": 50_000, "uploadThroughput": 50_000, "latency": 2000},
    "fast-3g": {"downloadThroughput": 180_000, "uploadThroughput": 84_375, "latency": 562.5},
}
TARGETS_S = {"first": 10.0, "repeat": 3.0}
NGINX_CONF = PROJECT_ROOT / "deploy" / "nginx.conf"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def app_server(app: Path, env: dict[str, str]) -> Iterator[int]:
    """`streamlit run` of `app` on a free port, as `command-center run` starts it."""
    port = free_port()
    entry = app / "server.py" if (app / "server.py").exists() else app / "app.py"
    command = [sys.executable, "-m", "streamlit", "run", str(entry)]
    command += [f"--server.port={port}", "--server.address=127.0.0.1", "--server.headless=true"]
    env = {**os.environ, **env, "PYTHONPATH": str(app)}
    server = subprocess.Popen(
        command, cwd=app, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the app did not start within 120 s") from None
                time.sleep(0.25)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def certificate(folder: Path) -> tuple[Path, Path, str]:
    """A throwaway self-signed certificate, its key, and its public key's SHA-256 (base64) for
    Chromium to trust: with a certificate error it would cache nothing."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    request = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    request += ["-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)]
    subprocess.run(request, check=True, capture_output=True)
    public = subprocess.run(
        ["openssl", "x509", "-pubkey", "-noout", "-in", str(cert)], check=True, capture_output=True
    ).stdout
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "der"],
        input=public,
        check=True,
        capture_output=True,
    ).stdout
    return cert, key, base64.b64encode(hashlib.sha256(der).digest()).decode()


@contextmanager
def nginx(conf: Path, app_port: int, folder: Path, cert: Path, key: Path) -> Iterator[int]:
    """An nginx configuration (`conf`: its `upstream` and TLS `server` blocks) in front of the
    app: its upstream pointed at `app_port`, its TLS server on a free port with `cert`."""
    port = free_port()
    site = re.sub(r"\n\s*ssl_certificate(_key)? [^;]*;", "", conf.read_text())
    site = re.sub(r"server 127\.0\.0\.1:\d+;", "", site, count=0)
    site = site.replace("ip_hash;", f"ip_hash;\n    server 127.0.0.1:{app_port};", 1)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{free_port()};")
    site = re.sub(
        r"listen 443 ssl( http2)?;",
        rf"listen 127.0.0.1:{port} ssl\1; ssl_certificate {cert}; ssl_certificate_key {key};",
        site,
    )
    temp = folder / "nginx-temp"
    temp.mkdir(exist_ok=True)
    main = (
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\ndaemon off;\n"
        "events {}\nhttp {\n"
        f"include /etc/nginx/mime.types;\naccess_log off;\nclient_body_temp_path {temp};\n"
        f"proxy_temp_path {temp};\n{site}\n}}\n"
    )
    (folder / "nginx.conf").write_text(main)
    server = subprocess.Popen(["nginx", "-c", str(folder / "nginx.conf"), "-p", str(folder)])
    try:
        time.sleep(1)
        if server.poll() is not None:
            raise SystemExit((folder / "error.log").read_text())
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def visit(context, url: str, network: dict) -> tuple[float, int]:
    """Seconds until the form's first figure can be typed in, and bytes over the network."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    received = [0]

    def http(event: dict) -> None:
        received[0] += int(event["encodedDataLength"])

    def websocket(event: dict) -> None:
        frame = event["response"]
        data = frame["payloadData"]
        received[0] += len(base64.b64decode(data)) if frame["opcode"] == 2 else len(data.encode())

    cdp.on("Network.loadingFinished", http)
    cdp.on("Network.webSocketFrameReceived", websocket)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, **network})
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    field = page.get_by_label(t("field_displaced"), exact=True).first  # either page's
    started = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=300_000)
    field.wait_for(state="visible", timeout=300_000)
    while not field.is_editable():
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    page.close()
    return seconds, received[0]


def measure(
    url: str, runs: int, network: dict, trusted: str = ""
) -> dict[str, list[tuple[float, int]]]:
    """First and repeat visits in `runs` fresh browser profiles; `trusted`: the base64 SHA-256
    of a certificate's public key that Chromium accepts as if a CA had signed it."""
    from playwright.sync_api import sync_playwright

    results: dict[str, list[tuple[float, int]]] = {"first": [], "repeat": []}
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
    if trusted:
        args.append(f"--ignore-certificate-errors-spki-list={trusted}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
            results["first"].append(visit(context, url, network))
            results["repeat"].append(visit(context, url, network))
            context.close()
        browser.close()
    return results


def link(database: str) -> str:
    """A demo store with one incident and a Tagana reporter's link for Cugenang; the token."""
    settings = load_settings()
    geography = load_geography(settings.kecamatan_path, settings.cache_dir)
    engine = make_engine(database)
    migrate(engine)
    demo.load(engine, geography, scenarios=SCENARIOS[:1])
    (incident,) = store.incidents(engine)
    entry = {"name": "Tagana Cugenang", "role": "tagana", "kecamatan": "32.03.11"}
    _, token = reporter_store.create_link(
        engine, SYSTEM, NewLink.check({**entry, "incident_id": incident.id}, geography)
    )
    engine.dispose()
    return token


def row(name: str, results: dict[str, list[tuple[float, int]]]) -> str:
    cells = []
    for visit_kind in ("first", "repeat"):
        seconds = statistics.median(s for s, _ in results[visit_kind])
        kb = statistics.median(b for _, b in results[visit_kind]) / 1000
        cells += [f"{seconds:.1f} s", f"{kb:,.0f} kB"]
    return f"| {name} | " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--app", type=Path, default=PROJECT_ROOT, help="the checkout to measure")
    parser.add_argument("--nginx-conf", type=Path, default=NGINX_CONF, help="the proxy's")
    parser.add_argument("--path", default="/lapor", help="the link's path (`/lapor` or `/`)")
    parser.add_argument("--network", choices=NETWORKS, default="slow-3g")
    args = parser.parse_args()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=args.app, capture_output=True, text=True
    ).stdout.strip()
    load = os.getloadavg()[0]
    network = NETWORKS[args.network]
    print(
        f"Lapor form, Chromium at 360 px, CPU {CPU_SLOWDOWN}x slower, {args.network} "
        f"({network['downloadThroughput'] * 8 / 1000:.0f} kbit/s down, {network['latency']:.0f} ms"
        f" latency); {os.cpu_count()} CPUs, load {load:.1f} at the start; the app at "
        f"{commit or args.app}; link {args.path}?{LINK_PARAM}=...; medians of {args.runs}; "
        f"targets: first visit <= {TARGETS_S['first']:.0f} s, repeat <= {TARGETS_S['repeat']:.0f} s"
    )
    print("| served | first visit: typable | bytes | repeat visit: typable | bytes |")
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{Path(folder) / 'store.db'}"
        token = link(database)
        env = {"DATABASE_URL": database, "CC_AUTH_MODE": "local", "CC_TILE_URL": ""}
        with app_server(args.app, env) as port:
            path = f"{args.path}?{LINK_PARAM}={token}"
            print(row("no proxy", measure(f"http://127.0.0.1:{port}{path}", args.runs, network)))
            if shutil.which("nginx") and shutil.which("openssl"):
                cert, key, trusted = certificate(Path(folder))
                with nginx(args.nginx_conf, port, Path(folder), cert, key) as proxy:
                    results = measure(
                        f"https://127.0.0.1:{proxy}{path}", args.runs, network, trusted
                    )
                    print(row(f"nginx ({args.nginx_conf.name})", results))


if __name__ == "__main__":
    main()
