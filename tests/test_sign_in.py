"""Signing in to the real app (AppTest): local accounts, roles in the UI, development mode."""

import re

import pytest
from streamlit.testing.v1 import AppTest

from command_center.base.auth import SYSTEM
from command_center.base.db import make_engine, migrate
from command_center.base.errors import SignInRefused
from command_center.base.labels import t
from command_center.base.settings import PROJECT_ROOT, SignInLimits
from command_center.stores import accounts
from tests.conftest import open_tab


@pytest.fixture
def local_auth(with_demo, monkeypatch: pytest.MonkeyPatch, database_url) -> None:
    monkeypatch.setenv("CC_AUTH_MODE", "local")
    engine = make_engine(database_url)
    migrate(engine)
    accounts.create_user(engine, SYSTEM, "pejabat", "kata-sandi-1", "viewer", None, "Bu Pejabat")
    accounts.create_user(engine, SYSTEM, "admin", "kata-sandi-2", "admin", None, "Admin")


def _sign_in(username: str, password: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120).run()
    assert at.title[0].value == t("login_title")
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def test_nothing_shows_before_signing_in_and_a_wrong_password_is_refused(local_auth) -> None:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120).run()
    assert [x.value for x in at.title] == [t("login_title")]
    assert not at.metric and not at.dataframe
    at = _sign_in("pejabat", "salah-sekali")
    assert t("login_failed") in at.error[0].value


def test_a_viewer_reads_but_cannot_assign(local_auth) -> None:
    at = _sign_in("pejabat", "kata-sandi-1")
    assert not at.exception
    assert "Bu Pejabat" in at.sidebar.markdown[0].value
    at.switch_page("pages/deployments.py").run()
    assert not at.exception, [e.message for e in at.exception]
    for tab, button in (("tab_assign", "assign"), ("tab_team", "apply_status")):
        open_tab(at, "deployments_tab", tab)
        assert t(button) not in {b.label for b in at.button}  # no form to fill
        said = " ".join(c.value for c in at.caption)
        assert t("not_yours", what=t("perm_team")) in said
    reports = at.switch_page("pages/reports.py").run()
    for tab, button in (("tab_entry", "save_report"), ("tab_reports", "verify")):
        open_tab(reports, "reports_tab", tab)
        assert t(button) not in {b.label for b in reports.button}
    briefing = at.switch_page("pages/briefing.py").run()
    assert t("make_sitrep") not in {b.label for b in briefing.button}  # absent, with the reason
    assert t("not_yours", what=t("perm_sitrep")) in " ".join(c.value for c in briefing.caption)


def test_only_admins_see_the_audit_log(local_auth) -> None:
    at = _sign_in("admin", "kata-sandi-2")
    open_tab(at.switch_page("pages/admin.py").run(), "admin_tab", "tab_audit")
    assert not at.exception, [e.message for e in at.exception]
    audit = next(d.value for d in at.dataframe if t("col_action") in d.value.columns)
    actions = set(audit[t("col_action")])
    assert {t("action_create"), t("action_sign-in")} <= actions  # two accounts made, one in
    viewer = _sign_in("pejabat", "kata-sandi-1")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        viewer.switch_page("pages/admin.py").run()  # not in a viewer's navigation at all


def test_development_mode_says_so_on_every_page(open_page, with_demo) -> None:
    at = open_page("pages/deployments.py")
    assert any(t("dev_mode") in w.value for w in at.warning)


def test_a_wall_screen_token_opens_the_kiosk_read_only_until_revoked(
    local_auth, database_url
) -> None:
    engine = make_engine(database_url)
    token = accounts.create_token(engine, SYSTEM, "Layar Pusdalops")

    def open_kiosk(with_token: str) -> AppTest:
        at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
        at.query_params["kiosk"] = "1"
        at.query_params["token"] = with_token
        return at.run()

    at = open_kiosk(token)
    assert t("login_title") not in [x.value for x in at.title]
    at.switch_page("pages/briefing.py").run()
    assert {m.label: m.value for m in at.metric}[t("deaths")] == "68"
    assert [x.value for x in open_kiosk("salah").title] == [t("login_title")]
    accounts.revoke_token(engine, SYSTEM, accounts.tokens(engine, SYSTEM)[0].id)
    assert [x.value for x in open_kiosk(token).title] == [t("login_title")]


def test_a_disabled_or_changed_account_is_signed_out_on_the_next_run(
    local_auth, database_url
) -> None:
    engine = make_engine(database_url)
    at = _sign_in("admin", "kata-sandi-2")
    at.switch_page("pages/admin.py").run()
    assert not at.exception and at.title[0].value == t("page_admin")
    accounts.set_user(engine, SYSTEM, "admin", role="viewer")  # e.g. by another admin
    at.switch_page("pages/briefing.py").run()
    assert [x.value for x in at.title] == [t("login_title")]
    assert t("session_ended") in [w.value for w in at.warning]
    at = _sign_in("admin", "kata-sandi-2")  # signed in again, with the new role only
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/admin.py").run()
    assert "pejabat/pemantau" in at.sidebar.markdown[0].value
    accounts.set_user(engine, SYSTEM, "admin", active=False)
    at.run()
    assert [x.value for x in at.title] == [t("login_title")]
    assert t("session_ended") in [w.value for w in at.warning]


