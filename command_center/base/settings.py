"""One frozen Settings object, built once from env vars and `.streamlit/secrets.toml`.

Precedence: explicit arguments > environment > secrets file > defaults. Every other module
receives a `Settings`; nothing else reads `os.environ`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from sqlalchemy.engine import make_url

from command_center.base.destinations import host_name

# the reader's own (its child process imports no pydantic); built from the settings below
from command_center.base.tables import ImportLimits

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"
DATA_DIR = PROJECT_ROOT / "data"
# shipped with the code, so a fresh clone has a map offline (`command-center boundaries compact`)
BUNDLED_KECAMATAN = DATA_DIR / "kecamatan_compact.parquet"

BMKG_TEWS = "https://data.bmkg.go.id/DataMKG/TEWS"
INATEWS = "https://bmkg-content-inatews.storage.googleapis.com"  # behind inatews.bmkg.go.id
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "&copy; OpenStreetMap contributors"
WILAYAH_BOUNDARIES_RAW = "https://raw.githubusercontent.com/cahyadsn/wilayah_boundaries/main/db"


@dataclass(frozen=True)
class SignInLimits:
    """How password guessing is braked (`CC_SIGN_IN_*`): after `per_user` failures of one
    username, or `per_client` from one client, each further try waits `wait_s` after the last
    failure, doubled with each failure after that, up to the username's or the client's cap.
    Failures older than `window_h` no longer count, nor a username's once it signs in."""

    per_user: int = 5
    per_client: int = 20
    wait_s: float = 2.0
    user_max_wait_s: float = 60.0  # short: guessing someone's name keeps them out this long at most
    client_max_wait_s: float = 900.0
    window_h: float = 24.0


@dataclass(frozen=True)
class ProbeLimits:
    """How often one reporter's link may write, and one user or link may hit another family's
    KK or NIK (each hit is a guess confirmed), within their windows (`CC_LINK_*`,
    `CC_DUPLICATE_*`)."""

    link_writes: int = 30
    link_window_min: int = 10
    duplicate_hits: int = 10
    duplicate_window_min: int = 60


