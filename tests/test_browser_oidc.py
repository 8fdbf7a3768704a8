"""OIDC sign-in end to end: the real app (`st.login`) against a real, certified OpenID Provider
(panva/oidc-provider, from the npm registry) on loopback, in headless Chromium.

Roles and scopes come from the registered local account, or from the provider's claims when
`CC_OIDC_ROLE_CLAIM` is set; an unknown or disabled user is refused; sign-out signs out.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine
from command_center.base.settings import PROJECT_ROOT
from command_center.stores import accounts
from tests.conftest import APP, ARTIFACTS, app_env_vars, free_port, store_copy

pytestmark = pytest.mark.browser
PROVIDER = PROJECT_ROOT / "tests" / "oidc"
CLAIMS = {
    "ani": {"email": "ani@dinsos.go.id", "cc_role": "coordinator", "cc_scope": "32.05"},
    "budi": {"email": "budi@dinsos.go.id", "cc_role": "admin"},
    "citra": {"email": "citra@dinsos.go.id"},
}


@pytest.fixture
def provider(tmp_path: Path) -> Iterator[tuple[int, int]]:
    """The OpenID Provider on a free port, for an app on another; yields both ports."""
    if not (PROVIDER / "node_modules" / "oidc-provider").exists() or not shutil.which("node"):
        message = "the test OpenID Provider is not installed (npm ci --prefix tests/oidc)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    idp, app = free_port(), free_port()
    redirect = f"http://127.0.0.1:{app}/oauth2callback"
    log = tmp_path / "provider.log"
    process = subprocess.Popen(
        ["node", "provider.mjs", str(idp), redirect, json.dumps(CLAIMS)],
        cwd=PROVIDER,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while f"oidc provider on {idp}" not in log.read_text():
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    yield idp, app
    process.terminate()
    process.wait(10)


def _secrets(tmp_path: Path, idp: int, app: int) -> Path:
    path = tmp_path / "secrets.toml"
    path.write_text(
        f"""[auth]
redirect_uri = "http://127.0.0.1:{app}/oauth2callback"
cookie_secret = "a-long-random-cookie-secret-only-for-these-tests"
client_id = "command-center"
client_secret = "command-center-test-secret"
server_metadata_url = "http://127.0.0.1:{idp}/.well-known/openid-configuration"
client_kwargs = {{ scope = "openid email profile command_center", prompt = "login" }}
"""
    )
    return path


@pytest.fixture
def oidc_store(demo_database: str, tmp_path: Path) -> str:
    """The demo store with OIDC accounts (no password): Ani an operator of Cianjur, Citra
    disabled; Budi is known to the provider only."""
    url = store_copy(demo_database, tmp_path)
    engine = make_engine(url)
    accounts.create_user(engine, SYSTEM, "ani@dinsos.go.id", None, "operator", "32.03", "Ani")
    accounts.create_user(engine, SYSTEM, "citra@dinsos.go.id", None, "viewer", None, "Citra")
    accounts.set_user(engine, SYSTEM, "citra@dinsos.go.id", active=False)
    engine.dispose()
    return url


def _sign_in(page: Page, base: str, login: str) -> None:
    """From the app's sign-in screen, through the provider's login (and consent) and back."""
    page.goto(base)
    expect(page.locator("h1").first).to_have_text("Masuk", timeout=60_000)
    page.get_by_role("button", name="Masuk dengan akun organisasi").click()
    page.locator('input[name="login"]').fill(login, timeout=30_000)
    page.locator('input[name="password"]').fill("any")
    page.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    if "/interaction/" in page.url:  # the consent screen, the first time
        page.locator('button[type="submit"]').click()
    page.wait_for_url(f"{base}/**", timeout=30_000)


def _sign_out(page: Page) -> None:
    """Sign out in the app, confirm at the provider (it ends its session too), and land on the
    app's sign-in screen."""
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url("**/session/end**", timeout=30_000)
    page.wait_for_load_state()
    page.get_by_role("button", name="Yes, sign me out").click()
    button = page.get_by_role("button", name="Masuk dengan akun organisasi")
    expect(button).to_be_visible(timeout=60_000)


def _sidebar(page: Page) -> str:
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_contain_text("Masuk sebagai", timeout=60_000)
    return sidebar.inner_text()


@pytest.fixture
def oidc_app(provider, oidc_store, tmp_path, shared_data, boundary_cache, streamlit_server):
    """`oidc_app(**settings)`: the app signing in through the provider, in a context manager
    that yields its base URL."""
    idp, app = provider
    arguments = [*APP, f"--secrets.files={_secrets(tmp_path, idp, app)}"]

    def start(**settings: str):
        env = app_env_vars(oidc_store, shared_data, boundary_cache, CC_AUTH_MODE="oidc", **settings)
        return streamlit_server(arguments, env, port=app)

    return start


@pytest.fixture
def desk_tab(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "oidc-sign-in.png")
    context.close()


def test_oidc_sign_in_with_the_local_account_s_role_survives_a_reload_and_signs_out(
    oidc_app, oidc_store, desk_tab: Page
) -> None:
    page = desk_tab
    with oidc_app() as base:
        _sign_in(page, base, "ani")
        assert "Ani" in _sidebar(page) and "operator, 32.03" in _sidebar(page)
        page.reload()
        assert "operator, 32.03" in _sidebar(page)  # still signed in after F5

        engine = make_engine(oidc_store)
        accounts.set_user(engine, SYSTEM, "ani@dinsos.go.id", active=False)
        page.reload()
        expect(page.get_by_text("tidak aktif")).to_be_visible(timeout=60_000)
        assert page.get_by_text("Masuk sebagai").count() == 0
        accounts.set_user(engine, SYSTEM, "ani@dinsos.go.id", active=True)
        engine.dispose()
        page.reload()
        _sidebar(page)
        _sign_out(page)

        for stranger in ("budi", "citra"):  # unknown here; disabled
            _sign_in(page, base, stranger)
            expect(page.get_by_text("belum terdaftar")).to_be_visible(timeout=60_000)
            assert page.locator('[data-testid="stMetric"]').count() == 0
            _sign_out(page)


def test_oidc_roles_and_scopes_can_come_from_the_provider_s_claims(
    oidc_app, desk_tab: Page
) -> None:
    with oidc_app(CC_OIDC_ROLE_CLAIM="cc_role", CC_OIDC_SCOPE_CLAIM="cc_scope") as base:
        _sign_in(desk_tab, base, "ani")
        assert "koordinator, 32.05" in _sidebar(desk_tab)  # the claims', not the account's
        assert "Penugasan Tagana" in _sidebar(desk_tab)
