"""The app shell: navigation by role, language switch, and shared page furniture."""

from __future__ import annotations

import json
import logging
import math
import uuid
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from sqlalchemy.exc import DBAPIError
from streamlit.runtime.pages_manager import PagesManager

from command_center.adapters import alerts
from command_center.base import resources
from command_center.base.auth import Principal, permits
from command_center.base.db import unreachable
from command_center.base.errors import CommandCenterError, FieldError, InvalidInput, SignInRefused
from command_center.base.labels import LANGUAGES, number, t
from command_center.base.times import format_wib, utcnow
from command_center.services.reporters import LINK_PARAM
from command_center.stores import accounts
from command_center.ui import process_stats
from command_center.ui.ack import ACK_PARAM, ack_screen
from command_center.ui.messages import FLASH, explain, md

LANG_KEY = "lang"
ACTOR_KEY = "actor"  # the name typed in development mode
SESSION_KEY = "_session"  # the sign-in session's id; its principal is read again on every run
COOKIE = "cc_session"  # the same id in the browser, so a reload or a new tab stays signed in
COOKIE_KEY = "_cookie"  # what this browser's cookie must be set to (None: cleared)
CURRENT_KEY = "_principal_now"  # who this run acts as (signed in, token or development mode)
WALL_SCREEN_PAGE = "pages/briefing.py"  # all a wall-screen token opens
REPORTER_PAGE = "pages/lapor.py"  # all a field reporter's link opens
NOTIFICATIONS_PAGE = "pages/notifications.py"  # its label counts the user's unread alerts
log = logging.getLogger("command_center")


@dataclass(frozen=True)
class PageSpec:
    """One page: its file under `pages/`, URL (deep link, the file's stem), label, section,
    and the roles whose navigation lists it (None: everyone's)."""

    file: str
    label: str
    section: str
    icon: str
    roles: tuple[str, ...] | None = None

    @property
    def url_path(self) -> str:
        return Path(self.file).stem


PAGES = (
    PageSpec("pages/live_map.py", "page_live_map", "section_operator", ":material/map:"),
    PageSpec(
        "pages/incidents.py", "page_incidents", "section_operator", ":material/emergency:"
    ),  # every role: alerts link to it; read-only without `incident`
    PageSpec("pages/hazards.py", "page_hazards", "section_operator", ":material/warning:"),
    PageSpec("pages/deployments.py", "page_deployments", "section_tagana", ":material/groups:"),
    PageSpec("pages/reports.py", "page_reports", "section_impact", ":material/summarize:"),
    PageSpec("pages/logistics.py", "page_logistics", "section_aid", ":material/inventory_2:"),
    PageSpec("pages/households.py", "page_households", "section_aid", ":material/family_restroom:"),
    PageSpec("pages/briefing.py", "page_briefing", "section_briefing", ":material/tv:"),
    PageSpec(
        "pages/notifications.py",
        "page_notifications",
        "section_briefing",
        ":material/notifications:",
    ),
    PageSpec(
        "pages/admin.py",
        "page_admin",
        "section_admin",
        ":material/admin_panel_settings:",
        ("admin",),
    ),
)


KIOSK_CSS = Path(__file__).with_name("kiosk.css")


def is_kiosk() -> bool:
    """The wall-screen mode (`?kiosk=1`): no menus or Streamlit chrome, dark, large type."""
    return st.query_params.get("kiosk") == "1"


def run_app() -> None:
    """What `app.py` does: page config, offline map assets, navigation, sidebar, the page,
    each run timed for the worker's `/metrics`. A field reporter's link opens the Lapor page
    alone, with no sign-in and no navigation. While the store cannot be reached the page says
    so and retries by itself."""
    resources.logging_configured()
    try:
        process_stats.timed(_run_app)
    except DBAPIError as exc:
        if not unreachable(exc):
            raise
        log.warning("store unreachable on a page run, retrying: %s", exc.orig)
        _retry_store()


STORE_RETRY_S = 5.0


