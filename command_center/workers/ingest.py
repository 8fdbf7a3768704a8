"""The ingest worker: polls each feed on its own interval and writes what changed to the store.

Separate from the UI (`command-center ingest`), so pages never wait on BMKG and keep showing
the last good data when a feed is slow or down. Every fetch outcome is recorded per feed. The
alert sender runs beside it in the same process; both write in `writing` transactions, so on
SQLite neither finds its snapshot overtaken by the other's commit.
`replay` feeds recorded payloads through the same parsers and writes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import requests
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from command_center.base.db import Outage, writing
from command_center.base.errors import FeedError, FeedFormatError
from command_center.base.http import BearerAuth, fetch, parsed
from command_center.base.pdp import Vault
from command_center.base.settings import Settings
from command_center.base.times import age_minutes, utcnow
from command_center.sources.bmkg_forecast import parse_forecast
from command_center.sources.bmkg_nowcast import parse_cap, parse_rss
from command_center.sources.bmkg_quakes import parse_infogempa
from command_center.sources.firms import is_firms, parse_firms
from command_center.sources.gdacs import parse_gdacs
from command_center.sources.inatews import parse_datagempa, parse_gempaql
from command_center.sources.magma import is_magma_var, is_vona, parse_magma_var, parse_vona
from command_center.sources.petabencana import parse_reports
from command_center.sources.usgs import parse_usgs
from command_center.stores import common as store
from command_center.stores import community as community_store
from command_center.stores import hazards as hazard_store
from command_center.stores import hotspots as hotspot_store
from command_center.stores import volcanoes as volcano_store
from command_center.stores.hazards import SaveResult
from command_center.workers.form_pull import FormServer, form_server, poll_forms

log = logging.getLogger(__name__)

AfterSave = Callable[[Session, SaveResult], None]


@dataclass(frozen=True)
class Feed:
    key: str
    url: str
    interval_s: int
    kind: str  # "bmkg_quakes", "usgs_quakes", "inatews", "inatews_realtime", "gdacs",
    # "nowcast", "forecast", "petabencana", "magma_var", "magma_vona", "firms" or "forms"
    link_hosts: frozenset[str] = frozenset()  # hosts its payload may send us on to (CAP)
    auth: requests.auth.AuthBase | None = None  # a feed that wants credentials (MAGMA)
    forms: FormServer | None = None  # the server of a "forms" feed (ODK Central, Kobo)
    vault: Vault | None = None  # a household form's: its people are sealed as they land


def registry(settings: Settings) -> dict[str, Feed]:
    """Every feed the worker polls, keyed by name."""
    quakes, warnings = settings.poll_earthquakes_s, settings.poll_warnings_s
    feeds = [
        Feed("bmkg_autogempa", settings.feed_autogempa_url, quakes, "bmkg_quakes"),
        Feed("bmkg_gempaterkini", settings.feed_gempaterkini_url, quakes, "bmkg_quakes"),
        Feed("bmkg_gempadirasakan", settings.feed_gempadirasakan_url, quakes, "bmkg_quakes"),
        Feed(
            "bmkg_nowcast",
            settings.feed_nowcast_rss_url,
            warnings,
            "nowcast",
            frozenset({urlsplit(settings.feed_nowcast_rss_url).hostname, *settings.cap_hosts}),
        ),
        Feed("usgs", settings.feed_usgs_url, quakes, "usgs_quakes"),
        Feed("bmkg_inatews", settings.feed_inatews_url, quakes, "inatews"),
        Feed("bmkg_realtime", settings.feed_inatews_realtime_url, quakes, "inatews_realtime"),
        Feed("gdacs", settings.feed_gdacs_url, warnings, "gdacs"),
        Feed("petabencana", settings.feed_petabencana_url, warnings, "petabencana"),
        Feed("bmkg_forecast", settings.feed_forecast_url, settings.poll_forecast_s, "forecast"),
    ]
    magma = BearerAuth(token.get_secret_value()) if (token := settings.magma_token) else None
    volcanoes = settings.poll_volcanoes_s
    feeds += [
        Feed("magma_var", settings.feed_magma_var_url, volcanoes, "magma_var", auth=magma),
        Feed("magma_vona", settings.feed_magma_vona_url, volcanoes, "magma_vona", auth=magma),
    ]
    firms = firms_feed(settings)
    if firms is not None:
        feeds.append(firms)
    server = form_server(settings)
    if server is not None:
        feeds.append(Feed("odk_forms", server.url, settings.poll_forms_s, "forms", forms=server))
    if server is not None and settings.pdp_key is not None:  # no key: the module stays closed
        families = replace(server, form=settings.odk_household_form)
        vault = Vault(settings.pdp_key.get_secret_value())
        feeds.append(
            Feed(
                "odk_households",
                server.url,
                settings.poll_forms_s,
                "forms",
                forms=families,
                vault=vault,
            )
        )
    return {feed.key: feed for feed in feeds}


def firms_feed(settings: Settings) -> Feed | None:
    """The FIRMS hotspot feed, its MAP_KEY put in the URL; None (off) when the URL wants a
    key and none is set."""
    key = settings.firms_map_key.get_secret_value() if settings.firms_map_key else None
    url = settings.feed_firms_url
    if "{map_key}" in url and not key:
        return None
    return Feed("firms", url.replace("{map_key}", key or ""), settings.poll_hotspots_s, "firms")


def _save(
    session: Session, kind: str, body: bytes, fetch_cap: Callable[[str], bytes] | None = None
) -> SaveResult:
    """Parse one payload of `kind` and store it. A nowcast RSS lists CAP alerts: those not
    stored yet are fetched with `fetch_cap(url)`."""
    if kind == "bmkg_quakes":
        return hazard_store.save_quakes(session, parsed(parse_infogempa, body))
    if kind == "usgs_quakes":
        return hazard_store.save_quakes(session, parsed(parse_usgs, body))
    if kind == "inatews":
        return hazard_store.save_tsunami(session, [parsed(parse_datagempa, body)])
    if kind == "inatews_realtime":
        return hazard_store.save_quakes(session, parsed(parse_gempaql, body))
    if kind == "gdacs":
        return hazard_store.save_gdacs(session, parsed(parse_gdacs, body))
    if kind == "forecast":
        return hazard_store.save_forecast(session, parsed(parse_forecast, body))
    if kind == "magma_var":
        return volcano_store.save_volcano_levels(session, parsed(parse_magma_var, body))
    if kind == "magma_vona":
        return volcano_store.save_vonas(session, parsed(parse_vona, body))
    if kind == "firms":
        added, days = hotspot_store.save_hotspots(session, parsed(parse_firms, body))
        return SaveResult(added, 0, (), days)
    if kind == "petabencana":
        added = community_store.save_reports(session, parsed(parse_reports, body))
        return SaveResult(added, 0, ())
    if kind == "nowcast_cap":
        return hazard_store.save_warnings(session, [parsed(parse_cap, body)])
    items = parsed(parse_rss, body)
    known = hazard_store.known_warning_ids(session, [identifier for identifier, _ in items])
    fresh = [link for identifier, link in items if identifier not in known]
    if fresh and fetch_cap is None:
        raise FeedFormatError("nowcast RSS: CAP alerts cannot be fetched here")
    alerts = [parsed(parse_cap, fetch_cap(link), link) for link in fresh]
    return hazard_store.save_warnings(session, alerts)


def poll(
    engine: Engine,
    http: requests.Session,
    feed: Feed,
    timeout_s: float,
    after_save: AfterSave | None = None,
) -> str:
    """Fetch one feed once and store the outcome; returns "ok", "not_modified" or "error"."""
    if feed.kind == "forecast":
        return poll_forecasts(engine, http, feed, timeout_s)
    if feed.kind == "forms" and feed.forms is not None:
        return poll_forms(engine, http, feed.key, feed.forms, timeout_s, feed.vault)
    started = time.monotonic()
    state = hazard_store.feed_state(engine, feed.key)
    try:
        fetched = fetch(
            http,
            feed.url,
            timeout_s,
            state and state.etag,
            state and state.last_modified,
            auth=feed.auth,
        )
        if fetched.body is None:
            with writing(engine) as session, session.begin():
                hazard_store.record_fetch(
                    session, feed.key, "not_modified", duration_ms=_ms(started)
                )
            return "not_modified"

        def fetch_cap(link: str) -> bytes:
            parts = urlsplit(link)
            if parts.scheme not in ("http", "https") or parts.hostname not in feed.link_hosts:
                raise FeedFormatError(f"CAP link to a host not allowed: {parts.hostname}")
            cap = fetch(http, link, timeout_s).body
            if cap is None:
                raise FeedFormatError(f"{link}: empty CAP alert")
            return cap

        with writing(engine) as session, session.begin():
            result = _save(session, feed.kind, fetched.body, fetch_cap)
            if after_save is not None:
                after_save(session, result)
            hazard_store.record_fetch(
                session,
                feed.key,
                "ok",
                f"{result.inserted} new, {result.updated} updated",
                items=result.inserted + result.updated,
                duration_ms=_ms(started),
                etag=fetched.etag,
                last_modified=fetched.last_modified,
            )
        return "ok"
    except FeedError as exc:
        with writing(engine) as session, session.begin():
            hazard_store.record_fetch(
                session, feed.key, "error", str(exc), duration_ms=_ms(started)
            )
        return "error"


FORECAST_MIN_INTERVAL_S = 1.0  # BMKG allows 60 requests a minute per IP
FORECAST_MAX_KECAMATAN = 40  # per round; the most strongly hit kecamatan come first


def forecast_candidates(kecamatan: str) -> tuple[str, str]:
    """Desa codes to ask the forecast API for a kecamatan: the API is keyed by desa (adm4), and
    Kemendagri numbers a kecamatan's first desa 2001 and its first kelurahan 1001."""
    return f"{kecamatan}.2001", f"{kecamatan}.1001"


