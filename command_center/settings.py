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

from command_center.destinations import host_name

# the reader's own (its child process imports no pydantic); built from the settings below
from command_center.tables import ImportLimits

PROJECT_ROOT = Path(__file__).resolve().parent.parent
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

    database_url: str = Field(
        default=f"sqlite:///{DATA_DIR / 'command_center.db'}",
        validation_alias=AliasChoices("DATABASE_URL", "CC_DATABASE_URL", "database_url"),
    )
    shared_data_dir: Path = PROJECT_ROOT.parent / "shared" / "data"
    boundaries_path: Path | None = Field(
        default=None, description="Kecamatan layer (GeoJSON, GeoPackage or GeoParquet)."
    )
    cache_dir: Path = DATA_DIR / "cache"
    download_dir: Path = DATA_DIR / "boundaries"
    boundaries_source_url: str = WILAYAH_BOUNDARIES_RAW
    nearest_tolerance_km: float = 25.0

    auth_mode: Literal["local", "oidc", "dev"] = "local"
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
        default=12.0, gt=0, le=24 * 7, description="How long a sign-in lasts (a shift)."
    )
    oidc_role_claim: str | None = Field(
        default=None, description="OIDC claim naming the role (else the local account's)."
    )
    oidc_scope_claim: str | None = Field(
        default=None, description="OIDC claim naming the area scope (with oidc_role_claim)."
    )
    behind_proxy: bool = Field(
        default=False, description="Trust X-Forwarded-For for the client address."
    )
    public_url: str = Field(
        default="http://localhost:8501",
        description="The dashboard's address as users reach it (in reporters' links).",
    )
    organisation: str = Field(
        default="Kementerian Sosial Republik Indonesia",
        description="Who runs this command center (a Dinas Sosial names itself), on sign-in.",
    )
    language: str = "id"
    timezone: str = "Asia/Jakarta"
    tile_url: str = OSM_TILES
    tile_attribution: str = OSM_ATTRIBUTION
    basemap_file: Path | None = Field(
        default=None,
        description="An offline raster basemap (.pmtiles or .mbtiles); used instead of tile_url.",
    )

    user_agent: str = "command-center/0.1 (Kemensos Pusdalops dashboard)"
    http_timeout_s: float = 10.0
    feed_autogempa_url: str = f"{BMKG_TEWS}/autogempa.json"
    feed_gempaterkini_url: str = f"{BMKG_TEWS}/gempaterkini.json"
    feed_gempadirasakan_url: str = f"{BMKG_TEWS}/gempadirasakan.json"
    feed_nowcast_rss_url: str = "https://www.bmkg.go.id/alerts/nowcast/id/rss.xml"
    cap_hosts: tuple[str, ...] = Field(
        default=("www.bmkg.go.id",),
        description="Hosts CAP alerts are fetched from, besides the nowcast RSS's own.",
    )
    feed_forecast_url: str = "https://api.bmkg.go.id/publik/prakiraan-cuaca"
    feed_usgs_url: str = "https://earthquake.usgs.gov/earthquakes/feed/v1.0/summary/4.5_day.geojson"
    feed_inatews_url: str = f"{INATEWS}/datagempa.json"
    feed_inatews_realtime_url: str = f"{INATEWS}/gempaQL.json"
    feed_gdacs_url: str = "https://www.gdacs.org/xml/rss.xml"
    poll_earthquakes_s: int = 60
    poll_warnings_s: int = 300
    poll_forecast_s: int = 3600
    # ODK Central or KoboToolbox: where the field form's submissions are pulled from
    odk_kind: Literal["central", "kobo"] = "central"
    odk_url: str | None = Field(default=None, description="ODK Central / Kobo server; unset: off")
    odk_project: str = "1"  # Central's project id (not used by Kobo)
    odk_form: str = "laporan_dampak_kecamatan"  # Central's xmlFormId, or Kobo's asset uid
    odk_household_form: str = "data_kk_terdampak"  # the household form's id/uid on that server
    odk_username: str | None = None  # Central (HTTP Basic over HTTPS)
    odk_password: str | None = None
    odk_token: str | None = None  # Kobo's API token
    odk_page_size: int = 250
    poll_forms_s: int = 300
    feed_petabencana_url: str = (
        "https://data.petabencana.id/reports?geoformat=geojson&timeperiod=86400"
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
    community_window_h: int = 24  # community reports younger than this are on the live map
    propose_min_magnitude: float = 5.0
    propose_max_depth_km: float = 70.0
    propose_min_felt_mmi: int = 4
    affected_min_mmi: float = 5.0
    propose_max_age_h: float = Field(
        default=24.0, description="Events older than this when first seen propose nothing."
    )
    warning_min_share: float = Field(
        default=0.25, description="Share of a kecamatan a severe-warning polygon must cover."
    )
    stale_after_min: int = 15
    health_host: str = "127.0.0.1"
    health_port: int | None = Field(
        default=None,
        description="The ingest worker's /health, /live and /metrics port (off when unset).",
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="Logs as text lines, or one JSON object per line (for a log collector).",
    )
    duty_days_warning: int = 14
    report_stale_after_min: int = 180
    kiosk_rotate_s: int = 20
    kiosk_quake_km: float = Field(
        default=300,
        description="The wall screen lists earthquakes this close to its incident (or felt there).",
    )
    max_upload_mb: int = 20  # also Streamlit's server.maxUploadSize (set by `run`)
    max_import_rows: int = ImportLimits.max_rows
    max_import_columns: int = ImportLimits.max_columns
    max_unpacked_mb: int = 200
    max_shared_strings: int = Field(
        default=ImportLimits.max_shared_strings,
        description="Distinct texts an .xlsx file may hold (openpyxl keeps them all in memory).",
    )
    max_shared_strings_mb: int = 100  # and the size of their part, unpacked
    import_parse_mb: int = Field(
        default=ImportLimits.parse_memory_bytes // 1_000_000,
        description="Memory the child process reading an upload may use; beyond it, refused.",
    )
    import_parse_s: float = Field(
        default=ImportLimits.parse_seconds,
        description="Time the child process reading an upload may take; beyond it, refused.",
    )
    refresh_every_s: int = 30  # live pages look for new data this often
    redraw_every_s: int = 300  # and redraw at least this often (ages, expiries)
    cover_radius_km: float = 150  # warehouses this close to an incident count for its cover
    backup_dir: Path | None = Field(
        default=None,
        description="Where backups are written (default: `backups` beside the SQLite file, "
        "else `data/backups`).",
    )
    backup_every_h: float = Field(
        default=0, ge=0, description="The worker takes a backup this often (0: never)."
    )
    backup_keep: str = Field(
        default="7d,4w",
        description="Backups kept: the newest of each of the last N days and M weeks.",
    )
    backup_key_file: Path | None = Field(
        default=None,
        description="Encrypt backups to this age key file (`command-center backup --new-key`).",
    )
    backup_passphrase: SecretStr | None = Field(
        default=None, description="Or encrypt backups with this passphrase."
    )
    pdp_key: SecretStr | None = Field(
        default=None,
        description="Seals household personal data; `command-center households key` makes one.",
    )
    assistance_amounts: dict[str, int] = Field(
        default_factory=dict,
        description='Kemensos amounts in rupiah replacing today\'s, e.g. {"jadup": 10000}.',
    )
    jadup_days: int = 90  # jaminan hidup is paid for this many days
    link_writes: int = Field(
        default=ProbeLimits.link_writes,
        description="Reports and families one reporter's link may send within the window.",
    )
    link_window_min: int = ProbeLimits.link_window_min
    duplicate_hits: int = Field(
        default=ProbeLimits.duplicate_hits,
        description="Entries one user or link may send that hit another family's KK or NIK "
        "within the window (then refused, audited).",
    )
    duplicate_window_min: int = ProbeLimits.duplicate_window_min
    # Alerts out (`services/alerts.py` holds the rules; these tune them in one place)
    alert_rules: dict[str, str] = Field(
        default_factory=dict,
        description='A rule\'s severity ("info", "warning", "critical") or "off", e.g. '
        '{"sitrep_issued": "off"}.',
    )
    alert_deployment_silent_h: float = 12.0  # a deployed team silent this long is named
    alert_report_waiting_h: float = 6.0  # a report unverified this long is named
    alert_stock_days: float = 3.0  # a daily item covering fewer days than this is named
    alert_escalate_min: float = 30.0  # an unacknowledged critical alert goes one role up
    alert_rates: dict[str, float] = Field(
        default_factory=dict,
        description='Messages a second per channel (not the provider\'s), e.g. {"webhook": 500}.',
    )
    alert_max_attempts: int = 6  # then the delivery is dead (admins retry or discard it)
    alert_backoff_s: float = 30.0  # the first retry's wait, doubled each time
    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_bot_name: str | None = Field(default=None, description="The bot's @username.")
    whatsapp_mode: Literal["cloud", "gateway"] | None = None
    whatsapp_url: str = Field(
        default="https://graph.facebook.com/v21.0",
        description="Cloud API base (with version), or the gateway's send endpoint.",
    )
    whatsapp_phone_id: str | None = None  # Cloud API: the sending number's id
    whatsapp_token: SecretStr | None = None  # Cloud API access token, or the gateway's key
    whatsapp_template: str = "peringatan_bencana"  # an approved template: {{1}} title, {{2}} body
    whatsapp_language: str = "id"
    whatsapp_sitrep_template: str = Field(
        default="laporan_situasi",
        description="Cloud API: the approved template an issued sitrep's PDF goes in (a DOCUMENT "
        "header; the body as whatsapp_template's).",
    )
    whatsapp_sitrep_image_template: str = Field(
        default="laporan_situasi_gambar",
        description="Cloud API: the approved template a sitrep's image goes in (an IMAGE header).",
    )
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_ca_file: Path | None = Field(
        default=None, description="CA bundle for the SMTP server's certificate (else the system's)."
    )
    smtp_sender: str = "pusdalops@localhost"
    webhook_secret: SecretStr | None = Field(
        default=None, description="Signs webhook bodies (X-CC-Signature: sha256=<hex HMAC>)."
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
        "resolve to loopback or private addresses (a receiver on the LAN); others: admins only, "
        "public addresses only.",
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
