"""Affected families as an attacker and the officers meet them, in headless Chromium against
`streamlit run` with real local accounts: a reporter's link cannot redirect a family's aid (its
entry waits, and a data officer accepts it side by side), a masked list gives no NIK away, and
roles that see counts get counts. Screenshots go to `test-artifacts/`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from command_center.base.auth import SYSTEM, Principal
from command_center.base.db import make_engine
from command_center.base.labels import t
from command_center.base.pdp import Vault
from command_center.services.households import HouseholdInput
from command_center.services.reporters import NewLink
from command_center.stores import accounts
from command_center.stores import common as store
from command_center.stores import households as household_store
from command_center.stores import reporters as reporter_store
from tests.conftest import APP, ARTIFACTS, app_env_vars, store_copy
from tests.households import KEY, family

pytestmark = pytest.mark.browser
PASSWORD = "kata-sandi-data"
REGISTERED = family()  # registered by a Dinsos data officer, paid to this account
FORGED_PAYOUT = "BANK LAIN 9999-0000-1111"


@pytest.fixture(scope="module")
def households_server(
    demo_database: str,
    shared_data: Path,
    boundary_cache: Path,
    streamlit_server,
    tmp_path_factory,
    geography,
) -> Iterator[tuple[str, str, str]]:
    """The demo store with one registered family, officers of Cianjur and a TKSK's link,
    served with local sign-in: (base URL, the link's token, the store's URL)."""
    url = store_copy(demo_database, tmp_path_factory.mktemp("households"))
    engine = make_engine(url)
    for name, role in (("pendata", "pendata"), ("operator", "operator"), ("pejabat", "viewer")):
        accounts.create_user(engine, SYSTEM, name, PASSWORD, role, "32.03", f"Petugas {name}")
    (incident,) = store.incidents(engine)
    officer = Principal("Dinsos Cianjur", "pendata", "32.03")
    entry = HouseholdInput.check(REGISTERED)
    household_store.save_household(engine, Vault(KEY), incident.id, entry, officer)
    link = NewLink.check({"name": "Ujang", "role": "tksk", "kecamatan": "32.03.11"}, geography)
    _, token = reporter_store.create_link(engine, SYSTEM, link)
    engine.dispose()
    env = app_env_vars(url, shared_data, boundary_cache, CC_AUTH_MODE="local")
    with streamlit_server(APP, env) as base:
        yield base, token, url


def _tab(browser: Browser, width: int = 1366, height: int = 768) -> Page:
    return browser.new_context(viewport={"width": width, "height": height}).new_page()


def _sign_in(tab: Page, base: str, username: str) -> None:
    tab.goto(f"{base}/households")
    expect(tab.get_by_label("Nama pengguna")).to_be_visible(timeout=60_000)
    tab.get_by_label("Nama pengguna").fill(username)
    tab.get_by_label("Kata sandi").fill(PASSWORD)
    tab.get_by_role("button", name="Masuk").click()
    expect(tab.get_by_role("heading", name=t("page_households"))).to_be_visible(timeout=60_000)


def _settled(tab: Page) -> None:
    """The page's script has finished (no spinner, no stale elements)."""
    tab.wait_for_timeout(300)
    expect(tab.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=60_000)


def _choose(tab: Page, label: str, option: str) -> None:
    tab.get_by_label(label, exact=True).click()
    tab.get_by_role("option", name=option).first.click()
    _settled(tab)


def _shown(tab: Page) -> str:
    """Everything the page holds as text, the data grids' cells included."""
    return tab.locator("body").text_content() or ""


def _shot(tab: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"households-{name}.png"), full_page=True)


def _head_only(tab: Page, payout: str) -> None:
    """The family form with the registered family's KK, its head, and a new payout."""
    head = REGISTERED["members"][0]
    tab.get_by_label(t("field_kk"), exact=True).fill(REGISTERED["kk"])
    tab.get_by_label(t("field_desa"), exact=True).fill("Sarampad")
    tab.get_by_label(t("field_address"), exact=True).fill("Kp. Baru RT 01/01")
    tab.get_by_label(t("field_payout"), exact=True).fill(payout)
    tab.get_by_label(t("field_nik"), exact=True).fill(head["nik"])
    tab.get_by_label(t("field_name"), exact=True).fill(head["name"])
    born = tab.get_by_role("group", name=t("field_birth_date")).get_by_role("spinbutton")
    born.first.click()  # the day: each segment moves on to the next
    tab.keyboard.type(head["birth_date"].strftime("%d%m%Y"))
    tab.keyboard.press("Tab")
    tab.get_by_role("button", name=t("add_member")).click()
    _settled(tab)
    expect(tab.locator('[data-testid="stDataFrame"]').last).to_contain_text(head["name"])
    tab.get_by_role("button", name=t("save_household")).click()
    _settled(tab)