def poll_forecasts(
    engine: Engine,
    http: requests.Session,
    feed: Feed,
    timeout_s: float,
    min_interval_s: float = FORECAST_MIN_INTERVAL_S,
) -> str:
    """Refresh forecasts older than the feed's interval for the kecamatan of open incidents,
    at most one request per `min_interval_s`. One outcome is recorded for the round."""
    started = time.monotonic()
    codes = [c for i in store.incidents(engine) if i.status == "open" for c in i.kecamatan_codes]
    stored = hazard_store.forecasts(engine, codes)
    due = [
        c
        for c in dict.fromkeys(codes)
        if c not in stored or age_minutes(stored[c].fetched_at) * 60 >= feed.interval_s
    ][:FORECAST_MAX_KECAMATAN]
    saved, problems, last_request = 0, [], 0.0
    for code in due:
        problem: FeedError | None = None
        for adm4 in forecast_candidates(code):
            time.sleep(max(0.0, last_request + min_interval_s - time.monotonic()))
            last_request = time.monotonic()
            try:
                body = fetch(http, f"{feed.url}?adm4={adm4}", timeout_s).body or b""
                forecast = parsed(parse_forecast, body)
            except FeedError as exc:
                problem = exc
                continue
            with writing(engine) as session, session.begin():
                hazard_store.save_forecast(session, forecast)
            saved += 1
            break
        else:
            problems.append(f"{code}: {problem}")
    outcome = "error" if problems and not saved else "ok"
    detail = f"{saved} of {len(due)} kecamatan" + (
        f"; {'; '.join(problems[:3])}" if problems else ""
    )
    with writing(engine) as session, session.begin():
        hazard_store.record_fetch(
            session, feed.key, outcome, detail, items=saved, duration_ms=_ms(started)
        )
    return outcome


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def run(
    engine: Engine,
    http: requests.Session,
    feeds: dict[str, Feed],
    timeout_s: float,
    after_save: AfterSave | None = None,
    rounds: int | None = None,
    tick_s: float = 1.0,
    mine: Callable[[], bool] = lambda: True,
) -> None:
    """Poll every feed when it is due, forever (or for `rounds` passes over the feeds), while
    `mine()` says this process is still the worker. While the store is away (or SQLite busy)
    a feed stays due and the passes come slower, until it answers."""
    due = dict.fromkeys(feeds, 0.0)
    outage = Outage("ingest")
    passes = 0
    while rounds is None or passes < rounds:
        wait = tick_s
        try:
            if not _poll_due(engine, http, feeds, due, timeout_s, after_save, mine):
                return
            outage.ended()
        except OperationalError as exc:
            wait = outage.failed(exc)
        passes += 1
        if rounds is None or passes < rounds:
            time.sleep(wait)


