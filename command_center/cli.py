"""The `command-center` command: set up the store, load the demo, get boundaries, run the app."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from tqdm import tqdm

from command_center import channels, demo
from command_center.base import logs, pdp
from command_center.base.assets import install_static_assets
from command_center.base.auth import ROLES, SYSTEM
from command_center.base.db import make_engine, migrate
from command_center.base.errors import (
    BoundariesMissing,
    CommandCenterError,
    FieldError,
    InvalidInput,
    NotReports,
)
from command_center.base.geography import (
    COMPACT_TOLERANCE_DEG,
    Geography,
    compact,
    load_geography,
    load_kecamatan,
)
from command_center.base.http import make_session
from command_center.base.labels import field_error, t
from command_center.base.settings import BUNDLED_KECAMATAN, PROJECT_ROOT, Settings, load_settings
from command_center.base.static_layers import install_layers
from command_center.base.times import ZONES, utcnow
from command_center.channels import available
from command_center.services import xlsform
from command_center.services.backups import Retention
from command_center.services.briefing import wall_screen_url
from command_center.services.hotspots import FireRules
from command_center.services.incidents import (
    HAZARDS,
    ProposalRules,
    common_area,
    hazard_code,
    zone_of,
)
from command_center.services.reporters import LINK_DAYS, NewLink, link_state, link_url
from command_center.services.reports import PILAR_SOSIAL
from command_center.sources import wilayah_boundaries
from command_center.stores import accounts, backups, system
from command_center.stores import alerts as alert_store
from command_center.stores import common as store
from command_center.stores import hotspots as hotspot_store
from command_center.stores import households as household_store
from command_center.stores import incidents as incident_store
from command_center.stores import proposals as proposal_store
from command_center.stores import reporters as reporter_store
from command_center.stores import reports as report_store
from command_center.stores import sitreps as sitrep_store
from command_center.stores.hazards import SaveResult
from command_center.stores.incidents import NewIncident
from command_center.workers import alert_sender, form_pull, health_server, ingest
from command_center.workers.form_pull import form_server
from command_center.workers.worker_lock import serve, try_lock

log = logging.getLogger("command_center.cli")  # not __name__: `python -m` makes it __main__
SITREP_CHECK_S = 30.0  # how often the worker looks for a sitrep due on schedule


def _geography(settings: Settings) -> Geography:
    return load_geography(
        settings.kecamatan_path,
        settings.cache_dir,
        settings.nearest_tolerance_km,
        settings.language,
    )


def _prepare(settings: Settings) -> tuple[Engine, Geography | None]:
    """Create or upgrade the schema and load the areas; the boundaries are None (and the reason
    logged) when the boundary file is missing."""
    engine = make_engine(settings.database_url)
    print(f"schema at revision {migrate(engine)} ({engine.url.render_as_string()})")
    try:
        geography = _geography(settings)
    except CommandCenterError as exc:
        log.warning("areas not loaded: %s", exc)
        return engine, None
    added = store.sync_areas(engine, geography.area_rows())
    print(f"areas: {store.area_count(engine)} in the store ({added} added)")
    return engine, geography


def load_demo(engine: Engine, geography: Geography | None, reset: bool = False) -> None:
    """Load the training scenario (idempotent).

    Raises:
        BoundariesMissing: it needs the boundaries to check its kecamatan codes.
    """
    if geography is None:
        raise BoundariesMissing("the training scenario needs the kecamatan boundaries")
    keys = ", ".join(demo.KEYS)
    if demo.load(engine, geography, reset=reset):
        print(f"training scenarios loaded: {keys}")
    else:
        print(f"training scenarios already loaded: {keys} (use --reset to reload)")


def boundaries(settings: Settings, action: str, source: str | None = None) -> None:
    """Show where the kecamatan layer is, download one from the public source, or write the
    compact layer shipped in `data/` from a detailed one."""
    if action == "check":
        geography = _geography(settings)
        counts = (len(geography.provinces), len(geography.kabupaten), len(geography.kecamatan))
        print(
            f"{settings.kecamatan_path}: {counts[0]} provinces, {counts[1]} kabupaten/kota, "
            f"{counts[2]} kecamatan"
        )
        return
    if action == "compact":
        detailed = load_kecamatan(Path(source) if source else settings.kecamatan_path)
        layer = compact(detailed, COMPACT_TOLERANCE_DEG)
        BUNDLED_KECAMATAN.parent.mkdir(parents=True, exist_ok=True)
        layer.to_parquet(BUNDLED_KECAMATAN, compression="zstd")
        size_mb = BUNDLED_KECAMATAN.stat().st_size / 1e6
        print(f"written {BUNDLED_KECAMATAN}: {len(layer)} kecamatan, {size_mb:.1f} MB")
        return
    target = settings.download_dir / "kecamatan.gpkg"
    print(f"downloading kecamatan boundaries from {settings.boundaries_source_url}")
    print(f"licence: {wilayah_boundaries.LICENSE}")
    wilayah_boundaries.download(
        settings.boundaries_source_url,
        make_session(settings.user_agent, settings.http_retries),
        target,
        timeout_s=max(settings.http_timeout_s, 60.0),
        progress=lambda files: tqdm(files, unit="file", desc="boundaries"),
    )
    print(
        f"written {target}; it is used when CC_BOUNDARIES_PATH is unset and no shared copy exists"
    )


def ingest_feeds(
    settings: Settings, replay_dirs: Sequence[str], once: bool, propose: bool = False
) -> int:
    """Poll the feeds into the store (forever, or once), or replay recorded payloads (which
    propose incidents only with `propose`, then at any age). Returns the exit status."""
    engine, geography = _prepare(settings)
    after_save = None
    rules = ProposalRules(
        settings.propose_min_magnitude,
        settings.propose_max_depth_km,
        settings.propose_min_felt_mmi,
        settings.affected_min_mmi,
        None if replay_dirs else settings.propose_max_age_h,
        settings.warning_min_share,
    )
    fire_rules = FireRules(settings.hotspot_min_high, settings.hotspot_days)
    if geography is None:
        log.warning("incidents will not be proposed without boundaries")
    elif propose or not replay_dirs:

        def after_save(session: Session, result: SaveResult) -> None:
            fires = hotspot_store.fire_events(session, geography, fire_rules, result.hotspot_days)
            events = result.changed_ids + fires
            proposal_store.propose_incidents(session, geography, events, rules)

    if replay_dirs:
        failed = 0
        for folder in replay_dirs:
            for name, outcome in ingest.replay(engine, Path(folder), after_save).items():
                print(f"{name}: {outcome}")
                failed += outcome.status == "error"
        if failed:
            print(f"{failed} file(s) could not be read", file=sys.stderr)
        return 1 if failed else 0
    feeds = ingest.registry(settings)
    polling = threading.Event()
    always_polled = tuple(key for key, feed in feeds.items() if feed.kind != "forecast")
    if settings.health_port is not None:
        health = health_server.start(
            engine,
            (settings.health_host, settings.health_port),
            settings.stale_after_min,
            polling,
            always_polled,  # forecasts are fetched only for open incidents
            system.checks(engine, settings.backup_folder),
            secret.get_secret_value() if (secret := settings.webhook_secret) else None,
        )
        log.info("health: http://%s:%s/health", settings.health_host, health.server_port)
    sender = _sender(settings, engine, always_polled)  # says which channels are off, first
    stop = threading.Event()
    sending = threading.Thread(
        target=_send_while_free, args=(engine, sender, stop), name="alerts", daemon=True
    )

    def work(mine: Callable[[], bool]) -> None:
        polling.set()
        if not once and not sending.is_alive():
            sending.start()
            _back_up_on_schedule(settings, stop)
            threading.Thread(
                target=_issue_sitreps_on_schedule,
                args=(settings, engine, geography, stop),
                name="sitreps",
                daemon=True,
            ).start()
        log.info("polling %s (Ctrl+C stops)", ", ".join(feeds))
        try:
            ingest.run(
                engine,
                make_session(settings.user_agent, settings.http_retries),
                feeds,
                settings.http_timeout_s,
                after_save,
                rounds=1 if once else None,
                mine=mine,
            )
        finally:
            polling.clear()

    try:
        serve(engine, work, say=log.info)
    finally:
        stop.set()
    if once:
        with try_lock(engine, "sender") as free:
            if free:  # else the dashboard's sender does it
                sender.step()
    return 0


def _back_up_on_schedule(settings: Settings, stop: threading.Event) -> None:
    """The worker's backups every `CC_BACKUP_EVERY_H` hours, from a thread (polling goes on)."""
    if not settings.backup_every_h:
        return
    try:
        keep = Retention.parse(settings.backup_keep)
    except ValueError as exc:
        raise CommandCenterError(f"CC_BACKUP_KEEP: {exc}") from exc
    folder, sealing = settings.backup_folder, backups.Sealing.configured(settings)
    log.info("backups: every %s h into %s, keeping %s daily + %s weekly",
             settings.backup_every_h, folder, keep.daily, keep.weekly)  # fmt: skip
    if not sealing.encrypted:
        log.warning("backups: NOT encrypted (set CC_BACKUP_KEY_FILE or CC_BACKUP_PASSPHRASE)")
    threading.Thread(
        target=backups.run_schedule,
        args=(settings.database_url, folder, sealing, settings.backup_every_h, keep, stop),
        kwargs={"say": log.info},
        name="backups",
        daemon=True,
    ).start()