@st.fragment(run_every=STORE_RETRY_S)
def _retry_store() -> None:
    """Say the store is away, with the time of the last try; the whole page again once it
    answers."""
    try:
        resources.look_for_changes()  # one small query
    except DBAPIError as exc:
        if not unreachable(exc):
            raise
        language = lang()
        tried = format_wib(utcnow(), language)
        st.warning(t("store_down", language, time=tried), icon=":material/cloud_off:")
        return
    st.rerun(scope="app")


def _run_app() -> None:
    if LINK_PARAM in st.query_params:
        st.set_page_config(
            page_title=t("lapor_title", "id"), page_icon="🛟", initial_sidebar_state="collapsed"
        )
        title = t("lapor_title", "id")
        # the full page at `/`, with the family form; `/lapor` is the light form (`lapor_form`)
        page = st.Page(REPORTER_PAGE, title=title, url_path="home", default=True)
        guarded(st.navigation([page], position="hidden").run)
        return
    if ACK_PARAM in st.query_params:  # an alert's ACK link: no sign-in, nothing else
        st.set_page_config(page_title=t("ack_title", lang()), page_icon="🛟")
        guarded(lambda: ack_screen(lang()))
        return
    kiosk = is_kiosk()
    st.set_page_config(
        page_title=t("app_title", lang()),
        page_icon="🛟",
        layout="wide",
        initial_sidebar_state="collapsed" if kiosk else "auto",
    )
    resources.static_assets()
    resources.look_for_changes()
    principal = signed_in(kiosk)
    st.session_state[CURRENT_KEY] = principal
    wall_screen = kiosk or principal.kiosk
    unread = 0 if wall_screen or not principal.username else alerts.unread_count(principal.username)
    page = navigation(wall_screen, principal.role, principal.kiosk, unread)
    if kiosk:
        # our own stylesheet, no user text in it
        st.markdown(f"<style>{KIOSK_CSS.read_text()}</style>", unsafe_allow_html=True)
        with st.sidebar:  # hidden, but a screen signed in here must keep its session too
            _keep_cookie()
    else:
        sidebar(principal)
        _close_sidebar_on_phone(page.url_path)
    guarded(page.run)


PHONE_WIDTH = 768  # below this Streamlit lays the sidebar over the page


def _close_sidebar_on_phone(page_path: str) -> None:
    """On a phone the sidebar lies over the page and Streamlit leaves it open after choosing a
    page: close it when the page has changed (our own script, in a frame of the app's origin;
    the browser window remembers the page it last saw, so opening the sidebar, which loads
    the frame again, does not close it)."""
    script = (
        f"<script>var top_ = window.parent, page = {json.dumps(page_path)};"
        "var moved = top_.ccPage !== undefined && top_.ccPage !== page; top_.ccPage = page;"
        f"if (moved && top_.innerWidth < {PHONE_WIDTH}) {{"
        "var bar = top_.document.querySelector('[data-testid=\"stSidebar\"]');"
        "var close = top_.document.querySelector("
        "'[data-testid=\"stSidebarCollapseButton\"] button');"
        "if (bar && close && bar.getBoundingClientRect().right > 0) { close.click(); }}</script>"
    )
    with st.sidebar:
        st.iframe(script, height=1)


def guarded(run) -> None:
    """Run a page; an unexpected error is logged in full with an id, and the user sees only a
    short message with that id (no traceback: it may show data or internals). Development
    mode lets it through to Streamlit, traceback and all."""
    try:
        run()
    except CommandCenterError as exc:
        st.error(explain(exc, lang()))
    except Exception as exc:  # the last line of defence: logged, never hidden
        if unreachable(exc) or resources.settings().auth_mode == "dev":
            raise  # the store being away has its own message (`run_app`)
        error_id = uuid.uuid4().hex[:8]
        log.exception("error %s on a page run", error_id)
        st.error(t("app_error", lang(), error_id=error_id), icon=":material/error:")


