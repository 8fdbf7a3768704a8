"""Every user-facing word, in Bahasa Indonesia (default) and English.

`t(key, lang)` looks a label up; a missing key is a bug and raises KeyError, so tests catch it.
Labels with `{name}` fields are filled with `t(key, lang, name=...)`.
"""

from __future__ import annotations

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}

LABELS: dict[str, tuple[str, str]] = {
    # app shell
    "app_title": ("Pusdalops Kemensos", "Kemensos Command Center"),
    "language": ("Bahasa", "Language"),
    "section_operator": ("Operator", "Operator"),
    "section_tagana": ("Tagana", "Tagana"),
    "section_impact": ("Dampak", "Impact"),
    "section_briefing": ("Briefing", "Briefing"),
    "page_live_map": ("Peta langsung", "Live map"),
    "page_hazards": ("Bahaya BMKG", "BMKG hazards"),
    "page_deployments": ("Penugasan Tagana", "Tagana deployments"),
    "page_reports": ("Laporan kecamatan", "Kecamatan reports"),
    "page_briefing": ("Layar briefing", "Wall briefing"),
    "exercise_banner": (
        "LATIHAN — data skenario pelatihan, bukan kejadian nyata.",
        "EXERCISE — training scenario data, not a real event.",
    ),
    "times_in_wib": (
        "Waktu ditampilkan dalam WIB (Asia/Jakarta).",
        "Times shown in WIB (Asia/Jakarta).",
    ),
    "coming_in_issue": (
        "Bagian ini dibangun pada issue #{issue}: {what}.",
        "This part is built in issue #{issue}: {what}.",
    ),
    # geography
    "boundaries_missing": (
        "Batas wilayah kecamatan tidak ditemukan di `{path}`. Atur `CC_BOUNDARIES_PATH` ke berkas "
        "GeoJSON/GeoPackage/GeoParquet dengan kolom kode_kec, kecamatan, kode_kab, kabupaten, "
        "kode_prov, provinsi, atau jalankan `command-center boundaries download`.",
        "Kecamatan boundaries not found at `{path}`. Set `CC_BOUNDARIES_PATH` to a "
        "GeoJSON/GeoPackage/GeoParquet file with columns kode_kec, kecamatan, kode_kab, kabupaten, "
        "kode_prov, provinsi, or run `command-center boundaries download`.",
    ),
    # live map
    "live_map_intro": (
        "Kejadian terbuka, kecamatan terdampak dan tim Tagana.",
        "Open incidents, affected kecamatan and Tagana teams.",
    ),
    "no_incidents": (
        "Belum ada kejadian terbuka. Muat skenario latihan dengan `command-center demo`.",
        "No open incidents yet. Load the training scenario with `command-center demo`.",
    ),
    "tiles_off": (
        "Peta dasar tidak aktif (CC_TILE_URL kosong): batas wilayah dan data tetap tampil.",
        "Basemap off (CC_TILE_URL empty): boundaries and data are still shown.",
    ),
    # hazards
    "no_hazards": (
        "Belum ada data gempa atau peringatan BMKG di basis data.",
        "No BMKG earthquake or warning data in the store yet.",
    ),
    "col_sources": ("Sumber", "Sources"),
    "col_felt": ("Dirasakan (MMI)", "Felt (MMI)"),
    "col_est_mmi": ("Perkiraan MMI", "Estimated MMI"),
    "col_distance_km": ("Jarak (km)", "Distance (km)"),
    "col_provinsi": ("Provinsi", "Province"),
    "col_place": ("Tempat", "Place"),
    "col_reported_mmi": ("MMI dilaporkan", "Reported MMI"),
    "choose_event": ("Pilih kejadian untuk rincian", "Choose an event for details"),
    "affected_kecamatan": (
        "Kecamatan terdampak (perkiraan MMI ≥ {mmi}, Allen dkk. 2012)",
        "Affected kecamatan (estimated MMI ≥ {mmi}, Allen et al. 2012)",
    ),
    "kind_earthquake": ("Gempa", "Earthquake"),
    "loading_boundaries": ("Memuat batas wilayah…", "Loading boundaries…"),
    "warning_kecamatan": (
        "Kecamatan dalam area peringatan dini",
        "Kecamatan inside the warning area",
    ),
    "forecast": (
        "Prakiraan cuaca BMKG untuk kecamatan kejadian (24 jam)",
        "BMKG weather forecast for the incident's kecamatan (24 h)",
    ),
    "no_forecast": (
        "Belum ada prakiraan tersimpan; pekerja ingest mengambilnya untuk kejadian terbuka.",
        "No stored forecast yet; the ingest worker fetches them for open incidents.",
    ),
    "col_weather": ("Cuaca", "Weather"),
    "col_temperature": ("Suhu (°C)", "Temperature (°C)"),
    "col_rain_mm": ("Hujan (mm)", "Rain (mm)"),
    "col_wind_kmh": ("Angin (km/j)", "Wind (km/h)"),
    "no_affected": (
        "Tidak ada kecamatan dengan perkiraan MMI ≥ {mmi}.",
        "No kecamatan at estimated MMI ≥ {mmi}.",
    ),
    "felt_reports": ("Laporan dirasakan BMKG", "BMKG felt reports"),
    "shakemap": ("Peta guncangan BMKG", "BMKG shakemap"),
    "incident_proposed": (
        "Usulan kejadian otomatis: {name}. Konfirmasi jika perlu ditangani.",
        "Automatically proposed incident: {name}. Confirm it if it needs a response.",
    ),
    "incident_open": ("Kejadian terbuka: {name}", "Open incident: {name}"),
    "confirm_incident": ("Konfirmasi kejadian", "Confirm incident"),
    "dismiss_incident": ("Abaikan usulan", "Dismiss proposal"),
    "incident_confirmed": ("Kejadian dikonfirmasi.", "Incident confirmed."),
    "incident_dismissed": ("Usulan diabaikan.", "Proposal dismissed."),
    "incident_changed": (
        "Kejadian ini sudah diubah orang lain; muat ulang halaman.",
        "Someone else changed this incident; reload the page.",
    ),
    "feeds": ("Status umpan data", "Feed status"),
    "feed_ok": ("{feed}: data {age} lalu", "{feed}: data {age} old"),
    "feed_stale": (
        "{feed}: BASI — data terakhir {age} lalu",
        "{feed}: STALE — last data {age} ago",
    ),
    "feed_failing": (
        "{feed}: GAGAL sejak {since} ({error})",
        "{feed}: FAILING since {since} ({error})",
    ),
    "last_data": ("data terakhir {age} lalu", "last data {age} ago"),
    "no_data_yet": ("belum ada data", "no data yet"),
    "feed_never": ("{feed}: belum pernah berhasil", "{feed}: never succeeded"),
    "no_feeds": (
        "Belum ada data umpan. Jalankan `command-center ingest` (atau `--replay DIR`).",
        "No feed data yet. Run `command-center ingest` (or `--replay DIR`).",
    ),
    "bmkg_credit": (
        "Sumber data: BMKG (Badan Meteorologi, Klimatologi, dan Geofisika).",
        "Data source: BMKG (Indonesian Agency for Meteorology, Climatology and Geophysics).",
    ),
    "active_warnings": ("Peringatan dini cuaca aktif: {n}", "Active weather warnings: {n}"),
    "event_age_legend": (
        "Warna gempa menurut umur: merah < 1 jam, oranye < 24 jam, kuning < 7 hari, "
        "abu-abu lebih lama.",
        "Quake colour by age: red < 1 h, orange < 24 h, yellow < 7 days, grey older.",
    ),
    # deployments
    "no_teams": ("Belum ada tim di roster.", "No teams in the roster yet."),
    "assignment_later": (
        "penugasan, saran tim terdekat dan papan status",
        "assignment, nearest-team suggestions and the status board",
    ),
    # reports
    "no_reports": ("Belum ada laporan dampak kecamatan.", "No kecamatan impact reports yet."),
    "reports_later": (
        "formulir, impor, verifikasi dan peta tematik",
        "entry form, import, verification and choropleth",
    ),
    "latest_per_kecamatan": ("Laporan terbaru per kecamatan", "Latest report per kecamatan"),
    # briefing
    "no_briefing": ("Belum ada kejadian untuk dibriefingkan.", "No incident to brief on yet."),
    "briefing_later": (
        "mode kiosk, panel bergilir dan Laporan Situasi",
        "kiosk mode, rotating panels and the sitrep",
    ),
    "incident": ("Kejadian", "Incident"),
    # column and figure names
    "col_time": ("Waktu (WIB)", "Time (WIB)"),
    "col_source": ("Sumber", "Source"),
    "col_magnitude": ("Magnitudo", "Magnitude"),
    "col_depth_km": ("Kedalaman (km)", "Depth (km)"),
    "col_location": ("Lokasi", "Location"),
    "col_tsunami": ("Potensi tsunami", "Tsunami potential"),
    "col_team": ("Tim", "Team"),
    "col_kind": ("Jenis", "Type"),
    "col_status": ("Status", "Status"),
    "col_home": ("Kabupaten asal", "Home kabupaten"),
    "col_members": ("Anggota", "Members"),
    "col_skills": ("Keahlian", "Skills"),
    "col_kecamatan": ("Kecamatan", "Kecamatan"),
    "col_code": ("Kode", "Code"),
    "col_kabupaten": ("Kabupaten/Kota", "Regency/City"),
    "col_reporter": ("Pelapor", "Reporter"),
    "col_version": ("Versi", "Version"),
    "col_verification": ("Verifikasi", "Verification"),
    "deaths": ("Meninggal", "Dead"),
    "missing": ("Hilang", "Missing"),
    "injured": ("Luka-luka", "Injured"),
    "displaced": ("Mengungsi", "Displaced"),
    "houses_damaged": ("Rumah rusak", "Houses damaged"),
    "teams_deployed": ("Tim bertugas", "Teams deployed"),
    "teams_standby": ("Tim siaga", "Teams on standby"),
    "col_assigned": ("Ditugaskan ke", "Assigned to"),
    "yes": ("Ya", "Yes"),
    "no": ("Tidak", "No"),
    "verification_unverified": ("Belum diverifikasi", "Unverified"),
    "verification_verified": ("Terverifikasi", "Verified"),
    "verification_rejected": ("Ditolak", "Rejected"),
    "unverified_included": (
        "Termasuk {n} laporan kecamatan yang belum diverifikasi.",
        "Includes {n} kecamatan reports not yet verified.",
    ),
    "kecamatan_reporting": ("Kecamatan melapor", "Kecamatan reporting"),
    "choose_incident": ("Pilih kejadian", "Choose incident"),
    # team statuses
    "status_standby": ("Siaga", "Standby"),
    "status_en_route": ("Dalam perjalanan", "En route"),
    "status_on_scene": ("Bertugas", "On scene"),
    "status_returning": ("Kembali", "Returning"),
    "status_unavailable": ("Tidak tersedia", "Unavailable"),
}


def t(key: str, lang: str = "id", **fields: object) -> str:
    """The label `key` in `lang` ("id" or "en"), with `{fields}` filled in."""
    indonesian, english = LABELS[key]
    text = english if lang == "en" else indonesian
    return text.format(**fields) if fields else text


def status_label(status: object, lang: str = "id") -> str:
    """A team status (`"on_scene"`) in words."""
    return t(f"status_{status}", lang)


def number(value: int, lang: str = "id") -> str:
    """A count with the language's thousands separator (`8.200` in Indonesian)."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "id" else text
