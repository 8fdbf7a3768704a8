"""The field reporter's light form (`/lapor?kunci=...`) as a phone meets it: its routes over
HTTP on a real store (SQLite, and PostgreSQL when `DATABASE_URL` points at one), then the real
server in Chromium at 360 px, the network cut between typing and pressing send."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, expect
from starlette.applications import Starlette
from starlette.testclient import TestClient

from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine
from command_center.base.labels import t
from command_center.base.times import WIB, utcnow
from command_center.services.reporters import LINK_PARAM, NewLink, link_url
from command_center.stores import common as store
from command_center.stores import reporters as reporter_store
from command_center.stores import reports as report_store
from command_center.ui.lapor_form import routes
from tests.conftest import APP, ARTIFACTS, JAYAPURA, SENTANI, app_env_vars, sentani_link, store_copy

HOSTILE = "<script>alert(1)</script>"
HOSTILE_IMAGE = "<img src=x onerror=alert(1)>"


def _link(database_url: str, geography, name: str = "Asep (Karang Taruna)") -> str:
    engine = make_engine(database_url)
    (incident,) = store.incidents(engine)
    entry = {"name": name, "role": "karang taruna", "kecamatan": "32.03.11"}
    _, token = reporter_store.create_link(
        engine, SYSTEM, NewLink.check({**entry, "incident_id": incident.id}, geography)
    )
    engine.dispose()
    return token


@pytest.fixture
def client(with_demo) -> Iterator[TestClient]:
    """The light form's routes (those `server.py` mounts) on the demo store."""
    with TestClient(Starlette(routes=routes()), follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def token(with_demo, database_url: str, geography) -> str:
    return _link(database_url, geography)


def _report(database_url: str, **typed: str) -> dict[str, str]:
    """What the form posts: the demo incident, the link's kecamatan, now, and `typed`."""
    (incident,) = store.incidents(make_engine(database_url))
    now = utcnow().astimezone(WIB)
    return {
        "incident_id": str(incident.id),
        "kecamatan_code": "32.03.11",
        "report_date": now.date().isoformat(),
        "report_clock": now.strftime("%H:%M"),
        **typed,
    }


def _stored(database_url: str) -> list[dict]:
    rows = report_store.all_versions(make_engine(database_url))
    return rows[rows["reporter"] == "Asep (Karang Taruna)"].to_dict("records")


def _field(page: str, name: str) -> str:
    """The value an input or textarea of the page holds, as the browser would read it."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'<textarea[^>]*name="{name}"[^>]*>([^<]*)</textarea>', page
    )
    assert tag is not None, name
    return html.unescape(tag.group(1))


def _error(page: str, field: str) -> str:
    """The error shown beside `field` (empty when there is none)."""
    found = re.search(rf'<div class="error" id="error-{field}">(.*?)</div>', page, re.S)
    return html.unescape(re.sub("<[^>]+>", " ", found.group(1))).strip() if found else ""


def test_a_report_sent_is_stored_unverified_from_the_reporter_with_figures_read_as_typed(
    client: TestClient, token: str, database_url: str
) -> None:
    page = client.get(f"/lapor?{LINK_PARAM}={token}")
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "no-store"  # the link is a credential
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'nonce-" in page.headers["content-security-policy"]
    assert "Asep (Karang Taruna)" in page.text and "Cugenang" in page.text
    assert 'inputmode="numeric"' in page.text and len(page.content) < 20_000  # a few kB
    typed = {"displaced": "1.234", "houses_heavy": "1,2 rb", "needs": "tenda: 10"}
    sent = client.post(
        f"/lapor?{LINK_PARAM}={token}", data=_report(database_url, notes="jalan putus", **typed)
    )
    assert sent.status_code == 303, sent.text  # a reload of the receipt sends nothing again
    (row,) = _stored(database_url)
    # as the WhatsApp reader and the imports read a posko's numbers: "1.234" is 1,234
    assert (row["displaced"], row["houses_heavy"]) == (1234, 1200)
    assert row["verification"] == "unverified" and row["source"] == "karang_taruna"
    assert row["notes"] == "jalan putus"
    receipt = client.get(sent.headers["location"])
    assert receipt.status_code == 200 and receipt.headers["cache-control"] == "no-store"
    assert "terkirim" in receipt.text and "versi 1" in receipt.text
    assert _field(receipt.text, "displaced") == "1234"  # the next report starts from this one
    assert len(_stored(database_url)) == 1


def test_a_reporter_in_sentani_sees_and_types_the_time_of_a_papua_clock(
    client: TestClient, database_url: str, geography
) -> None:
    """Sentani is WIT: the form says so and starts at the time a clock there shows, and 08:00
    typed there is stored as 08:00 WIT, as the WhatsApp reader and the imports read it."""
    incident, token = sentani_link(database_url, geography)
    page = client.get(f"/lapor?{LINK_PARAM}={token}")
    assert page.status_code == 200, page.text
    assert t("report_time", zone="WIT") in html.unescape(page.text)
    there = utcnow().astimezone(JAYAPURA)
    shown = datetime.fromisoformat(
        f"{_field(page.text, 'report_date')}T{_field(page.text, 'report_clock')}"
    ).replace(tzinfo=there.tzinfo)
    assert abs(shown - there) < timedelta(minutes=2)  # not Jakarta's, two hours behind
    day = there.date() - timedelta(days=1)
    typed = {"report_date": day.isoformat(), "report_clock": "08:00", "displaced": "40"}
    report = {"incident_id": str(incident), "kecamatan_code": SENTANI, **typed}
    sent = client.post(f"/lapor?{LINK_PARAM}={token}", data=report)
    assert sent.status_code == 303, sent.text
    rows = report_store.all_versions(make_engine(database_url), incident)
    (stored,) = rows["report_time"]
    assert stored == datetime.combine(day, time(8), JAYAPURA)


def test_a_report_sent_again_is_stored_once(
    client: TestClient, token: str, database_url: str
) -> None:
    report = _report(database_url, displaced="350", notes="jembatan Cibeber roboh")
    first = client.post(f"/lapor?{LINK_PARAM}={token}", data=report)
    again = client.post(f"/lapor?{LINK_PARAM}={token}", data=report)  # the receipt was lost
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]  # the same receipt
    assert [r["displaced"] for r in _stored(database_url)] == [350]


def test_a_kecamatan_outside_the_link_is_refused_and_nothing_stored(
    client: TestClient, token: str, database_url: str
) -> None:
    before = len(report_store.all_versions(make_engine(database_url)))
    report = _report(database_url, kecamatan_code="32.03.12", displaced="90")  # Pacet
    refused = client.post(f"/lapor?{LINK_PARAM}={token}", data=report)
    assert refused.status_code == 403
    assert t("perm_reporter_link") in html.unescape(refused.text)
    assert _field(refused.text, "displaced") == "90"  # kept, to send for the right kecamatan
    assert len(report_store.all_versions(make_engine(database_url))) == before


def test_a_revoked_or_unknown_link_gets_403_and_nothing_else(
    client: TestClient, token: str, database_url: str
) -> None:
    engine = make_engine(database_url)
    (row,) = reporter_store.links(engine, SYSTEM)
    reporter_store.revoke_link(engine, SYSTEM, row.id)
    for answer in (
        client.get(f"/lapor?{LINK_PARAM}={token}"),
        client.post(f"/lapor?{LINK_PARAM}={token}", data=_report(database_url, displaced="5")),
        client.get(f"/lapor?{LINK_PARAM}=salah"),
        client.get("/lapor"),
    ):
        assert answer.status_code == 403
        assert t("lapor_link_invalid") in html.unescape(answer.text)
        assert "<form" not in answer.text and "Asep" not in answer.text
    assert _stored(database_url) == []


def test_hostile_names_and_needs_are_shown_as_text(
    client: TestClient, with_demo, database_url: str, geography
) -> None:
    token = _link(database_url, geography, name=f"Asep {HOSTILE}")
    report = _report(database_url, needs=HOSTILE_IMAGE, notes=HOSTILE)
    answer = client.post(f"/lapor?{LINK_PARAM}={token}", data=report)
    assert answer.status_code == 422  # needs must read as `item: quantity`
    assert HOSTILE not in answer.text and HOSTILE_IMAGE not in answer.text
    assert html.escape(HOSTILE, quote=False) in answer.text  # the name, shown as typed
    assert _field(answer.text, "needs") == HOSTILE_IMAGE  # given back to correct, as text
    assert HOSTILE_IMAGE in _error(answer.text, "needs")


def test_bad_figures_come_back_as_typed_with_each_error_beside_its_field(
    client: TestClient, token: str, database_url: str
) -> None:
    report = _report(database_url, deaths="-2", displaced="banyak", notes="masih dihitung")
    answer = client.post(f"/lapor?{LINK_PARAM}={token}", data=report)
    assert answer.status_code == 422
    assert _field(answer.text, "displaced") == "banyak" and _field(answer.text, "deaths") == "-2"
    assert _field(answer.text, "notes") == "masih dihitung"  # nothing typed is lost
    assert _error(answer.text, "displaced").startswith(t("field_displaced"))
    assert _error(answer.text, "deaths").startswith(t("field_deaths"))
    assert _error(answer.text, "houses_heavy") == ""  # only the fields at fault
    assert 'id="displaced" name="displaced" value="banyak" aria-invalid="true"' in answer.text
    tomorrow = _report(database_url, displaced="10", report_date="2099-01-01")
    late = client.post(f"/lapor?{LINK_PARAM}={token}", data=tomorrow)
    assert late.status_code == 422 and _error(late.text, "report_time")
    longest = _report(database_url, notes="€" * 2000)  # as long as notes go, 9 bytes a sign
    assert client.post(f"/lapor?{LINK_PARAM}={token}", data=longest).status_code == 303
    flood = _report(database_url, notes="x" * 100_000)  # read no further than a form needs
    assert client.post(f"/lapor?{LINK_PARAM}={token}", data=flood).status_code == 400
    assert [row["notes"] for row in _stored(database_url)] == ["€" * 2000]


def test_a_sharp_drop_is_asked_about_and_stored_once_confirmed(
    client: TestClient, token: str, database_url: str
) -> None:
    link = f"/lapor?{LINK_PARAM}={token}"
    assert client.post(link, data=_report(database_url, displaced="350")).status_code == 303
    drop = _report(database_url, displaced="3", notes="sebagian pulang")
    asked = client.post(link, data=drop)
    assert asked.status_code == 200
    shown = html.unescape(asked.text)
    assert t("confirm_drops", drops="").split(":")[0] in shown
    assert t("confirm_save") in shown  # the button now confirms
    assert _field(asked.text, "displaced") == "3"
    confirmation = _field(asked.text, "confirmed")
    changed = client.post(link, data={**drop, "displaced": "1", "confirmed": confirmation})
    assert changed.status_code == 200  # changed after the question: asked again
    assert "turun tajam dari 350 ke 1" in html.unescape(changed.text)
    assert [r["displaced"] for r in _stored(database_url)] == [350]
    confirmed = client.post(link, data={**drop, "confirmed": confirmation})
    assert confirmed.status_code == 303
    assert sorted(r["displaced"] for r in _stored(database_url)) == [3, 350]
    sent = parse_qs(urlsplit(confirmed.headers["location"]).query)["terkirim"]
    assert "versi 2" in client.get(f"{link}&terkirim={sent[0]}").text


def test_under_a_base_url_path_the_form_and_its_links_stay_under_it(
    with_demo, database_url: str, geography
) -> None:
    token = _link(database_url, geography)
    with TestClient(Starlette(routes=routes("/cc/")), follow_redirects=False) as client:
        page = client.get(f"/cc/lapor?{LINK_PARAM}={token}")
        assert page.status_code == 200 and f'action="/cc/lapor?{LINK_PARAM}={token}"' in page.text
        sent = client.post(f"/cc/lapor?{LINK_PARAM}={token}", data=_report(database_url))
        assert sent.headers["location"].startswith(f"/cc/lapor?{LINK_PARAM}={token}&terkirim=")
        assert client.get(f"/lapor?{LINK_PARAM}={token}").status_code == 404


# Chromium on the real server (`server.py`, as `command-center run` starts it): one server
# for the module, one link per test.


@pytest.fixture(scope="module")
def server(
    demo_database: str, shared_data: Path, boundary_cache: Path, tmp_path_factory, streamlit_server
) -> Iterator[str]:
    database = store_copy(demo_database, tmp_path_factory.mktemp("lapor-form"))
    env = app_env_vars(database, shared_data, boundary_cache, CC_AUTH_MODE="local")
    with streamlit_server(APP, env) as base:
        yield base, database


def _phone(browser: Browser) -> BrowserContext:
    return browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)


def _devtools(tab: Page) -> CDPSession:
    cdp = tab.context.new_cdp_session(tab)
    cdp.send("Network.enable")
    return cdp


def _network(cdp: CDPSession, online: bool) -> None:
    """Cut or restore the tab's network, as DevTools' offline switch does."""
    conditions = {"latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    cdp.send("Network.emulateNetworkConditions", {"offline": not online, **conditions})


@pytest.mark.browser
def test_the_server_serves_the_dashboard_and_the_light_form_on_one_port(server) -> None:
    base, _ = server
    assert requests.get(f"{base}/_stcore/health", timeout=10).text == "ok"
    assert 'id="root"' in requests.get(f"{base}/", timeout=10).text  # Streamlit's page
    invalid = requests.get(f"{base}/lapor?{LINK_PARAM}=salah", timeout=10)
    assert invalid.status_code == 403 and invalid.headers["cache-control"] == "no-store"


@pytest.mark.browser
def test_a_report_typed_as_the_network_drops_is_kept_and_sent_once_it_returns(
    server, browser: Browser, geography
) -> None:
    base, database = server
    token = _link(database, geography, name="Tagana Cugenang")
    link = link_url(base, token)  # as issued
    assert urlsplit(link).path == "/lapor"

    def stored(field: str) -> list:
        rows = report_store.all_versions(make_engine(database))
        return list(rows[rows["reporter"] == "Tagana Cugenang"][field])

    phone = _phone(browser)
    tab = phone.new_page()
    refused = []  # what the page's security policy blocked, as Chromium reports it
    tab.on("console", lambda m: refused.append(m.text) if "Security Policy" in m.text else None)
    answer = tab.goto(link)
    assert answer.headers["content-security-policy"].startswith("default-src 'none'")
    notes, displaced = tab.get_by_label(t("notes")), tab.get_by_label(t("field_displaced"))
    displaced.fill("350")
    notes.fill("jalan ke Cugenang putus")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    tab.get_by_role("button", name=t("lapor_send")).click()
    expect(tab.locator("#lapor-receipt")).to_contain_text("terkirim", timeout=30_000)
    expect(tab.locator("#lapor-receipt")).to_be_in_viewport()  # not above the fold
    assert stored("displaced") == [350]
    ARTIFACTS.mkdir(exist_ok=True)
    assert not refused, refused
    tab.screenshot(path=ARTIFACTS / "lapor_form_360.png", full_page=True, caret="initial")

    notes.fill("jembatan Cibeber roboh")  # typed, then the signal drops before send
    _network(_devtools(tab), online=False)
    tab.get_by_role("button", name=t("lapor_send")).click()
    expect(tab.locator("#lapor-unsent")).to_have_text(t("lapor_unsent"))  # at once
    assert stored("notes") == ["jalan ke Cugenang putus"]
    tab.close()  # the phone gives up on the page before the signal returns

    tab = phone.new_page()  # the link opened again: the draft comes back, said so
    tab.goto(link)
    expect(tab.locator("#lapor-restored")).to_have_text(t("lapor_restored"))
    expect(tab.get_by_label(t("notes"))).to_have_value("jembatan Cibeber roboh")
    tab.get_by_role("button", name=t("lapor_send")).click()
    expect(tab.locator("#lapor-receipt")).to_contain_text("versi 2", timeout=30_000)
    assert stored("notes") == ["jalan ke Cugenang putus", "jembatan Cibeber roboh"]

    tab.get_by_label(t("notes")).fill("air bersih habis")  # this time the page stays open
    cdp = _devtools(tab)
    _network(cdp, online=False)
    tab.get_by_role("button", name=t("lapor_send")).click()
    expect(tab.locator("#lapor-unsent")).to_have_text(t("lapor_unsent"))
    _network(cdp, online=True)  # the page sends it by itself
    expect(tab.locator("#lapor-receipt")).to_contain_text("versi 3", timeout=30_000)
    expect(tab.locator("#lapor-unsent")).to_have_count(0)  # the receipt replaced it
    assert stored("notes")[-1:] == ["air bersih habis"] and len(stored("notes")) == 3  # once
    tab.reload()  # sent: the phone forgot the draft
    expect(tab.get_by_label(t("notes"))).to_have_value("")
    expect(tab.locator("#lapor-restored")).to_have_count(0)
    assert not refused, refused
    phone.close()


@pytest.mark.browser
def test_with_no_javascript_the_form_sends_and_a_reload_of_the_receipt_sends_nothing(
    server, browser: Browser, geography
) -> None:
    base, database = server
    token = _link(database, geography, name="PSM Cugenang")
    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, java_script_enabled=False
    )
    tab = phone.new_page()
    tab.goto(link_url(base, token))
    tab.get_by_role("button", name=t("lapor_choose")).click()  # the choice, without a script
    tab.get_by_label(t("field_displaced")).fill("1.250")
    tab.get_by_role("button", name=t("lapor_send")).click()
    expect(tab.locator("#lapor-receipt")).to_contain_text("terkirim")
    tab.reload()  # the receipt's own address: nothing is sent again
    rows = report_store.all_versions(make_engine(database))
    assert list(rows[rows["reporter"] == "PSM Cugenang"]["displaced"]) == [1250]
    phone.close()