class Settings(BaseSettings):
    """Runtime configuration. Env vars use the `CC_` prefix, except `DATABASE_URL`."""

    model_config = SettingsConfigDict(
        env_prefix="CC_", frozen=True, extra="ignore", toml_file=SECRETS_FILE
    )

    # The store and the map
    database_url: str = Field(
        default=f"sqlite:///{DATA_DIR / 'command_center.db'}",
        validation_alias=AliasChoices("DATABASE_URL", "CC_DATABASE_URL", "database_url"),
        description="The store: a SQLite file, or `postgresql+psycopg://user:pw@host/db` for "
        "PostgreSQL (several replicas).",
    )
    shared_data_dir: Path = Field(
        default=PROJECT_ROOT.parent / "shared" / "data",
        description="Real reference data and feed samples (the detailed kecamatan layer, recorded "
        "payloads for `ingest --replay`).",
    )
    boundaries_path: Path | None = Field(
        default=None,
        description="The kecamatan layer (GeoJSON, GeoPackage or GeoParquet); unset: the shared "
        "layer, else a downloaded one, else the compact layer shipped in `data/` (see "
        "Boundaries).",
    )
    cache_dir: Path = Field(
        default=DATA_DIR / "cache",
        description="Where the first load of a boundary layer writes its GeoParquet copy.",
    )
    download_dir: Path = Field(
        default=DATA_DIR / "boundaries",
        description="Where `command-center boundaries download` writes `kecamatan.gpkg`.",
    )
    boundaries_source_url: str = Field(
        default=WILAYAH_BOUNDARIES_RAW,
        description="The cahyadsn/wilayah_boundaries files `boundaries download` fetches.",
    )
    nearest_tolerance_km: float = Field(
        default=25.0,
        description="A point outside every kecamatan (sea, coverage gaps) snaps to the nearest "
        "one within this distance.",
    )

    # Sign-in
    auth_mode: Literal["local", "oidc", "dev"] = Field(
        default="local",
        description="Local accounts, OIDC (Streamlit's `st.login`), or `dev`: no sign-in, with a "
        "banner on every page.",
    )
    sign_in_per_user: int = Field(
        default=SignInLimits.per_user, ge=1, description="Failures of one username before it waits."
    )
    sign_in_per_client: int = Field(
        default=SignInLimits.per_client,
        ge=1,
        description="Failures from one client before it waits.",
    )
    sign_in_wait_s: float = Field(
        default=SignInLimits.wait_s, gt=0, description="The first wait, doubled with each failure."
    )
    sign_in_user_max_wait_s: float = Field(
        default=SignInLimits.user_max_wait_s, gt=0, description="A username's longest wait."
    )
    sign_in_client_max_wait_s: float = Field(
        default=SignInLimits.client_max_wait_s, gt=0, description="A client's longest wait."
    )
    sign_in_window_h: float = Field(
        default=SignInLimits.window_h, gt=0, description="How long a failure counts."
    )
    session_hours: float = Field(
        default=12.0,
        gt=0,
        le=24 * 7,
        description="How long a sign-in lasts (a shift); reloads and new tabs stay signed in.",
    )
    oidc_role_claim: str | None = Field(
        default=None, description="OIDC claim naming the role (else the local account's)."
    )
    oidc_scope_claim: str | None = Field(
        default=None, description="OIDC claim naming the area scope (with oidc_role_claim)."
    )
    behind_proxy: bool = Field(
        default=False,
        description="Take the client address from `X-Forwarded-For` (only behind a reverse proxy).",
    )
    public_url: str = Field(
        default="http://localhost:8501",
        description="The dashboard's address as users reach it: the start of field reporters' "
        "and wall screens' links.",
    )
    organisation: str = Field(
        default="Kementerian Sosial Republik Indonesia",
        description="Who runs this command center (a Dinas Sosial names itself), on sign-in.",
    )

    # Display
    language: str = Field(default="id", description="The default UI language (`id` or `en`).")
    timezone: str = Field(
        default="Asia/Jakarta", description="The zone times are shown in where no area names one."
    )
    tile_url: str = Field(
        default=OSM_TILES,
        description="Basemap tiles; a local tile server for disconnected sites; empty: no basemap.",
    )
    tile_attribution: str = Field(
        default=OSM_ATTRIBUTION, description="The credit shown once a tile of `tile_url` loads."
    )
    basemap_file: Path | None = Field(
        default=None,
        description="An offline raster basemap (.pmtiles or .mbtiles), served by the app; used "
        "instead of tile_url.",
    )

    # Feeds and polling (the ingest worker)
    user_agent: str = Field(
        default="command-center/0.1 (Kemensos Pusdalops dashboard)",
        description="The User-Agent of every outgoing request.",
    )
    http_timeout_s: float = Field(default=10.0, description="Timeout of every outgoing request.")
    http_retries: int = Field(
        default=3,
        ge=0,
        description="Retries of a feed or form request after a connection error or a transient "
        "answer (429, 5xx), waiting 0.5, 1, 2 s ... between them.",
    )
    feed_autogempa_url: str = Field(
        default=f"{BMKG_TEWS}/autogempa.json", description="BMKG's latest earthquake."
    )
    feed_gempaterkini_url: str = Field(
        default=f"{BMKG_TEWS}/gempaterkini.json", description="BMKG's recent M5+ earthquakes."
    )
    feed_gempadirasakan_url: str = Field(
        default=f"{BMKG_TEWS}/gempadirasakan.json", description="BMKG's felt earthquakes."
    )
    feed_nowcast_rss_url: str = Field(
        default="https://www.bmkg.go.id/alerts/nowcast/id/rss.xml",
        description="BMKG's nowcast RSS, linking the CAP 1.2 weather warnings.",
    )
    cap_hosts: tuple[str, ...] = Field(
        default=("www.bmkg.go.id",),
        description="Hosts CAP alerts are fetched from, besides the nowcast RSS's own.",
    )
    feed_forecast_url: str = Field(
        default="https://api.bmkg.go.id/publik/prakiraan-cuaca",
        description="BMKG's forecast API, asked for the kecamatan of open incidents.",
    )
    feed_usgs_url: str = Field(
        default="https://earthquake.usgs.gov/earthquakes/feed/v1.0/summary/4.5_day.geojson",
        description="USGS GeoJSON summary feed, a second source of earthquakes.",
    )
    feed_inatews_url: str = Field(
        default=f"{INATEWS}/datagempa.json",
        description="InaTEWS' latest earthquake message, with its tsunami warning.",
    )
    feed_inatews_realtime_url: str = Field(
        default=f"{INATEWS}/gempaQL.json",
        description="InaTEWS' automatic solutions (revised later by the reviewed ones).",
    )
    feed_gdacs_url: str = Field(
        default="https://www.gdacs.org/xml/rss.xml",
        description="GDACS RSS (floods, cyclones, volcanoes, droughts, wildfires, earthquakes).",
    )
    feed_magma_var_url: str = Field(
        default="https://magma.esdm.go.id/api/v1/magma-var",
        description="MAGMA Indonesia's latest activity report of every volcano (PVMBG): "
        "level, recommendation and exclusion zone (docs/volcanoes.md).",
    )
    feed_magma_vona_url: str = Field(
        default="https://magma.esdm.go.id/api/v1/vona",
        description="MAGMA Indonesia's VONA list (aviation colour code, ash-cloud height).",
    )
    magma_token: SecretStr | None = Field(
        default=None,
        description="The MAGMA API token (sent as `Authorization: Bearer`); MAGMA's API "
        "refuses requests without one, and the refusal shows as the feed's error.",
    )
    poll_volcanoes_s: int = Field(
        default=600,
        description="How often the worker asks MAGMA for volcano levels and VONAs (seconds); "
        "PVMBG reports every 6 hours and announces a level change at once.",
    )
    poll_earthquakes_s: int = Field(
        default=60, description="How often the worker polls the earthquake feeds."
    )
    poll_warnings_s: int = Field(
        default=300, description="How often the worker polls the warning feeds (nowcast, GDACS)."
    )
    poll_forecast_s: int = Field(
        default=3600, description="How often the worker asks for the forecast."
    )
    # ODK Central or KoboToolbox: where the field form's submissions are pulled from
    odk_kind: Literal["central", "kobo"] = Field(
        default="central", description="The kind of server the field forms are pulled from."
    )
    odk_url: str | None = Field(
        default=None, description="The ODK Central or KoboToolbox server; unset: no pull."
    )
    odk_project: str = Field(default="1", description="Central's project id (not used by Kobo).")
    odk_form: str = Field(
        default="laporan_dampak_kecamatan",
        description="The report form: Central's xmlFormId, or Kobo's asset uid.",
    )
    odk_household_form: str = Field(
        default="data_kk_terdampak",
        description="The household form on the same server (pulled only when pdp_key is set).",
    )
    odk_username: str | None = Field(
        default=None, description="Central's user (HTTP Basic over HTTPS)."
    )
    odk_password: str | None = Field(default=None, description="Central's password.")
    odk_token: str | None = Field(default=None, description="Kobo's API token.")
    odk_page_size: int = Field(default=250, description="Submissions asked for per page.")
    poll_forms_s: int = Field(
        default=300, description="How often the worker pulls the field forms."
    )
    feed_petabencana_url: str = Field(
        default="https://data.petabencana.id/reports?geoformat=geojson&timeperiod=86400",
        description="PetaBencana.id community flood reports (the last 24 hours).",
    )
    community_window_h: int = Field(
        default=24, description="Community reports younger than this are on the live map."
    )

    # Proposed incidents and affected kecamatan
    propose_min_magnitude: float = Field(
        default=5.0,
        description="An earthquake of at least this magnitude, on land or shallow, with "
        "kecamatan at affected_min_mmi proposes an incident.",
    )
    propose_max_depth_km: float = Field(
        default=70.0, description="Shallow, for an earthquake at sea that proposes an incident."
    )
    propose_min_felt_mmi: int = Field(
        default=4, description="An earthquake felt at this intensity proposes an incident."
    )
    affected_min_mmi: float = Field(
        default=5.0, description="Kecamatan estimated at this intensity or more are affected."
    )
    feed_firms_url: str = Field(
        default="https://firms.modaps.eosdis.nasa.gov/api/area/csv/{map_key}/VIIRS_SNPP_NRT/"
        "94,-12,142,7/2",
        description="NASA FIRMS active-fire CSV polled for hotspots: the area API over Indonesia "
        "(`{map_key}` is replaced by firms_map_key), or a keyless download such as "
        "https://firms.modaps.eosdis.nasa.gov/data/active_fire/suomi-npp-viirs-c2/csv/"
        "SUOMI_VIIRS_C2_SouthEast_Asia_48h.csv. Off while it names `{map_key}` and no key is set.",
    )
    firms_map_key: SecretStr | None = Field(
        default=None,
        description="NASA FIRMS MAP_KEY (free, from firms.modaps.eosdis.nasa.gov/api/map_key).",
    )
    poll_hotspots_s: int = Field(
        default=600,
        description="How often FIRMS is polled. New passes come a few times a day, but keep it "
        "under stale_after_min or the feed reads as stale between polls (FIRMS allows 5,000 "
        "requests per 10 minutes per MAP_KEY).",
    )
    hotspot_min_high: int = Field(
        default=5,
        ge=1,
        description="High-confidence hotspots a kecamatan must have on a day (WIB) to count "
        "that day towards a forest and land fire proposal.",
    )
    hotspot_days: int = Field(
        default=3,
        ge=1,
        description="Consecutive days a kecamatan must reach hotspot_min_high before a "
        "`kebakaran hutan dan lahan` incident is proposed for its kabupaten.",
    )
    propose_max_age_h: float = Field(
        default=24.0, description="Events older than this when first seen propose nothing."
    )
    warning_min_share: float = Field(
        default=0.25, description="Share of a kecamatan a severe-warning polygon must cover."
    )
    stale_after_min: int = Field(
        default=15,
        description="Feed data older than this is stale (amber on pages, 503 on /health).",
    )
    health_host: str = Field(
        default="127.0.0.1", description="The address the worker's health port binds to."
    )
    health_port: int | None = Field(
        default=None,
        description="The ingest worker's /health, /live and /metrics port (off when unset).",
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="Logs on stderr (worker, alert sender, CLI, app) as text lines, or one JSON "
        "object per line (`time`, `level`, `logger`, `message`, `exception`) for a log "
        "collector.",
    )

    # Pages
    duty_days_warning: int = Field(
        default=14, description="Teams on one assignment longer than this are flagged for rotation."
    )
    report_stale_after_min: int = Field(
        default=180, description="Report data older than this shows red on the wall screen."
    )
    kiosk_rotate_s: int = Field(
        default=20, description="Seconds between the wall screen's panel pairs."
    )
    kiosk_quake_km: float = Field(
        default=300,
        description="The wall screen lists earthquakes this close to its incident (or felt there).",
    )

    # Uploads
    max_upload_mb: int = Field(
        default=20,
        description="The largest import file accepted (also Streamlit's upload limit, set by "
        "`run`).",
    )
    max_import_rows: int = Field(
        default=ImportLimits.max_rows, description="Rows an import file may hold."
    )
    max_import_columns: int = Field(
        default=ImportLimits.max_columns, description="Columns an import file may hold."
    )
    max_unpacked_mb: int = Field(
        default=200, description="What an .xlsx file's parts may unpack to."
    )
    max_shared_strings: int = Field(
        default=ImportLimits.max_shared_strings,
        description="Distinct texts an .xlsx file may hold (openpyxl keeps them all in memory).",
    )
    max_shared_strings_mb: int = Field(
        default=100, description="The size of an .xlsx file's distinct texts, unpacked."
    )
    import_parse_mb: int = Field(
        default=ImportLimits.parse_memory_bytes // 1_000_000,
        description="Memory the child process reading an upload may use; beyond it, refused.",
    )
    import_parse_s: float = Field(
        default=ImportLimits.parse_seconds,
        description="Time the child process reading an upload may take; beyond it, refused.",
    )
    refresh_every_s: int = Field(
        default=30,
        description="How often the live map and the wall screen look for new data (one small "
        "query).",
    )
    redraw_every_s: int = Field(
        default=300,
        description="How often they redraw even without new data (ages, expiries).",
    )
    cover_radius_km: float = Field(
        default=150,
        description="Warehouses this close to an incident's kecamatan count for its cover "
        "(days of stock).",
    )

    # Backups
    backup_dir: Path | None = Field(
        default=None,
        description="Where backups are written (default: `backups` beside the SQLite file, "
        "else `data/backups`).",
    )
    backup_every_h: float = Field(
        default=0,
        ge=0,
        description="The worker takes a backup when the newest is this many hours old (0: never).",
    )
    backup_keep: str = Field(
        default="7d,4w",
        description="Backups kept: the newest of each of the last N days and M weeks (the newest "
        "is always kept).",
    )
    backup_key_file: Path | None = Field(
        default=None,
        description="Encrypt backups to this age key file (`command-center backup --new-key`).",
    )
    backup_passphrase: SecretStr | None = Field(
        default=None, description="Or encrypt backups with this passphrase."
    )

    # Affected households
    pdp_key: SecretStr | None = Field(
        default=None,
        description="Seals household personal data; `command-center households key` makes one. "
        "Unset: the household module is closed.",
    )
    assistance_amounts: dict[str, int] = Field(
        default_factory=dict,
        description='Kemensos amounts in rupiah replacing today\'s, e.g. {"jadup": 10000}.',
    )
    jadup_days: int = Field(default=90, description="Jaminan hidup is paid for this many days.")
    link_writes: int = Field(
        default=ProbeLimits.link_writes,
        description="Reports and families one reporter's link may send within the window (then "
        "refused until it passes).",
    )
    link_window_min: int = Field(
        default=ProbeLimits.link_window_min, description="The window of link_writes."
    )
    duplicate_hits: int = Field(
        default=ProbeLimits.duplicate_hits,
        description="Entries one user or link may send that hit another family's KK or NIK "
        "within the window (then refused, audited).",
    )
    duplicate_window_min: int = Field(
        default=ProbeLimits.duplicate_window_min, description="The window of duplicate_hits."
    )

    # Alerts out (`services/alerts.py` holds the rules; these tune them in one place)
    alert_rules: dict[str, str] = Field(
        default_factory=dict,
        description='A rule\'s severity ("info", "warning", "critical") or "off", e.g. '
        '{"sitrep_issued": "off"}.',
    )
    alert_deployment_silent_h: float = Field(
        default=12.0, description="A deployed team silent this long is named."
    )
    alert_report_waiting_h: float = Field(
        default=6.0, description="A report unverified this long is named."
    )
    alert_stock_days: float = Field(
        default=3.0, description="A daily item covering fewer days than this is named."
    )
    alert_escalate_min: float = Field(
        default=30.0,
        description="An unacknowledged critical alert goes one role up after this long.",
    )
    alert_rates: dict[str, float] = Field(
        default_factory=dict,
        description='Messages a second per channel (not the provider\'s), e.g. {"webhook": 500}.',
    )
    alert_max_attempts: int = Field(
        default=6, description="Tries before a delivery is dead (admins retry or discard it)."
    )
    alert_backoff_s: float = Field(
        default=30.0, description="The first retry's wait, doubled each time."
    )
    telegram_bot_token: SecretStr | None = Field(
        default=None, description="The Telegram bot's token; unset: no Telegram."
    )
    telegram_api_url: str = Field(
        default="https://api.telegram.org", description="The Telegram Bot API."
    )
    telegram_bot_name: str | None = Field(default=None, description="The bot's @username.")
    whatsapp_mode: Literal["cloud", "gateway"] | None = Field(
        default=None,
        description="The WhatsApp Business Cloud API, or a gateway such as Fonnte; unset: no "
        "WhatsApp.",
    )
    whatsapp_url: str = Field(
        default="https://graph.facebook.com/v21.0",
        description="Cloud API base (with version), or the gateway's send endpoint.",
    )
    whatsapp_phone_id: str | None = Field(
        default=None, description="Cloud API: the sending number's id."
    )
    whatsapp_token: SecretStr | None = Field(
        default=None, description="Cloud API access token, or the gateway's key."
    )
    whatsapp_template: str = Field(
        default="peringatan_bencana",
        description="Cloud API: the approved alert template ({{1}} heading, {{2}} text, {{3}} "
        "link).",
    )
    whatsapp_language: str = Field(default="id", description="Cloud API: the templates' language.")
    whatsapp_sitrep_template: str = Field(
        default="laporan_situasi",
        description="Cloud API: the approved template an issued sitrep's PDF goes in (a DOCUMENT "
        "header; the body as whatsapp_template's).",
    )
    whatsapp_sitrep_image_template: str = Field(
        default="laporan_situasi_gambar",
        description="Cloud API: the approved template a sitrep's image goes in (an IMAGE header).",
    )
    smtp_host: str | None = Field(default=None, description="The SMTP server; unset: no e-mail.")
    smtp_port: int = Field(default=587, description="The SMTP server's port.")
    smtp_username: str | None = Field(default=None, description="The SMTP user.")
    smtp_password: SecretStr | None = Field(default=None, description="The SMTP password.")
    smtp_starttls: bool = Field(default=True, description="Speak STARTTLS to the SMTP server.")
    smtp_ca_file: Path | None = Field(
        default=None, description="CA bundle for the SMTP server's certificate (else the system's)."
    )
    smtp_sender: str = Field(default="pusdalops@localhost", description="The mails' From address.")
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Signs webhook bodies (X-CC-Signature: sha256=<hex HMAC>); unset: no webhooks.",
    )
    sitrep_link_url: str | None = Field(
        default=None,
        description="Where receivers reach the worker's /sitrep route (its health port, behind "
        "a proxy), the start of a sitrep's signed download link in webhooks and WhatsApp gateway "
        "messages; unset: no link.",
    )
    webhook_allowed_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Host names (comma-separated) any user may send webhooks to, and that may "
        "resolve to loopback or private addresses (a receiver on the LAN; never link-local or "
        "metadata), e.g. `bpbd.cianjurkab.go.id,10.20.30.40`; unset: only admins link webhooks, "
        "to public addresses.",
    )

    @field_validator("webhook_allowed_hosts", mode="before")
    @classmethod
    def _host_names(cls, value: object) -> object:
        """Comma-separated (or a list), written as `destinations` reads a URL's host."""
        names = value.split(",") if isinstance(value, str) else value
        if not isinstance(names, list | tuple):
            return value  # pydantic says what is wrong with it
        return tuple(host_name(n) for n in map(str, names) if n.strip())

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @property
    def kecamatan_path(self) -> Path:
        """The kecamatan layer to load: the configured path, else the detailed shared copy, else a
        downloaded one, else the compact layer shipped in `data/`."""
        if self.boundaries_path is not None:
            return self.boundaries_path
        shared = self.shared_data_dir / "kecamatan_indonesia.geojson"
        downloaded = self.download_dir / "kecamatan.gpkg"
        return next((p for p in (shared, downloaded) if p.exists()), BUNDLED_KECAMATAN)

    @property
    def sign_in_limits(self) -> SignInLimits:
        return SignInLimits(
            self.sign_in_per_user,
            self.sign_in_per_client,
            self.sign_in_wait_s,
            self.sign_in_user_max_wait_s,
            self.sign_in_client_max_wait_s,
            self.sign_in_window_h,
        )

    @property
    def probe_limits(self) -> ProbeLimits:
        return ProbeLimits(
            self.link_writes,
            self.link_window_min,
            self.duplicate_hits,
            self.duplicate_window_min,
        )

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1_000_000

    @property
    def import_limits(self) -> ImportLimits:
        return ImportLimits(
            max_bytes=self.max_upload_bytes,
            max_rows=self.max_import_rows,
            max_columns=self.max_import_columns,
            max_unpacked_bytes=self.max_unpacked_mb * 1_000_000,
            max_shared_strings=self.max_shared_strings,
            max_shared_strings_bytes=self.max_shared_strings_mb * 1_000_000,
            parse_memory_bytes=self.import_parse_mb * 1_000_000,
            parse_seconds=self.import_parse_s,
        )

    @property
    def backup_folder(self) -> Path:
        if self.backup_dir is not None:
            return self.backup_dir
        if self.is_sqlite:
            return Path(make_url(self.database_url).database or DATA_DIR).parent / "backups"
        return DATA_DIR / "backups"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Build the settings; keyword arguments win over every other source."""
    return Settings(**overrides)
