"""Password guessing as an attacker meets it, in headless Chromium against `streamlit run` with
local accounts: wrong passwords make a username wait (never lock it), a made-up username is
answered exactly like a real one, and the real user signs in once the wait is over, with no
admin involved. The waits are seconds long here (settings), not a minute.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine
from command_center.base.labels import t
from command_center.stores import accounts
from command_center.stores import common as store
from tests.conftest import APP, ARTIFACTS, app_env_vars

pytestmark = pytest.mark.browser
PASSWORD = "kata-sandi-shift"
WAIT_S = 8  # long enough to try again inside it on a busy machine, short for the test
GUESSES = 3


@pytest.fixture
def guarded_server(
    demo_database: str, tmp_path: Path, shared_data: Path, boundary_cache: Path, streamlit_server
) -> Iterator[tuple[str, str]]:
    """The demo store with one operator, served with local sign-in and short waits; yields
    the server's address and the store's."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    shutil.copy(demo_database.removeprefix("sqlite:///"), tmp_path / "store.db")
    engine = make_engine(url)
    accounts.create_user(engine, SYSTEM, "operator", PASSWORD, "operator", display_name="Ani")
    engine.dispose()
    env = app_env_vars(
        url,
        shared_data,
        boundary_cache,
        CC_AUTH_MODE="local",
        CC_SIGN_IN_PER_USER=str(GUESSES),
        CC_SIGN_IN_WAIT_S=str(WAIT_S),
        CC_SIGN_IN_USER_MAX_WAIT_S=str(WAIT_S),
    )
    with streamlit_server(APP, env) as base:
        yield base, url


def _failures(url: str, username: str) -> int:
    """Failed sign-ins of `username` in the audit log (the store's own record of each try)."""
    engine = make_engine(url)
    audit = store.audit_entries(engine, 500)
    engine.dispose()
    failed = audit[audit["action"] == "failed"]
    return sum(e["username"] == username for e in failed["after"])


def _try(tab: Page, username: str, password: str) -> None:
    tab.get_by_label("Nama pengguna").fill(username)
    tab.get_by_label("Kata sandi").fill(password)
    tab.get_by_role("button", name="Masuk").click()


def _guess(tab: Page, url: str, username: str) -> str:
    """Wrong passwords until the username must wait; returns what the page said to each."""
    said = []
    for n in range(GUESSES):
        _try(tab, username, f"tebakan-{n}")
        deadline = time.monotonic() + 60
        while _failures(url, username) <= n and time.monotonic() < deadline:
            tab.wait_for_timeout(100)
        expect(tab.locator('[data-testid="stAlertContentError"]')).to_have_text(
            t("login_failed"), timeout=30_000
        )
        said.append(tab.locator('[data-testid="stAlertContentError"]').inner_text())
    return said


def _told_to_wait(tab: Page) -> str:
    error = tab.locator('[data-testid="stAlertContentError"]')
    expect(error).to_contain_text("Coba lagi dalam", timeout=30_000)
    return error.inner_text()


def _tab(browser: Browser, base: str) -> Page:
    tab = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    tab.goto(base)
    expect(tab.get_by_label("Nama pengguna")).to_be_visible(timeout=60_000)
    return tab


def test_guessing_makes_a_real_and_a_made_up_username_wait_alike_then_the_user_signs_in(
    guarded_server: tuple[str, str], browser: Browser
) -> None:
    base, url = guarded_server
    owner, stranger = _tab(browser, base), _tab(browser, base)
    try:
        assert _guess(owner, url, "operator") == [t("login_failed")] * GUESSES
        _try(owner, "operator", PASSWORD)  # the right password, inside the wait
        real = _told_to_wait(owner)
        assert _guess(stranger, url, "bukan-akun") == [t("login_failed")] * GUESSES
        _try(stranger, "bukan-akun", PASSWORD)
        made_up = _told_to_wait(stranger)
        template = re.escape(t("login_wait_s", seconds=0)).replace("0", r"(\d+)")
        assert re.fullmatch(template, made_up)
        assert re.sub(r"\d+", "N", real) == re.sub(r"\d+", "N", made_up)  # only the seconds left
        ARTIFACTS.mkdir(exist_ok=True)
        owner.screenshot(path=ARTIFACTS / "sign-in-wait.png")
        # as its owner would: wait as long as the page says, then sign in (the wait is set short)
        owner.wait_for_timeout(int(re.fullmatch(template, real).group(1)) * 1000)
        _try(owner, "operator", PASSWORD)
        signed_in = owner.locator('[data-testid="stSidebar"]').get_by_text("Masuk sebagai")
        expect(signed_in).to_contain_text("Ani", timeout=60_000)
        expect(owner.get_by_label("Nama pengguna")).to_have_count(0, timeout=60_000)
    finally:
        owner.context.close()
        stranger.context.close()