def _issue_sitreps_on_schedule(
    settings: Settings, engine: Engine, geography: Geography | None, stop: threading.Event
) -> None:
    """The worker's sitreps issued on schedule, checked every `SITREP_CHECK_S`; a failure is
    said and tried again at the next check (the slot stays free until a sitrep takes it)."""
    while not stop.is_set():
        try:
            for incident_id, number in sitrep_store.issue_due(
                engine, geography, settings.organisation
            ):
                log.info("sitrep No. %s of incident %s issued on schedule", number, incident_id)
        except (SQLAlchemyError, CommandCenterError) as exc:
            log.warning("sitreps on schedule: %s", exc)
        stop.wait(SITREP_CHECK_S)


def _send_while_free(engine: Engine, sender: alert_sender.Sender, stop: threading.Event) -> None:
    """The ingest worker's sender: it sends while no other sender holds the store (the one
    `command-center run` starts), else it waits as a standby."""
    serve(engine, lambda mine: sender.run(stop, mine=mine), say=log.info, name="sender")


def _sender(settings: Settings, engine: Engine, watched: Sequence[str] = ()) -> alert_sender.Sender:
    """The alert sender over every configured channel (it says which are not); `watched`
    are the feeds whose staleness alerts (those polled always, as on `/health`)."""
    for name, needs in available.missing(settings).items():
        log.info("alerts: %s is off (set %s)", name, needs)
    usable = available.channels(settings, channels.sending_session(settings.user_agent))
    return alert_sender.Sender(
        engine, settings, usable, alert_sender.watch_limits(settings, watched)
    )


