"""The README's first command on a fresh clone with nothing beside it (no `../shared`, no
network but the package registry): it installs, prepares the store, loads the training
scenarios and serves a dashboard whose map has its kecamatan, seen in Chromium."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from command_center.base.settings import PROJECT_ROOT
from tests.conftest import ARTIFACTS, free_port

pytestmark = pytest.mark.browser
NEW_PASSWORD = "kata-sandi-baru-pusdalops"


def _first_command() -> str:
    """The README's command that starts the dashboard (the first block under "Two commands")."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    return re.search(r"## Two commands.*?```bash\n(.*?)\n```", readme, re.S).group(1).strip()


def _clone(target: Path) -> Path:
    """The files a commit of this checkout holds (tracked, or new and not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = PROJECT_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _wait_for_health(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 600  # a venv and every dependency, from the registry's cache
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the command stopped ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(1)
    pytest.fail(f"no dashboard within 10 minutes:\n{log.read_text()[-3000:]}")


def test_the_readme_command_on_a_fresh_clone_gives_a_map_and_the_training_scenarios(
    tmp_path: Path, browser: Browser
) -> None:
    clone = _clone(tmp_path / "command_center")
    assert not (clone.parent / "shared").exists()
    port = free_port()
    options = f"--server.port={port} --server.address=127.0.0.1 --server.headless=true"
    drop = ("DATABASE_URL", "VIRTUAL_ENV", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CC_") and k not in drop}
    log = tmp_path / "run.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            ["bash", "-c", f"{_first_command()} {options}"],
            cwd=clone,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    tab = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    outside: list[str] = []
    tab.on("request", lambda r: r.url.startswith((base, "data:")) or outside.append(r.url))
    try:
        _wait_for_health(base, server, log)
        printed = log.read_text()
        assert "not loaded" not in printed, printed
        assert "training scenarios loaded" in printed
        password = re.search(r"user 'admin' created with password (\S+)", printed).group(1)

        tab.goto(f"{base}/live_map")
        expect(tab.get_by_label("Nama pengguna")).to_be_visible(timeout=120_000)
        tab.get_by_label("Nama pengguna").fill("admin")
        tab.get_by_label("Kata sandi").fill(password)
        tab.get_by_role("button", name="Masuk").click()
        expect(tab.get_by_label("Kata sandi sekarang")).to_be_visible(timeout=60_000)
        tab.get_by_label("Kata sandi sekarang").fill(password)
        tab.get_by_label("Kata sandi baru", exact=True).fill(NEW_PASSWORD)
        tab.get_by_label("Ulangi kata sandi baru").fill(NEW_PASSWORD)
        tab.get_by_role("button", name="Ganti kata sandi").click()
        expect(tab.locator("h1").first).to_have_text("Peta langsung", timeout=120_000)
        iframe = tab.wait_for_selector('iframe[data-testid="stCustomComponentV1"]', timeout=60_000)
        iframe.content_frame().wait_for_function("window.ccOutlinesDrawn", timeout=120_000)
        frame = tab.frame_locator('iframe[data-testid="stCustomComponentV1"]')
        expect(frame.locator("path.leaflet-interactive").nth(20)).to_be_attached(timeout=60_000)
        assert tab.locator('[data-testid="stException"]').count() == 0
        assert tab.get_by_text("LATIHAN").count() > 0  # the training scenarios are on the map
        # only the default basemap's tiles come from outside; offline the outlines stand alone
        assert all(u.startswith("https://tile.openstreetmap.org/") for u in outside), outside
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=ARTIFACTS / "fresh-clone-live-map.png")
    finally:
        tab.context.close()
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