def still_allowed() -> Principal:
    """Check again, inside a self-refreshing fragment, that this session may still see what
    it shows (the token not revoked, the account still active with the same role and scope);
    otherwise rerun the whole app, which then asks to sign in."""
    before = st.session_state.get(CURRENT_KEY)
    now = _current(resources.settings().auth_mode, is_kiosk())
    if now is None or now != before:
        st.rerun(scope="app")
    return now


def start_page() -> str:
    """Call first in every page; returns the user's language.

    On a fresh server Streamlit routes the first visit to a deep link (`/briefing`) the legacy
    way, running `pages/briefing.py` straight from the `pages/` folder and skipping `app.py`,
    so there is no navigation and no sidebar. Here the page notices that, turns the legacy
    routing off for the server (as `st.navigation` would have), runs the app shell, which runs
    this page again inside it, and stops the outer run. Widget events of the run survive.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        run_app()
        st.stop()
    return lang()


def lang() -> str:
    """The user's language ("id" or "en"); Bahasa Indonesia unless they switched."""
    return st.session_state.get(LANG_KEY) or resources.settings().language


def _remember_language() -> None:
    st.session_state[LANG_KEY] = st.session_state["_lang_choice"]


def _current(auth_mode: str, kiosk: bool) -> Principal | None:
    """Who this session is now, read from the store: a wall screen's token, or the account
    signed in (None when neither is valid any more)."""
    engine = resources.engine()
    if kiosk:
        holder = accounts.kiosk_principal(engine, st.query_params.get("token", ""))
        if holder is not None:
            return holder
    if auth_mode == "dev":
        return Principal(st.session_state.get(ACTOR_KEY) or t("anonymous", lang()), "admin")
    if auth_mode == "oidc":  # the provider's word lives in a cookie: it survives a reload
        if not st.user.is_logged_in:
            return None
        settings = resources.settings()
        claims = st.user.to_dict()
        return accounts.oidc_principal(
            engine, claims, settings.oidc_role_claim, settings.oidc_scope_claim
        )
    token = st.session_state.get(SESSION_KEY) or _cookie()
    principal = accounts.session_principal(engine, token) if token else None
    if principal is not None:
        st.session_state[SESSION_KEY] = token
    return principal


def signed_in(kiosk: bool = False) -> Principal:
    """The principal of this session; shows the sign-in and stops the run when there is none.

    A wall screen may carry `token=`; `CC_AUTH_MODE=dev` skips sign-in (with a banner). A
    signed-in account is read again on every run, so a disabled account, a lower role or a
    smaller scope takes effect at once.
    """
    settings, engine = resources.settings(), resources.engine()
    principal = _current(settings.auth_mode, kiosk)
    if settings.auth_mode == "dev" and principal is not None and not kiosk:
        st.warning(t("dev_mode", lang()), icon=":material/construction:")
    if principal is not None:
        # only local passwords are changed here (an OIDC account's lives with its provider)
        local = settings.auth_mode == "local" and principal.username
        if local and accounts.must_change_password(engine, principal.username):
            _gate(settings.organisation)
            _change_password_form(engine, principal.username)
            st.stop()
        return principal
    _gate(settings.organisation)
    if st.session_state.pop(SESSION_KEY, None) or (
        _cookie() and COOKIE_KEY not in st.session_state
    ):
        st.warning(t("session_ended", lang()))
        st.session_state[COOKIE_KEY] = None
    _keep_cookie()
    if settings.auth_mode == "oidc":
        _oidc()
    else:
        _login_form(engine)
    st.stop()


def _gate(organisation: str) -> None:
    """The top of the sign-in screens: the service's name and who runs it, and no menu (else
    Streamlit lists the pages/ files to an anonymous visitor). Every page is known, hidden and
    not run, so the address asked for (`/deployments?incident=3`) stays and opens once signed
    in."""
    navigation(hidden=True, role="admin")
    st.markdown(f"### {t('app_title', lang())}")
    st.caption(md(organisation))