def _poll_due(
    engine: Engine,
    http: requests.Session,
    feeds: dict[str, Feed],
    due: dict[str, float],
    timeout_s: float,
    after_save: AfterSave | None,
    mine: Callable[[], bool],
) -> bool:
    """Poll the feeds that are due, each once; False (and nothing polled) as soon as this
    process is no longer the worker."""
    for key, feed in feeds.items():
        now = time.monotonic()
        if now < due[key]:
            continue
        if not mine():
            return False
        poll(engine, http, feed, timeout_s, after_save)
        due[key] = now + feed.interval_s
    return True


REPLAY_PREFIXES = {
    "autogempa": "bmkg_quakes",
    "gempaterkini": "bmkg_quakes",
    "gempadirasakan": "bmkg_quakes",
    "inatews_datagempa": "inatews",
    "inatews_gempaql": "inatews_realtime",
    "usgs": "usgs_quakes",
    "gdacs": "gdacs",
    "nowcast_cap": "nowcast_cap",
    "prakiraan-cuaca": "forecast",
    "petabencana": "petabencana",
}
# recognised by their content, whatever the file's name
REPLAY_CONTENT: tuple[tuple[Callable[[bytes], bool], str], ...] = (
    (is_magma_var, "magma_var"),
    (is_vona, "magma_vona"),
    (is_firms, "firms"),
)
NOT_REPLAYED = {
    "nowcast_rss": "a nowcast RSS only links to CAP alerts; replay the nowcast_cap_* files",
    "digitalforecast": "legacy DigitalForecast XML, replaced by api.bmkg.go.id; not read",
}