def test_the_first_password_must_be_changed_before_anything_shows(local_auth, database_url) -> None:
    engine = make_engine(database_url)
    accounts.set_user(engine, SYSTEM, "pejabat", password="sementara-12")  # set by the admin
    at = _sign_in("pejabat", "sementara-12")
    assert [x.value for x in at.title] == [t("change_password_title")]
    assert not at.metric
    at.text_input[0].input("sementara-12")
    at.text_input[1].input("baru-dan-panjang")
    at.text_input[2].input("baru-dan-panjang")
    at = at.button[0].click().run()
    titles = [x.value for x in at.title]
    assert t("change_password_title") not in titles
    assert t("login_title") not in titles  # this session stays signed in (the others end)
    assert accounts.authenticate(engine, "pejabat", "baru-dan-panjang") is not None


def test_an_account_the_admin_adds_must_change_its_password_first(local_auth, database_url) -> None:
    at = _sign_in("admin", "kata-sandi-2")
    at.switch_page("pages/admin.py").run()
    at.text_input[0].input("budi")  # the add form's username and password come first
    at.text_input[1].input("dari-admin-123")
    at.selectbox[0].select("operator")
    next(b for b in at.button if b.label == t("add_user")).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success
    at = _sign_in("budi", "dari-admin-123")
    assert [x.value for x in at.title] == [t("change_password_title")]
    assert not at.metric and not at.dataframe


def test_wrong_passwords_make_a_username_wait_the_same_whether_it_is_an_account(
    local_auth, monkeypatch
) -> None:
    monkeypatch.setenv("CC_SIGN_IN_PER_USER", "3")
    monkeypatch.setenv("CC_SIGN_IN_WAIT_S", "600")
    monkeypatch.setenv("CC_SIGN_IN_USER_MAX_WAIT_S", "600")
    for username in ("pejabat", "bukan-akun"):
        for _ in range(3):
            assert t("login_failed") in _sign_in(username, "salah-salah").error[0].value
    account = _sign_in("pejabat", "kata-sandi-1").error[0].value  # the right password, too
    made_up = _sign_in("bukan-akun", "kata-sandi-1").error[0].value
    assert account == made_up == t("login_wait_min", minutes=10)
    assert _sign_in("admin", "salah-salah").error[0].value == t("login_failed")  # not held up


def _kiosk(token: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120)
    at.query_params["kiosk"] = "1"
    at.query_params["token"] = token
    return at.run()


def test_a_wall_screen_token_opens_the_briefing_of_its_area_and_nothing_else(
    local_auth, database_url
) -> None:
    engine = make_engine(database_url)
    at = _kiosk(accounts.create_token(engine, SYSTEM, "Layar Cianjur", "32.03"))
    assert "LATIHAN" in at.markdown[1].value  # the Cianjur exercise's name
    for page in ("pages/deployments.py", "pages/reports.py", "pages/live_map.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page).run()
    elsewhere = _kiosk(accounts.create_token(engine, SYSTEM, "Layar Jatim", "35"))
    assert t("no_briefing") in [i.value for i in elsewhere.info]


def test_an_unexpected_error_shows_an_id_not_a_traceback(app_env, monkeypatch, caplog) -> None:
    monkeypatch.setenv("CC_AUTH_MODE", "local")  # development mode shows the traceback

    def script() -> None:
        from command_center.ui import shell

        shell.guarded(lambda: 1 / 0)

    at = AppTest.from_function(script).run()
    assert not at.exception
    (error,) = at.error
    assert "ZeroDivisionError" not in error.value and "Traceback" not in error.value
    error_id = re.search(r"[0-9a-f]{8}", error.value).group()
    assert error_id in caplog.text and "ZeroDivisionError" in caplog.text


def test_an_admin_lets_a_waiting_username_in_at_once_on_the_admin_page(
    local_auth, database_url
) -> None:
    engine = make_engine(database_url)
    limits = SignInLimits(per_user=3, wait_s=600, user_max_wait_s=600)
    for _ in range(3):
        accounts.authenticate(engine, "pejabat", "salah-salah", limits=limits)
    with pytest.raises(SignInRefused):
        accounts.authenticate(engine, "pejabat", "kata-sandi-1", limits=limits)
    at = _sign_in("admin", "kata-sandi-2")
    at.switch_page("pages/admin.py").run()
    at.text_input(key="edit_username").input("pejabat")
    next(c for c in at.checkbox if c.label == t("unlock_user")).check()
    next(b for b in at.button if b.label == t("edit_user")).click().run()
    assert not at.exception and t("user_changed", name="pejabat") in at.success[0].value
    assert accounts.authenticate(engine, "pejabat", "kata-sandi-1", limits=limits) is not None


def test_the_sign_in_screen_names_the_service_and_lists_no_pages(local_auth) -> None:
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=120).run()
    assert [x.value for x in at.title] == [t("login_title")]
    assert t("app_title") in " ".join(m.value for m in at.markdown)
    assert "Kementerian Sosial" in " ".join(c.value for c in at.caption)
    at.switch_page("pages/admin.py").run()  # a deep link asks to sign in, and shows nothing
    assert [x.value for x in at.title] == [t("login_title")]
    assert not at.dataframe
