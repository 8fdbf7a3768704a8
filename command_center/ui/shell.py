"""The app shell: navigation by role, language switch, and shared page furniture."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from command_center import accounts
from command_center.auth import Principal
from command_center.labels import LANGUAGES, t
from command_center.ui import resources
from command_center.ui.messages import md

LANG_KEY = "lang"
ACTOR_KEY = "actor"  # the name typed in development mode
PRINCIPAL_KEY = "principal"  # who signed in, kept for the session
CURRENT_KEY = "_principal_now"  # who this run acts as (signed in, token or development mode)


@dataclass(frozen=True)
class PageSpec:
    """One page: its file under `pages/`, URL (deep link, the file's stem), label and section."""

    file: str
    label: str
    section: str
    icon: str

    @property
    def url_path(self) -> str:
        return Path(self.file).stem


PAGES = (
    PageSpec("pages/live_map.py", "page_live_map", "section_operator", ":material/map:"),
    PageSpec("pages/hazards.py", "page_hazards", "section_operator", ":material/warning:"),
    PageSpec("pages/deployments.py", "page_deployments", "section_tagana", ":material/groups:"),
    PageSpec("pages/reports.py", "page_reports", "section_impact", ":material/summarize:"),
    PageSpec("pages/briefing.py", "page_briefing", "section_briefing", ":material/tv:"),
    PageSpec("pages/admin.py", "page_admin", "section_admin", ":material/admin_panel_settings:"),
)


KIOSK_CSS = Path(__file__).with_name("kiosk.css")


def is_kiosk() -> bool:
    """The wall-screen mode (`?kiosk=1`): no menus or Streamlit chrome, dark, large type."""
    return st.query_params.get("kiosk") == "1"


def run_app() -> None:
    """What `app.py` does: page config, offline map assets, navigation, sidebar, the page."""
    kiosk = is_kiosk()
    st.set_page_config(
        page_title=t("app_title", lang()),
        page_icon="🛟",
        layout="wide",
        initial_sidebar_state="collapsed" if kiosk else "auto",
    )
    resources.static_assets()
    resources.follow_other_writers()
    principal = signed_in(kiosk)
    st.session_state[CURRENT_KEY] = principal
    page = navigation(hidden=kiosk, admin=principal.role == "admin")
    if kiosk:
        # our own stylesheet, no user text in it
        st.markdown(f"<style>{KIOSK_CSS.read_text()}</style>", unsafe_allow_html=True)
    else:
        sidebar(principal)
    page.run()


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


def signed_in(kiosk: bool = False) -> Principal:
    """The principal of this session; shows the sign-in and stops the run when there is none.

    A wall screen may carry `token=`; `CC_AUTH_MODE=dev` skips sign-in (with a banner).
    """
    settings, engine = resources.settings(), resources.engine()
    if kiosk:
        token_holder = accounts.kiosk_principal(engine, st.query_params.get("token", ""))
        if token_holder is not None:
            return token_holder
    if settings.auth_mode == "dev":
        if not kiosk:
            st.warning(t("dev_mode", lang()), icon=":material/construction:")
        return Principal(st.session_state.get(ACTOR_KEY) or t("anonymous", lang()), "admin")
    principal = st.session_state.get(PRINCIPAL_KEY)
    if principal is not None:
        return principal
    if settings.auth_mode == "oidc":
        _oidc(engine)
    else:
        _login_form(engine)
    st.stop()


def _login_form(engine) -> None:
    language = lang()
    st.title(t("login_title", language))
    with st.form("login"):
        username = st.text_input(t("username", language), max_chars=120)
        password = st.text_input(t("password", language), type="password", max_chars=200)
        submitted = st.form_submit_button(t("login", language), type="primary")
    if submitted:
        principal = accounts.authenticate(engine, username, password)
        if principal is None:
            st.error(t("login_failed", language))
        else:
            st.session_state[PRINCIPAL_KEY] = principal
            st.rerun()


def _oidc(engine) -> None:
    """Streamlit's built-in OIDC (`st.login`, configured under [auth] in secrets.toml); the
    e-mail must belong to a registered account, which gives the role and scope."""
    language = lang()
    if not st.user.is_logged_in:
        st.title(t("login_title", language))
        st.button(t("login_oidc", language), on_click=st.login, type="primary")
        return
    principal = accounts.principal_for(engine, str(st.user.get("email", "")))
    if principal is None:
        st.error(t("oidc_unknown", language, email=md(st.user.get("email", "?"))))
        st.button(t("logout", language), on_click=st.logout)
        return
    st.session_state[PRINCIPAL_KEY] = principal
    st.rerun()


def _logout() -> None:
    st.session_state.pop(PRINCIPAL_KEY, None)
    if resources.settings().auth_mode == "oidc":
        st.logout()


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
    st.sidebar.caption(t("times_in_wib", current))


def _remember_actor() -> None:
    st.session_state[ACTOR_KEY] = st.session_state["_actor_choice"].strip()


def actor() -> Principal:
    """Who is making a change: this run's signed-in principal (its name goes into the audit
    log); set by `run_app` before any page runs."""
    return st.session_state[CURRENT_KEY]


def navigation(hidden: bool = False, admin: bool = False) -> st.navigation:
    """Pages grouped by role, labelled in the user's language.

    Streamlit serves its default page at `/` only, so `/live_map` would be "not found": the
    first page is listed twice, once as the hidden default (at `/`) and once at its own URL.
    """
    language = lang()
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
        if spec.section == "section_admin" and not admin:
            continue
        page = st.Page(
            spec.file, title=t(spec.label, language), icon=spec.icon, url_path=spec.url_path
        )
        sections.setdefault(t(spec.section, language), []).append(page)
    return st.navigation(sections, position="hidden" if hidden else "sidebar")


def exercise_banner(is_exercise: bool) -> None:
    if is_exercise:
        st.warning(t("exercise_banner", lang()), icon=":material/school:")