def _login_form(engine) -> None:
    language = lang()
    st.title(t("login_title", language))
    with st.form("login"):
        username = st.text_input(t("username", language), max_chars=120)
        password = st.text_input(t("password", language), type="password", max_chars=200)
        submitted = st.form_submit_button(t("login", language), type="primary")
    if not submitted:
        return
    limits = resources.settings().sign_in_limits
    try:
        principal = accounts.authenticate(engine, username, password, _client(), limits)
    except SignInRefused as exc:  # the same for every username, an account's or not
        if exc.seconds < 120:
            st.error(t("login_wait_s", language, seconds=exc.seconds))
        else:
            st.error(t("login_wait_min", language, minutes=math.ceil(exc.seconds / 60)))
        return
    if principal is None:
        st.error(t("login_failed", language))
    else:
        hours = resources.settings().session_hours
        agent = st.context.headers.get("User-Agent")
        agent = agent if isinstance(agent, str) else ""
        token = accounts.open_session(engine, principal.username, hours, _client(), agent)
        st.session_state[SESSION_KEY] = st.session_state[COOKIE_KEY] = token
        st.rerun()


def _cookie() -> str:
    """The session id this browser sent when the page (re)loaded ("" when none)."""
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) else ""  # AppTest has no browser


def _keep_cookie() -> None:
    """Write (or clear) this browser's session cookie, from a zero-height frame of the app's
    own origin (`st.iframe` runs HTML with the app's origin; Streamlit has no call that sets a
    cookie). The id is URL-safe base64."""
    if COOKIE_KEY not in st.session_state:
        return
    token = st.session_state[COOKIE_KEY]
    hours = resources.settings().session_hours
    value, age = (token, int(hours * 3600)) if token else ("", 0)
    script = (
        "<script>var secure = window.parent.location.protocol === 'https:' ? '; Secure' : '';"
        f"window.parent.document.cookie = '{COOKIE}={value}; Path=/; Max-Age={age}; "
        "SameSite=Strict' + secure;</script>"
    )
    st.iframe(script, height=1)


def _client() -> str:
    """Who is knocking, for throttling: the client address Streamlit sees (behind a proxy,
    the proxy's, unless it forwards the client's)."""
    address = st.context.ip_address
    if resources.settings().behind_proxy:
        address = st.context.headers.get("X-Forwarded-For", "").split(",")[0].strip() or address
    return address if isinstance(address, str) and address else "unknown"  # none in tests


def _change_password_form(engine, username: str) -> None:
    language = lang()
    st.title(t("change_password_title", language))
    st.info(t("change_password_why", language))
    with st.form("change_password"):
        current = st.text_input(t("current_password", language), type="password", max_chars=200)
        new = st.text_input(t("new_password", language), type="password", max_chars=200)
        again = st.text_input(t("new_password_again", language), type="password", max_chars=200)
        submitted = st.form_submit_button(t("change_password_title", language), type="primary")
    if not submitted:
        return
    try:
        if new != again:
            raise InvalidInput([FieldError("new_password", "mismatch")])
        # this browser's session stays signed in, every other one of the account ends
        keep = st.session_state.get(SESSION_KEY, "")
        accounts.change_own_password(engine, username, current, new, keep)
    except CommandCenterError as exc:
        st.error(explain(exc, language))
        return
    st.session_state[FLASH] = t("password_changed", language)
    st.rerun()


def _oidc() -> None:
    """Streamlit's built-in OIDC (`st.login`, configured under [auth] in secrets.toml); the
    e-mail must belong to a registered, active account."""
    language = lang()
    st.title(t("login_title", language))
    if not st.user.is_logged_in:
        st.button(t("login_oidc", language), on_click=st.login, type="primary")
        return
    st.error(t("oidc_unknown", language, email=md(st.user.get("email", "?"))))
    st.button(t("logout", language), on_click=st.logout)


def _logout() -> None:
    if token := st.session_state.pop(SESSION_KEY, None):
        accounts.end_session(resources.engine(), token)
    st.session_state[COOKIE_KEY] = None
    if resources.settings().auth_mode == "oidc":
        st.logout()