def alerts(settings: Settings, args: argparse.Namespace) -> int:
    """Send a test on a user's channels, list the outbox, or run the sender alone."""
    engine, _ = _prepare(settings)
    if args.action == "outbox":
        table = alert_store.deliveries(engine, ("pending", "sending", "dead"))
        counts = alert_store.status_counts(engine)
        print(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no deliveries")
        for row in table.itertuples():
            print(
                f"{row.id}\t{row.status}\t{row.channel}\t{row.username}\t{row.attempts}\t"
                f"{row.title}\t{row.last_error or ''}"
            )
        return 0
    if args.action == "send":
        if args.parent:
            _stop_with_parent(args.parent)
        sender = _sender(settings, engine, _polled(settings))

        def work(mine: Callable[[], bool]) -> None:
            if args.once:
                alert_store.release_claims(engine)
                while sender.step():
                    pass
                return
            log.info("sending alerts (Ctrl+C stops)")
            sender.run(threading.Event(), mine=mine)

        serve(engine, work, say=log.info, name="sender")
        return 0
    if not args.user:
        raise InvalidInput([FieldError("username", "missing")])
    usable = available.channels(settings, channels.sending_session(settings.user_agent))
    linked = alert_store.links(engine, args.user)
    if not linked:
        print(f"{args.user} has no linked channel (Notifikasi page)")
        return 1
    failed = 0
    for name, address in sorted(linked.items()):
        channel = usable.get(name)
        if address is None:
            print(f"{name}: waiting for the link code to be sent to the bot")
            failed += 1
            continue
        if channel is None:
            print(f"{name}: not configured (set {available.missing(settings)[name]})")
            failed += 1
            continue
        message = alert_sender.test_message(settings, args.user, name)
        try:
            channel.send(message, address)
            print(f"{name}: sent to {address}")
        except channels.SendFailed as exc:
            print(f"{name}: FAILED: {exc}")
            failed += 1
    return 1 if failed else 0


def _polled(settings: Settings) -> tuple[str, ...]:
    """The feeds the ingest worker polls always (forecasts only for open incidents): a
    sender watches their staleness once they were polled."""
    return tuple(key for key, feed in ingest.registry(settings).items() if feed.kind != "forecast")


def _stop_with_parent(parent: int) -> None:
    """End this process (as Ctrl+C would) when the dashboard that started it has ended.

    A dashboard started in the background by a script (`command-center run &`) passes on
    Ctrl+C ignored: the handler is put back, or the sender would outlive it and keep the lock.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def start_sender() -> subprocess.Popen:
    """The alert sender beside the dashboard (`command-center alerts send`): it raises the
    watched alerts (silent teams, waiting reports, low stock, stale feeds) and delivers on
    the linked channels, with no other command. One per store sends (the others, and an
    ingest worker's, wait as standbys); it ends with the dashboard."""
    command = [sys.executable, "-m", "command_center.cli", "alerts", "send"]
    return subprocess.Popen([*command, "--parent", str(os.getpid())])


def run(settings: Settings, with_demo: bool, streamlit_args: Sequence[str]) -> None:
    """Prepare everything (assets, schema, demo on first start), start the alert sender and
    the dashboard."""
    install_static_assets()
    engine, geography = _prepare(settings)
    first_admin(settings, engine)
    if with_demo and not store.incidents(engine, include_closed=True):
        try:
            load_demo(engine, geography)
        except CommandCenterError as exc:
            print(f"demo not loaded: {exc}", file=sys.stderr)
    engine.dispose()
    if geography is not None:
        print(f"national map layers: {', '.join(install_layers(geography).values())}")
    app = str(PROJECT_ROOT / "server.py")  # the dashboard and the light report form
    options = [f"--server.maxUploadSize={settings.max_upload_mb}"]
    if settings.auth_mode != "dev":  # no traceback for users: an error id, details in the log
        options.append("--client.showErrorDetails=none")
    command = [sys.executable, "-m", "streamlit", "run", app, *options, *streamlit_args]
    start_sender()  # its parent is this process, Streamlit's after the exec
    os.execvp(sys.executable, command)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise InvalidInput([FieldError("password", "mismatch")])
    return first


def _accounts_store(settings: Settings) -> Engine:
    """The store, schema up to date, without loading boundaries (accounts do not need them)."""
    engine = make_engine(settings.database_url)
    migrate(engine)
    return engine


def user(settings: Settings, args: argparse.Namespace) -> None:
    """Manage local accounts from the command line (acting as the system administrator)."""
    engine = _accounts_store(settings)
    if args.action == "list":
        for u in accounts.users(engine, SYSTEM):
            state = "" if u.active else " (disabled)"
            print(f"{u.username}\t{u.role}\t{u.scope or '-'}\t{u.display_name}{state}")
        return
    if not args.username:
        raise InvalidInput([FieldError("username", "missing")])
    if args.action == "add":
        password = None if args.oidc else _password(args.password_stdin)
        accounts.create_user(
            engine,
            SYSTEM,
            args.username,
            password,
            args.role,
            args.scope,
            args.name,
            must_change_password=password is not None,
        )
        first = " (the password must be changed at the first sign-in)" if password else ""
        print(f"user {args.username} added ({args.role}){first}")
    elif args.action == "passwd":
        accounts.set_user(engine, SYSTEM, args.username, password=_password(args.password_stdin))
        print(f"password of {args.username} changed")
    elif args.action == "unlock":
        accounts.set_user(engine, SYSTEM, args.username, unlock=True)
        print(f"user {args.username} unlocked")
    else:
        accounts.set_user(engine, SYSTEM, args.username, active=args.action == "enable")
        print(f"user {args.username} {args.action}d")


def token(settings: Settings, args: argparse.Namespace) -> None:
    """Create, revoke or list the read-only wall-screen tokens."""
    engine = _accounts_store(settings)
    if args.action == "add":
        secret = accounts.create_token(
            engine, SYSTEM, args.value or "layar", args.scope, args.incident
        )
        print(f"wall-screen link (shown once): {wall_screen_url(settings.public_url, secret)}")
    elif args.action == "revoke":
        accounts.revoke_token(engine, SYSTEM, int(args.value or 0))
        print(f"token {args.value} revoked")
    else:
        for row in accounts.tokens(engine, SYSTEM):
            where = row.scope or "-" if row.incident_id is None else f"incident {row.incident_id}"
            state = "revoked" if row.revoked_at else "active"
            print(f"{row.id}\t{row.label}\t{where}\t{state}")


def _codes(text: str | None) -> list[str]:
    return [code.strip() for code in (text or "").split(",") if code.strip()]


def _started(text: str | None, codes: list[str]) -> datetime:
    """An ISO 8601 start; without an offset it is in the area's local zone (WIB/WITA/WIT)."""
    if not text:
        return utcnow()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput([FieldError("started_at", "bad_time", {"value": text})]) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(ZONES[zone_of(common_area(codes))]))
    return moment.astimezone(UTC)


def _day(text: str | None, field: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError as exc:
        raise InvalidInput([FieldError(field, "bad_time", {"value": text})]) from exc


def incident(settings: Settings, args: argparse.Namespace) -> None:
    """Incidents from the command line, acting as the system administrator."""
    engine = _accounts_store(settings)
    if args.action == "open":
        codes = _codes(args.area)
        entry = NewIncident(
            hazard=hazard_code(args.hazard or ""),
            name=args.name or "",
            kecamatan=tuple(codes),
            started_at=_started(args.started, codes),
            description=args.description or "",
            is_exercise=args.exercise,
        )
        print(incident_store.open_incident(engine, entry, SYSTEM))
        return
    if args.action == "list":
        rows = incident_store.incident_list(engine, args.status)
        if args.format == "json":
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        for row in rows if args.format != "json" else []:
            print(
                f"{row['key']}\t{row['status']}\t{row['hazard']}\t{row['phase'] or '-'}\t"
                f"{len(row['kecamatan'])} kec.\t{row['name']}"
            )
        return
    target = incident_store.incident_id(engine, args.key or "")
    if args.action == "phase":
        incident_store.add_phase(
            engine,
            target,
            SYSTEM,
            args.phase or "",
            args.decree or "",
            args.authority or "",
            _day(args.starts, "starts_on"),
            _day(args.until, "ends_on"),
        )
    elif args.action == "area":
        area = incident_store.change_area(
            engine, target, SYSTEM, _codes(args.add), _codes(args.remove)
        )
        print(f"{len(area)} kecamatan: {','.join(area)}")
    elif args.action == "close":
        print(f"closed; final sitrep No. {incident_store.close_incident(engine, target, SYSTEM)}")
    elif args.action == "reopen":
        incident_store.reopen_incident(engine, target, SYSTEM, args.reason or "")
    elif args.action == "merge":
        other = incident_store.incident_id(engine, args.phase or "")
        incident_store.merge_incidents(engine, target, other, SYSTEM)
    print(f"{args.action}: {args.key} done")


def sitrep(settings: Settings, args: argparse.Namespace) -> None:
    """Issue the incident's next sitrep as the system administrator, and write its files; or
    set the times it is issued by itself."""
    engine, geography = _prepare(settings)
    target = incident_store.incident_id(engine, args.key)
    if args.action == "schedule":
        if args.at is None:
            raise InvalidInput([FieldError("--at", "missing")])
        times = sitrep_store.set_schedule(engine, target, args.at, SYSTEM)
        print(f"sitrep of {args.key} issued at {times} local time" if times else
              f"sitrep of {args.key} no longer issued on schedule")  # fmt: skip
        return
    facts = sitrep_store.gather(engine, target, organisation=settings.organisation)
    number = sitrep_store.issue(engine, facts, target, SYSTEM, geography)
    print(f"sitrep No. {number} of {args.key} issued")
    if args.pdf or args.png:  # made unless Pango is missing (the log says so)
        files = sitrep_store.files(engine, target, number)
        for path, content in ((args.pdf, files.pdf), (args.png, files.png)):
            if path:
                Path(path).write_bytes(content)
                print(f"wrote {path}")


def reports(settings: Settings, args: argparse.Namespace) -> None:
    """Import a large report file from the command line, as the system administrator."""
    engine, geography = _prepare(settings)
    target = incident_store.incident_id(engine, args.incident or "")
    data = Path(args.file).read_bytes()
    limits = settings.import_limits
    result = report_store.import_reports(
        engine,
        data,
        Path(args.file).name,
        target,
        geography,
        SYSTEM,
        limits,
        confirmed=args.accept_drops,
        default_source=args.source,
        dry_run=args.dry_run,
    )
    verb = "would land" if args.dry_run else "landed"
    print(
        f"{verb} {result.landed} of {result.total} rows; quarantined {len(result.problems)}; "
        f"noted {len(result.notes)}; {report_store.stored_as_history(result)} stored as history "
        "(older than the current report of their kecamatan and source)"
    )
    _first_reasons("quarantined", result.problems)
    _first_reasons("noted", result.notes)


def households(settings: Settings, args: argparse.Namespace) -> None:
    """`key`: print a new personal-data key; `registry`: store a social-registry extract (its
    NIKs kept as keyed hashes only); `import`: a household file for an incident;
    `rotate-key`: seal everything again with the new key read from standard input."""
    if args.action == "key":
        print(pdp.new_key())
        print(
            "# set it as CC_PDP_KEY for the app and the worker; keep a copy offline: "
            "without it the household data cannot be read",
            file=sys.stderr,
        )
        return
    engine, geography = _prepare(settings)
    vault = _vault(settings, engine)
    if args.action == "rotate-key":
        new = pdp.Vault(sys.stdin.readline().strip())
        counted = household_store.rotate_key(engine, vault, new, SYSTEM)
        print("sealed again: " + ", ".join(f"{n} {kind}" for kind, n in counted.items()))
        print(
            f"# the store now takes the key with check value {new.check_value}: set it as "
            "CC_PDP_KEY for the app and the worker and restart them; import the registry "
            "extract again",
            file=sys.stderr,
        )
        return
    data = Path(args.file).read_bytes()
    if args.action == "registry":
        stored, refused = household_store.import_registry(
            engine, vault, data, Path(args.file).name, SYSTEM, settings.import_limits
        )
        print(f"stored {stored} people of the registry extract; refused {len(refused)} rows")
        if refused:
            print(f"rows with an invalid NIK: {', '.join(map(str, refused[:20]))}")
        return
    target = incident_store.incident_id(engine, args.incident or "")
    result = household_store.import_households(
        engine, vault, data, Path(args.file).name, target, geography, SYSTEM, settings.import_limits
    )
    print(f"landed {result.landed} of {result.total} people; quarantined {len(result.problems)}")
    _first_reasons("quarantined", result.problems)


def _vault(settings: Settings, engine: Engine) -> pdp.Vault:
    """The personal-data vault of `CC_PDP_KEY`, checked against the store's key."""
    key = settings.pdp_key
    return pdp.open_vault(engine, key.get_secret_value() if key else None)


def _first_reasons(label: str, rows, key: str | None = None) -> None:
    """The first five rows' reasons, one line each, named by `key` or the row number."""
    for row in rows[:5]:
        said = "; ".join(field_error(e.field, e.code, e.params, "en") for e in row.errors)
        name = row.values.get(key, row.number) if key else f"row {row.number}"
        print(f"  {label} {name}: {said}")


def reporter(settings: Settings, args: argparse.Namespace) -> None:
    """Field reporters' links from the command line, as the system administrator."""
    engine, geography = _prepare(settings)
    if args.action == "link":
        incident = incident_store.incident_id(engine, args.incident) if args.incident else None
        values = {
            "name": args.value or "",
            "phone": args.phone,
            "role": args.role,
            "kecamatan": args.kecamatan or "",
            "incident_id": incident,
            "days": args.days,
        }
        link = NewLink.check(values, geography)
        link_id, token = reporter_store.create_link(engine, SYSTEM, link)
        print(f"link #{link_id} (shown once): {link_url(settings.public_url, token)}")
    elif args.action == "revoke":
        reporter_store.revoke_link(engine, SYSTEM, int(args.value or 0))
        print(f"revoked link #{args.value}")
    else:
        now = utcnow()
        for row in reporter_store.links(engine, SYSTEM):
            state = link_state(row.revoked_at, row.expires_at, now)
            print(
                f"{row.id}\t{state}\t{row.role}\t{row.name}\t{','.join(row.kecamatan)}\t"
                f"{row.incident_id or 'all open'}\tuntil {row.expires_at:%Y-%m-%d %H:%M} UTC"
            )


def odk(settings: Settings, args: argparse.Namespace) -> None:
    """The field form: write the XLSForm, or pull submissions from ODK Central / Kobo."""
    engine, geography = _prepare(settings)
    if args.action in ("form", "household-form"):
        if geography is None:
            raise BoundariesMissing("the form's kecamatan choices need the kecamatan boundaries")
        version = args.version or utcnow().strftime("%Y%m%d%H")
        families = args.action == "household-form"
        default = f"forms/{xlsform.HOUSEHOLD_FORM_ID if families else xlsform.FORM_ID}.xlsx"
        target = Path(args.out or default)
        target.parent.mkdir(parents=True, exist_ok=True)
        book = xlsform.sheets(geography.points, version, households=families)
        target.write_bytes(xlsform.to_xlsx(book))
        print(f"written {target} (form {book['settings'][1][1]}, version {version})")
        return
    server = form_server(settings)
    if server is None:
        raise CommandCenterError("no form server: set CC_ODK_URL (and its credentials)")
    incident = incident_store.incident_id(engine, args.incident) if args.incident else None
    http = make_session(settings.user_agent, settings.http_retries)
    if args.action == "pull-households":
        vault = _vault(settings, engine)
        families_server = replace(server, form=settings.odk_household_form)
        result = form_pull.pull_households(
            engine,
            http,
            families_server,
            settings.http_timeout_s,
            vault,
            geography,
            SYSTEM,
            incident,
        )
        print(
            f"pulled {families_server.form}: {result.landed} people landed; "
            f"quarantined {len(result.problems)}"
        )
        _first_reasons("quarantined", result.problems, "submission_id")
        return
    result = form_pull.pull(
        engine, http, server, settings.http_timeout_s, geography, SYSTEM, incident
    )
    print(
        f"pulled {server.form}: {result.landed} new report versions; "
        f"quarantined {len(result.problems)}; {report_store.stored_as_history(result)} stored as "
        "history (older than the current report of their kecamatan and source)"
    )
    _first_reasons("quarantined", result.problems, "submission_id")
    _first_reasons("noted", result.notes, "submission_id")


def backup(settings: Settings, args: argparse.Namespace) -> None:
    """Write a new age key file, or take a backup now."""
    if args.new_key:
        public = backups.new_key_file(Path(args.new_key))
        print(f"backup key written to {args.new_key} (public key {public}); set")
        print(f"  CC_BACKUP_KEY_FILE={args.new_key} and keep a copy away from this server")
        return
    folder = Path(args.to) if args.to else settings.backup_folder
    sealing = backups.Sealing.configured(settings)
    path, manifest = backups.take(settings.database_url, folder, sealing)
    rows = sum(manifest.counts.values())
    sealed = "encrypted" if path.name.endswith(".age") else "NOT encrypted"
    print(f"backup: {path} ({sealed}; schema {manifest.revision}, {rows} rows, "
          f"{len(manifest.counts)} tables, copy sha256 {manifest.sha256})")  # fmt: skip


def restore(settings: Settings, args: argparse.Namespace) -> int:
    """Restore a backup into this store (see `backups.restore`), printing the row counts."""
    file = Path(args.file)
    sealing = backups.Sealing.configured(settings)
    manifest = backups.read_manifest(file, sealing)
    if args.replace and not args.yes:
        target = make_url(settings.database_url).render_as_string()
        print(f"--replace puts the backup of {manifest.created_at} in place of {target}; "
              "the store is backed up first.")  # fmt: skip
        if not sys.stdin.isatty() or input("type 'replace' to go on: ").strip() != "replace":
            raise CommandCenterError("not replaced: confirm by typing 'replace', or add --yes")
    pdp_key = settings.pdp_key.get_secret_value() if settings.pdp_key else None
    done = backups.restore(
        settings.database_url,
        file,
        sealing,
        pdp.Vault(pdp_key).check_value if pdp_key else None,
        settings.backup_folder,
        replace=args.replace,
    )
    if done.saved_first:
        print(f"the store it replaced: {done.saved_first}")
    print(f"restored {file.name} (taken {manifest.created_at}, schema {manifest.revision}); "
          f"upgraded to {done.revision}")  # fmt: skip
    for name, count in sorted(manifest.counts.items()):
        restored = done.counts.get(name, 0)
        mark = "" if restored == count else "  <- differs"
        print(f"  {name}: {restored} (manifest {count}){mark}")
    if done.differences:
        print(f"error: {len(done.differences)} tables differ from the manifest", file=sys.stderr)
        return 1
    return 0


def audit(settings: Settings, against: str | None) -> int:
    """Check the audit log's hash chain, and that it still holds the head a backup recorded
    (whoever rewrote the chain from an edited entry on rewrote that too); 1 when not."""
    engine = make_engine(settings.database_url)
    state = store.verify_audit(engine)
    print(f"audit chain: {state.checked} entries fit; head #{state.head_seq} {state.head_hash}")
    if not state.intact:
        reason = t(f"audit_chain_{state.reason}", "en")
        print(f"error: audit entry id {state.broken_id} does not fit: {reason}", file=sys.stderr)
        return 1
    if against is None:
        return 0
    manifest = backups.read_manifest(Path(against), backups.Sealing.configured(settings))
    if not manifest.audit_head:
        print(f"{Path(against).name} records no audit chain head: nothing to compare")
        return 0
    seq, recorded = manifest.audit_head
    if store.audit_hash_at(engine, seq) != recorded:
        print(
            f"error: entries up to #{seq} are not those {Path(against).name} recorded: the "
            "chain was rewritten or cut since (a personal-data key rotation since re-chains "
            "too: then compare with a backup taken after it)",
            file=sys.stderr,
        )
        return 1
    print(f"entries up to #{seq} are those {Path(against).name} recorded")
    return 0


def first_admin(settings: Settings, engine: Engine) -> None:
    """On a store without accounts, create `admin` with a random password and print it once."""
    if settings.auth_mode != "local" or accounts.users(engine, SYSTEM):
        return
    password = secrets.token_urlsafe(12)
    accounts.create_user(
        engine, SYSTEM, "admin", password, "admin", display_name="Admin", must_change_password=True
    )
    print(f"first start: user 'admin' created with password {password}")
    print("  it must be changed at the first sign-in; add others: command-center user add")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="command-center", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "init-db",
        help="create or upgrade the database schema and load areas",
        description="Creates or upgrades the schema (Alembic) and loads the areas table; harmless "
        "to repeat.",
    )
    demo_cmd = commands.add_parser(
        "demo",
        help="load the training scenario (Latihan)",
        description="Loads the training scenarios (earthquake and flood); a second run changes "
        "nothing, `--reset` reloads them.",
    )
    demo_cmd.add_argument("--reset", action="store_true", help="remove and reload it")
    bounds = commands.add_parser("boundaries", help="check or download kecamatan boundaries")
    bounds.add_argument(
        "action",
        choices=["check", "download", "compact"],
        help="print the layer in use and its counts; download the public layer; rebuild the "
        "compact layer shipped in data/",
    )
    bounds.add_argument(
        "source", nargs="?", help="compact: the detailed kecamatan layer (default: the one in use)"
    )
    ingest_cmd = commands.add_parser(
        "ingest",
        help="poll the hazard feeds into the store",
        description="The feed worker: it also pulls the field forms, takes scheduled backups, "
        "issues scheduled sitreps and sends alerts while no other sender runs.",
    )
    ingest_cmd.add_argument(
        "--replay",
        action="append",
        default=[],
        metavar="DIR",
        help="load recorded payloads from DIR as history instead of polling (repeatable)",
    )
    ingest_cmd.add_argument("--once", action="store_true", help="poll every feed once and stop")
    ingest_cmd.add_argument(
        "--propose",
        action="store_true",
        help="with --replay: propose incidents from the replayed events, whatever their age",
    )
    ingest_cmd.add_argument(
        "--health-port",
        type=int,
        metavar="PORT",
        help="serve /health (feed freshness), /live and /metrics on PORT (default: CC_HEALTH_PORT)",
    )
    user_cmd = commands.add_parser(
        "user", help="local accounts: add, passwd, disable, enable, unlock, list"
    )
    user_cmd.add_argument(
        "action",
        choices=["add", "passwd", "disable", "enable", "unlock", "list"],
        help="what to do with the account",
    )
    user_cmd.add_argument("username", nargs="?", help="the account (all but list)")
    user_cmd.add_argument("--role", choices=ROLES, default="viewer", help="add: the role")
    user_cmd.add_argument("--scope", help="province (32) or kabupaten (32.03) code")
    user_cmd.add_argument("--name", help="display name (default: the username)")
    user_cmd.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin, not a prompt"
    )
    user_cmd.add_argument("--oidc", action="store_true", help="no password: sign in with OIDC")
    token_cmd = commands.add_parser("token", help="read-only wall-screen tokens")
    token_cmd.add_argument("action", choices=["add", "revoke", "list"], help="what to do")
    token_cmd.add_argument("value", nargs="?", help="label (add) or id (revoke)")
    token_cmd.add_argument(
        "--scope", help="province or kabupaten code whose briefing it shows (default: national)"
    )
    token_cmd.add_argument("--incident", type=int, help="show only this incident (its id)")
    incident_cmd = commands.add_parser(
        "incident", help="incidents: open, list, phase, area, close, reopen, merge"
    )
    incident_cmd.add_argument(
        "action",
        choices=["open", "list", "phase", "area", "close", "reopen", "merge"],
        help="what to do (see Incidents)",
    )
    incident_cmd.add_argument("key", nargs="?", help="the incident's key (or id); KEEP for merge")
    incident_cmd.add_argument("phase", nargs="?", help="phase: PHASE; merge: OTHER")
    incident_cmd.add_argument("--hazard", help=f"open: one of {', '.join(HAZARDS)}")
    incident_cmd.add_argument("--name", help="open: its name")
    incident_cmd.add_argument("--area", help="open: kecamatan or kabupaten codes, comma-separated")
    incident_cmd.add_argument("--started", help="open: ISO 8601 (no offset: the area's zone)")
    incident_cmd.add_argument("--description", help="open: what happened")
    incident_cmd.add_argument("--exercise", action="store_true", help="open: an exercise")
    incident_cmd.add_argument("--status", help="list: only this status")
    incident_cmd.add_argument(
        "--format", choices=["text", "json"], default="text", help="list: how it is printed"
    )
    incident_cmd.add_argument("--decree", help="phase: the decree's number (nomor SK)")
    incident_cmd.add_argument("--authority", help="phase: who set it (e.g. Bupati Bandung)")
    incident_cmd.add_argument(
        "--from",
        dest="starts",
        help="phase: first day (YYYY-MM-DD; default: today in the incident's zone)",
    )
    incident_cmd.add_argument("--until", help="phase: last day (YYYY-MM-DD)")
    incident_cmd.add_argument("--add", help="area: codes to add")
    incident_cmd.add_argument("--remove", help="area: codes to remove")
    incident_cmd.add_argument("--reason", help="reopen: why")
    sitrep_cmd = commands.add_parser(
        "sitrep",
        help="Laporan Situasi: issue one with its files",
        description="issue: the incident's next Laporan Situasi as `system` (audited), its PDF "
        "and image stored and written to the files given; schedule: the local times the "
        'worker issues it (`--at ""`: never), as `system` (audited).',
    )
    sitrep_cmd.add_argument("action", choices=["issue", "schedule"], help="what to do")
    sitrep_cmd.add_argument("key", help="the incident's key (or id)")
    sitrep_cmd.add_argument("--at", help='schedule: local times, e.g. "07:00,19:00" ("" never)')
    sitrep_cmd.add_argument("--pdf", metavar="FILE", help="issue: write its PDF there")
    sitrep_cmd.add_argument("--png", metavar="FILE", help="issue: write its WhatsApp image there")
    reporter_cmd = commands.add_parser("reporter", help="field reporters' personal links")
    reporter_cmd.add_argument("action", choices=["link", "revoke", "list"], help="what to do")
    reporter_cmd.add_argument("value", nargs="?", help="link: the reporter's name; revoke: id")
    reporter_cmd.add_argument("--kecamatan", help="link: kecamatan codes, comma-separated")
    reporter_cmd.add_argument("--incident", help="link: only this incident (default: all open)")
    reporter_cmd.add_argument(
        "--days", type=int, default=LINK_DAYS, help="link: valid for this many days"
    )
    reporter_cmd.add_argument("--role", default="tksk", help=f"link: {', '.join(PILAR_SOSIAL)}")
    reporter_cmd.add_argument("--phone", help="link: the reporter's phone")
    odk_cmd = commands.add_parser(
        "odk",
        help="the ODK/Kobo field form: write it, pull it",
        description="Writes the report or household XLSForm, or pulls their submissions from "
        "CC_ODK_URL.",
    )
    odk_cmd.add_argument(
        "action",
        choices=["form", "pull", "household-form", "pull-households"],
        help="write the report form, pull its submissions; the same for the household form",
    )
    odk_cmd.add_argument("--out", help="form: where (default forms/<form id>.xlsx)")
    odk_cmd.add_argument("--version", help="form: its version (default: now, yyyymmddhh)")
    odk_cmd.add_argument("--incident", help="pull: store every submission for this incident")
    reports_cmd = commands.add_parser("reports", help="kecamatan impact reports: import a file")
    reports_cmd.add_argument("action", choices=["import"], help="what to do")
    reports_cmd.add_argument("file", help="CSV or .xlsx (our columns or BNPB/DIBI's)")
    reports_cmd.add_argument("--incident", required=True, help="the incident's key (or id)")
    reports_cmd.add_argument("--dry-run", action="store_true", help="check all, store nothing")
    reports_cmd.add_argument("--source", help="the source where a row names none (e.g. bpbd)")
    reports_cmd.add_argument(
        "--accept-drops", action="store_true", help="store figures that fell sharply"
    )
    households_cmd = commands.add_parser(
        "households",
        help="affected households: make the key, store a registry extract, import, rotate the "
        "key (the new one on standard input)",
    )
    households_cmd.add_argument(
        "action",
        choices=["key", "registry", "import", "rotate-key"],
        help="print a new personal-data key; store a social-registry extract; import a "
        "household file; seal everything again with the new key read from standard input",
    )
    households_cmd.add_argument("file", nargs="?", help="registry/import: the CSV (or .xlsx)")
    households_cmd.add_argument("--incident", help="import: the incident's key (or id)")
    alerts_cmd = commands.add_parser(
        "alerts", help="alerts out: test a user's channels, list the outbox, run the sender"
    )
    alerts_cmd.add_argument(
        "action",
        choices=["test", "outbox", "send"],
        help="a test message on each of a user's channels; the outbox's pending, in-flight "
        "and dead deliveries; the sender alone (`run` starts one; it also runs inside `ingest` "
        "while no other sends)",
    )
    alerts_cmd.add_argument("--user", help="test: whose channels")
    alerts_cmd.add_argument("--once", action="store_true", help="send: drain what is due, stop")
    alerts_cmd.add_argument(
        "--parent", type=int, help="send: stop when this process ends (`run` passes its own)"
    )
    backup_cmd = commands.add_parser(
        "backup", help="take a consistent backup of the store now (see CC_BACKUP_*)"
    )
    backup_cmd.add_argument("--to", metavar="DIR", help="where (default: CC_BACKUP_DIR)")
    backup_cmd.add_argument(
        "--new-key", metavar="FILE", help="write a new age key file to encrypt backups, and stop"
    )
    restore_cmd = commands.add_parser(
        "restore",
        help="restore a backup into an empty store (or --replace this one)",
        description="Restores a backup into an empty store, or in place of this one (backed up "
        "first); upgrades it and prints its rows against its manifest.",
    )
    restore_cmd.add_argument("file", help="the backup (cc-backup-*.tar.gz[.age])")
    restore_cmd.add_argument(
        "--replace", action="store_true", help="replace a store in use (backed up first)"
    )
    restore_cmd.add_argument("--yes", action="store_true", help="with --replace: do not ask")
    audit_cmd = commands.add_parser(
        "audit", help="check that no audit entry was edited, inserted or deleted"
    )
    audit_cmd.add_argument(
        "action",
        choices=["verify"],
        help="check the hash chain; exit 1 naming the first entry that does not fit",
    )
    audit_cmd.add_argument(
        "--against", metavar="BACKUP", help="and compare with the chain's head this backup recorded"
    )
    run_cmd = commands.add_parser(
        "run",
        help="set up and start the dashboard; other options go to `streamlit run`",
        description="Installs the offline map assets, creates or upgrades the schema, loads the "
        "areas, loads the demo on first start, starts the alert sender beside Streamlit (ended "
        "with it), then Streamlit.",
    )
    run_cmd.add_argument(
        "--no-demo", action="store_true", help="do not load the demo on first start"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)  # `run` passes the rest to `streamlit run`
    if extra and args.command != "run":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    settings = load_settings()
    logs.configure(settings.log_format)
    try:
        if args.command == "init-db":
            _prepare(settings)
        elif args.command == "demo":
            engine, geography = _prepare(settings)
            load_demo(engine, geography, reset=args.reset)
        elif args.command == "boundaries":
            boundaries(settings, args.action, args.source)
        elif args.command == "ingest":
            if args.health_port is not None:
                settings = load_settings(health_port=args.health_port)
            return ingest_feeds(settings, args.replay, args.once, args.propose)
        elif args.command == "user":
            user(settings, args)
        elif args.command == "token":
            token(settings, args)
        elif args.command == "incident":
            incident(settings, args)
        elif args.command == "sitrep":
            sitrep(settings, args)
        elif args.command == "reporter":
            reporter(settings, args)
        elif args.command == "odk":
            odk(settings, args)
        elif args.command == "reports":
            reports(settings, args)
        elif args.command == "households":
            if args.action in ("registry", "import") and not args.file:
                parser.error(f"households {args.action} needs a file")
            households(settings, args)
        elif args.command == "alerts":
            return alerts(settings, args)
        elif args.command == "backup":
            backup(settings, args)
        elif args.command == "restore":
            return restore(settings, args)
        elif args.command == "audit":
            return audit(settings, args.against)
        elif args.command == "run":
            run(settings, not args.no_demo, extra)
    except InvalidInput as exc:
        problems = (field_error(e.field, e.code, e.params, "en") for e in exc.errors)
        print(f"error: {'; '.join(problems)}", file=sys.stderr)
        return 2
    except NotReports as exc:
        print(f"error: {t(f'not_reports_{exc.reason}', 'en', file=exc.file_name)}", file=sys.stderr)
        return 2
    except CommandCenterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