def test_a_reporter_link_cannot_redirect_a_familys_aid_and_a_data_officer_decides(
    households_server: tuple[str, str, str], browser: Browser
) -> None:
    base, token, url = households_server
    phone = _tab(browser, 390, 844)
    phone.goto(f"{base}/?kunci={token}")  # the full page: the family form
    phone.get_by_text(t("lapor_family")).click()
    _head_only(phone, FORGED_PAYOUT)
    expect(phone.get_by_text(t("lapor_family_waiting"))).to_be_visible(timeout=30_000)
    page_text = _shown(phone)
    assert "sudah didata" not in page_text and "#1" not in page_text  # nothing named
    _shot(phone, "lapor-waiting")
    engine, vault = make_engine(url), Vault(KEY)
    (incident,) = store.incidents(engine)
    why = "cek rekening setelah kiriman lapangan"
    clear = household_store.reveal(engine, vault, 1, SYSTEM, why)
    assert clear["payout"] == REGISTERED["payout"]  # unchanged until a data officer decides

    desk = _tab(browser)
    _sign_in(desk, base, "pendata")
    expect(desk.get_by_text(t("changes_waiting", n=1))).to_be_visible()
    desk.get_by_role("tab", name=t("tab_review")).click()
    _settled(desk)
    _choose(desk, t("pick_change"), "#1")
    assert FORGED_PAYOUT not in _shown(desk)  # not before it is opened
    desk.get_by_role("button", name=t("open_change")).click()
    _settled(desk)
    grid = desk.locator('[data-testid="stDataFrame"]').last
    expect(grid).to_contain_text(FORGED_PAYOUT)
    expect(grid).to_contain_text(REGISTERED["payout"])
    _shot(desk, "review")
    desk.get_by_role("button", name=t("accept_change")).click()
    _settled(desk)
    expect(desk.get_by_text(t("check_first"))).to_be_visible()  # never on one click
    assert household_store.reveal(engine, vault, 1, SYSTEM, why)["payout"] == REGISTERED["payout"]
    desk.get_by_text(t("checked_both")).click()
    desk.get_by_role("button", name=t("accept_change")).click()
    expect(desk.get_by_text(t("change_accepted"))).to_be_visible(timeout=30_000)
    assert household_store.reveal(engine, vault, 1, SYSTEM, why)["payout"] == FORGED_PAYOUT
    assert household_store.members(engine, incident.id)["household_id"].nunique() == 1
    engine.dispose()
    desk.reload()  # F5: still signed in, and nothing waits any more
    expect(desk.get_by_role("heading", name=t("page_households"))).to_be_visible(timeout=60_000)
    _settled(desk)
    assert t("changes_waiting", n=1) not in _shown(desk)


def test_a_masked_list_gives_no_nik_away_and_counts_only_roles_get_counts(
    households_server: tuple[str, str, str], browser: Browser
) -> None:
    base = households_server[0]
    desk = _tab(browser)
    _sign_in(desk, base, "operator")
    _choose(desk, t("pick_household"), "#1")
    people = desk.locator('[data-testid="stDataFrame"]').last
    expect(people).to_contain_text("•" * 13)
    expect(people).to_contain_text(t("col_age"))
    shown = _shown(desk)
    for person in REGISTERED["members"]:
        assert person["nik"][:12] not in shown  # neither region nor birth date digits
        assert person["birth_date"].isoformat() not in shown
        assert person["birth_date"].strftime("%d/%m/%Y") not in shown
    _shot(desk, "operator-register")
    # the registered family's KK again, from an operator who may not open it: unnamed
    desk.get_by_role("tab", name=t("tab_household_form")).click()
    _settled(desk)
    _head_only(desk, "BRI 0000-01-000000-50-0")
    expect(desk.get_by_text(t("household_waiting"))).to_be_visible(timeout=30_000)
    assert "sudah didata" not in _shown(desk)

    official = _tab(browser)
    _sign_in(official, base, "pejabat")
    expect(official.get_by_text(t("count_families")).first).to_be_visible()
    tabs = official.get_by_role("tab").all_inner_texts()
    assert t("tab_register") not in tabs and t("tab_household_form") not in tabs
    assert not re.search("•{3}", _shown(official))  # counts, no list
    _shot(official, "viewer-counts")