def _logout_everywhere() -> None:
    """End every session of this account (another browser left signed in), this one too."""
    engine, me = resources.engine(), actor()
    for row in accounts.open_sessions(engine, me):
        accounts.revoke_session(engine, me, row["id"])
    _logout()


def sidebar(principal: Principal) -> None:
    """Language switch, who is signed in, and the note on time zones, on every page."""
    current = lang()
    st.sidebar.radio(
        t("language", current),
        list(LANGUAGES),
        index=list(LANGUAGES).index(current),
        format_func=LANGUAGES.get,
        key="_lang_choice",
        horizontal=True,
        on_change=_remember_language,
    )
    if resources.settings().auth_mode == "dev":
        st.sidebar.text_input(
            t("your_name", current),
            value=st.session_state.get(ACTOR_KEY, ""),
            key="_actor_choice",
            on_change=_remember_actor,
            max_chars=80,
        )
    else:
        scope = f", {principal.scope}" if principal.scope else ""
        role = t(f"role_{principal.role}", current)
        st.sidebar.markdown(
            t("signed_in_as", current, name=md(principal.name), role=role, scope=scope)
        )
        st.sidebar.button(t("logout", current), on_click=_logout, key="logout")
        if resources.settings().auth_mode == "local":  # one under the other: never cut short
            st.sidebar.button(
                t("logout_everywhere", current), on_click=_logout_everywhere, key="logout_all"
            )
    st.sidebar.caption(t("times_in_wib", current))
    with st.sidebar:
        _keep_cookie()


def _remember_actor() -> None:
    st.session_state[ACTOR_KEY] = st.session_state["_actor_choice"].strip()


def actor() -> Principal:
    """Who is making a change: this run's signed-in principal (its name goes into the audit
    log); set by `run_app` before any page runs."""
    return st.session_state[CURRENT_KEY]


def navigation(
    hidden: bool = False, role: str = "viewer", wall_screen: bool = False, unread: int = 0
) -> st.navigation:
    """Pages grouped by role, labelled in the user's language (Notifikasi with the count of
    the user's `unread` alerts); a wall screen's token gets the briefing alone, whatever URL
    it opens.

    Streamlit serves its default page at `/` only, so `/live_map` would be "not found": the
    first page is listed twice, once as the hidden default (at `/`) and once at its own URL.
    """
    language = lang()
    if wall_screen:  # at `/` and at its own URL, the one its link gives (`/briefing?...`)
        spec = next(p for p in PAGES if p.file == WALL_SCREEN_PAGE)
        title = t(spec.label, language)
        pages = [
            st.Page(spec.file, title=title, url_path="home", default=True),
            st.Page(spec.file, title=title, url_path=spec.url_path),
        ]
        return st.navigation(pages, position="hidden")
    first = PAGES[0]
    home = st.Page(
        first.file,
        title=t(first.label, language),
        icon=first.icon,
        url_path="home",
        default=True,
        visibility="hidden",
    )
    sections: dict[str, list[st.Page]] = {"": [home]}
    for spec in PAGES:
        if spec.roles is not None and role not in spec.roles:
            continue
        title = t(spec.label, language)
        if spec.file == NOTIFICATIONS_PAGE and unread:
            title = t("page_notifications_unread", language, n=number(unread, language))
        page = st.Page(spec.file, title=title, icon=spec.icon, url_path=spec.url_path)
        sections.setdefault(t(spec.section, language), []).append(page)
    return st.navigation(sections, position="hidden" if hidden else "sidebar")


def allowed(permission: str, lang: str) -> bool:
    """Whether this user may do `permission`; if not, says so in place of the form (before
    anyone fills it in)."""
    if permits(actor(), permission):
        return True
    st.caption(t("not_yours", lang, what=t(f"perm_{permission}", lang)))
    return False


def exercise_banner(is_exercise: bool) -> None:
    if is_exercise:
        st.warning(t("exercise_banner", lang()), icon=":material/school:")