def _kind_of(path: Path) -> str | None:
    """The feed a recorded file is by its content (its first bytes), if any."""
    with path.open("rb") as file:
        head = file.read(4000)
    return next((kind for matches, kind in REPLAY_CONTENT if matches(head)), None)


@dataclass(frozen=True)
class ReplayOutcome:
    status: str  # "ok", "skipped" or "error"
    detail: str

    def __str__(self) -> str:
        return self.detail if self.status == "ok" else f"{self.status}: {self.detail}"


def replay(
    engine: Engine, folder: Path, after_save: AfterSave | None = None
) -> dict[str, ReplayOutcome]:
    """Load recorded payloads under `folder` through the live parsers; an outcome per file,
    those not used included (with why).

    Files are recognised by name (`autogempa_*`, `gempaterkini_*`, `gempadirasakan_*`,
    `inatews_datagempa_*`, `inatews_gempaQL_*`, `usgs_*`, `gdacs_*`, `nowcast_cap_*`,
    `prakiraan-cuaca_*`) or by content (MAGMA's volcano reports and VONAs, FIRMS CSV by their
    header), whatever their name; each is stored in its own transaction.
    """
    outcomes: dict[str, ReplayOutcome] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name, lowered = str(path.relative_to(folder)), path.name.lower()
        kind = next((k for p, k in REPLAY_PREFIXES.items() if lowered.startswith(p)), None)
        kind = kind or _kind_of(path)
        if kind is None:
            reason = next(
                (why for p, why in NOT_REPLAYED.items() if lowered.startswith(p)),
                "not a recorded feed (its name matches no known feed)",
            )
            outcomes[name] = ReplayOutcome("skipped", reason)
            continue
        try:
            with writing(engine) as session, session.begin():
                result = _save(session, kind, path.read_bytes())
                if after_save is not None:
                    after_save(session, result)
                hazard_store.record_fetch(
                    session,
                    f"replay:{kind}",
                    "ok",
                    path.name,
                    items=result.inserted + result.updated,
                    at=utcnow(),
                )
            outcomes[name] = ReplayOutcome("ok", f"{result.inserted} new, {result.updated} updated")
        except FeedError as exc:
            outcomes[name] = ReplayOutcome("error", str(exc))
        except IntegrityError:
            outcomes[name] = ReplayOutcome(
                "error", "an area it names is not in the store (run init-db)"
            )
    return outcomes
