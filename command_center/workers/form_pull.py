"""Pulling the field form's submissions from ODK Central or KoboToolbox into reports.

Every page is fetched before anything is written, so an error mid-pull (a 500 on page 3, a
timeout) stores nothing and the next pull starts again; what was stored before is never
touched. Central is asked with HTTP Basic (its API takes it over HTTPS), Kobo with its API
token; the paging links a server returns are followed only on the server's own host.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from requests.auth import AuthBase, HTTPBasicAuth
from sqlalchemy import Engine

from command_center.base.auth import SYSTEM, Principal
from command_center.base.db import writing
from command_center.base.errors import FeedError, FeedFormatError
from command_center.base.geography import Geography
from command_center.base.http import fetch, parsed
from command_center.base.pdp import KeyMissing, Vault
from command_center.base.settings import Settings
from command_center.sources.odk import Submission, first_url, parse_central, parse_kobo
from command_center.stores import forms as form_store
from command_center.stores import hazards as hazard_store
from command_center.stores import households as household_store
from command_center.stores import imports
from command_center.stores import reports as report_store

MAX_PAGES = 1000


@dataclass(frozen=True)
class FormServer:
    kind: str  # "central" or "kobo"
    url: str
    project: str
    form: str
    username: str | None = None
    password: str | None = None
    token: str | None = None
    page_size: int = 250

    @property
    def name(self) -> str:
        """How the store remembers this server's submissions."""
        return f"{self.kind}:{self.url.rstrip('/')}/{self.project}"


class TokenAuth(AuthBase):
    """KoboToolbox's `Authorization: Token ...`."""

    def __init__(self, token: str):
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Token {self.token}"
        return request


def form_server(settings: Settings) -> FormServer | None:
    """The configured ODK Central / Kobo server, or None when none is set (`CC_ODK_URL`)."""
    if not settings.odk_url:
        return None
    return FormServer(
        settings.odk_kind,
        settings.odk_url,
        settings.odk_project,
        settings.odk_form,
        settings.odk_username,
        settings.odk_password,
        settings.odk_token,
        settings.odk_page_size,
    )


def _auth(server: FormServer) -> AuthBase | None:
    if server.kind == "kobo":
        return TokenAuth(server.token) if server.token else None
    if server.username:
        return HTTPBasicAuth(server.username, server.password or "")
    return None


def fetch_submissions(
    http: requests.Session, server: FormServer, timeout_s: float
) -> list[Submission]:
    """Every submission of the form, page after page.

    Raises:
        FeedUnavailable: the server refused the credentials, failed or timed out.
        FeedFormatError: a page is not the server's JSON, or sends us to another host.
    """
    parse = parse_kobo if server.kind == "kobo" else parse_central
    url: str | None = first_url(
        server.kind, server.url, server.project, server.form, server.page_size
    )
    host = urlsplit(server.url).netloc
    submissions: list[Submission] = []
    fetched: set[str] = set()
    for _ in range(MAX_PAGES):
        if url is None:
            return submissions
        if urlsplit(url).netloc != host:
            raise FeedFormatError(f"a page link to another host: {urlsplit(url).netloc}")
        if url in fetched:
            raise FeedFormatError("the server sent the same page again")
        fetched.add(url)
        body = fetch(http, url, timeout_s, auth=_auth(server)).body or b""
        page = parsed(parse, body, url)
        submissions += page.submissions
        url = page.next_url
    raise FeedFormatError(f"more than {MAX_PAGES} pages")


def pull(
    engine: Engine,
    http: requests.Session,
    server: FormServer,
    timeout_s: float,
    geography: Geography | None = None,
    actor: Principal = SYSTEM,
    incident_id: int | None = None,
) -> imports.ImportReport:
    """Fetch every submission, then store the versions not seen before (`form_store`).

    Raises:
        FeedError: the server could not be read; nothing is stored.
    """
    submissions = fetch_submissions(http, server, timeout_s)
    return form_store.save_submissions(
        engine, server.name, server.form, submissions, geography, actor, incident_id
    )


def pull_households(
    engine: Engine,
    http: requests.Session,
    server: FormServer,
    timeout_s: float,
    vault: Vault,
    geography: Geography | None = None,
    actor: Principal = SYSTEM,
    incident_id: int | None = None,
) -> imports.ImportReport:
    """Fetch every submission of the household form (`server.form`), then store the people of
    those not seen before (`household_store.save_form_households`).

    Raises:
        FeedError: the server could not be read; nothing is stored.
    """
    submissions = fetch_submissions(http, server, timeout_s)
    return household_store.save_form_households(
        engine, vault, server.name, server.form, submissions, geography, actor, incident_id
    )


def poll_forms(
    engine: Engine,
    http: requests.Session,
    key: str,
    server: FormServer,
    timeout_s: float,
    vault: Vault | None = None,
) -> str:
    """The worker's scheduled pull (of the household form when given its `vault`), recorded
    like any feed's fetch (a key that is not the store's is this feed's error); returns its
    outcome."""
    started = time.monotonic()
    try:
        if vault is None:
            result = pull(engine, http, server, timeout_s)
        else:
            result = pull_households(engine, http, server, timeout_s, vault)
    except (FeedError, KeyMissing) as exc:
        with writing(engine) as session, session.begin():
            hazard_store.record_fetch(session, key, "error", str(exc), duration_ms=_ms(started))
        return "error"
    detail = f"{result.landed} new, {len(result.problems)} quarantined"
    if history := report_store.stored_as_history(result):
        detail += f", {history} stored as history (older than the current report)"
    with writing(engine) as session, session.begin():
        hazard_store.record_fetch(
            session, key, "ok", detail, items=result.landed, duration_ms=_ms(started)
        )
    return "ok"


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
