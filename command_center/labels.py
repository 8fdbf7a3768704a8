"""Every user-facing word, in Bahasa Indonesia (default) and English.

`t(key, lang)` looks a label up; a missing key is a bug and raises KeyError, so tests catch it.
Labels with `{name}` fields are filled with `t(key, lang, name=...)`.
"""

from __future__ import annotations

from collections.abc import Callable

from command_center.models import TeamStatus

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
    # incidents: hazard types (services.incidents.HAZARDS) and emergency phases
    "hazard_banjir": ("Banjir", "Flood"),
    "hazard_banjir_bandang": ("Banjir bandang", "Flash flood"),
    "hazard_tanah_longsor": ("Tanah longsor", "Landslide"),
    "hazard_cuaca_ekstrem": ("Cuaca ekstrem / puting beliung", "Extreme weather / whirlwind"),
    "hazard_gelombang_pasang": ("Gelombang pasang / abrasi", "Tidal wave / abrasion"),
    "hazard_gempa_bumi": ("Gempa bumi", "Earthquake"),
    "hazard_tsunami": ("Tsunami", "Tsunami"),
    "hazard_erupsi": ("Erupsi gunung api", "Volcanic eruption"),
    "hazard_karhutla": ("Kebakaran hutan dan lahan", "Forest and land fire"),
    "hazard_kekeringan": ("Kekeringan", "Drought"),
    "hazard_kebakaran": ("Kebakaran permukiman", "Settlement fire"),
    "hazard_konflik_sosial": ("Konflik sosial", "Social conflict"),
    "hazard_lainnya": ("Lainnya", "Other"),
    "phase_siaga_darurat": ("Siaga darurat", "Emergency alert"),
    "phase_tanggap_darurat": ("Tanggap darurat", "Emergency response"),
    "phase_transisi_darurat": (
        "Transisi darurat ke pemulihan",
        "Transition to recovery",
    ),
    "page_incidents": ("Kejadian", "Incidents"),
    "section_incidents": ("Kejadian", "Incidents"),
    "tab_incident_list": ("Daftar kejadian", "Incident list"),
    "tab_open_incident": ("Buka kejadian", "Open an incident"),
    "real_incident": ("Nyata", "Real"),
    "since": ("Mulai dari", "Started from"),
    "until_day": ("Sampai", "Started until"),
    "incidents_found": ("{n} kejadian", "{n} incidents"),
    "open_kabupaten": ("Kabupaten/kota", "Kabupaten/kota"),
    "open_kecamatan": (
        "Kecamatan (kosong = semua kecamatan kabupaten di atas)",
        "Kecamatan (empty = every kecamatan of the kabupaten above)",
    ),
    "start_day": ("Tanggal mulai ({zone})", "Start date ({zone})"),
    "start_time": ("Jam mulai ({zone})", "Start time ({zone})"),
    "field_description": ("Uraian", "Description"),
    "open_incident": ("Buka kejadian", "Open incident"),
    "incident_opened": ("Kejadian {name} dibuka.", "Incident {name} opened."),
    "no_incident": ("Kejadian tidak ditemukan.", "No such incident."),
    "choose_incident_view": (
        "Pilih baris di daftar untuk membuka kejadian.",
        "Pick a row to open an incident.",
    ),
    "merged_into": ("Digabung ke kejadian {key}.", "Merged into incident {key}."),
    "tab_area": ("Wilayah", "Area"),
    "tab_phases": ("Status darurat", "Emergency phases"),
    "tab_people": ("Laporan dan tim", "Reports and teams"),
    "tab_incident_audit": ("Riwayat", "History"),
    "outside_incident_area": (
        "Laporan dan penugasan di kecamatan yang tidak lagi termasuk wilayah kejadian (tetap "
        "disimpan):",
        "Reports and deployments in kecamatan no longer in the incident's area (kept):",
    ),
    "area_add_one": ("Tambahkan {name} ke wilayah", "Add {name} to the area"),
    "area_remove_one": ("Keluarkan {name} dari wilayah", "Remove {name} from the area"),
    "codes_help": (
        "Kode kecamatan atau kabupaten, dipisah koma (32.04.07, 32.04)",
        "Kecamatan or kabupaten codes, comma-separated (32.04.07, 32.04)",
    ),
    "change_area": ("Ubah wilayah", "Change the area"),
    "area_changed": ("Wilayah diubah: {n} kecamatan.", "Area changed: {n} kecamatan."),
    "set_phase": ("Tetapkan status", "Set the phase"),
    "phase_set": ("Status darurat dicatat.", "Emergency phase recorded."),
    "close_incident": ("Tutup kejadian", "Close the incident"),
    "incident_closed": (
        "Kejadian ditutup; Laporan Situasi akhir No. {number} disimpan.",
        "Incident closed; final sitrep No. {number} stored.",
    ),
    "close_refused": (
        "Belum dapat ditutup: tim masih bertugas ({teams}). Tarik tim terlebih dahulu.",
        "Cannot close yet: teams are still deployed ({teams}). Stand them down first.",
    ),
    "reopen_incident": ("Buka kembali", "Reopen"),
    "incident_reopened": ("Kejadian dibuka kembali.", "Incident reopened."),
    "merge_other": ("Gabungkan kejadian ini ke sini", "Merge this incident into this one"),
    "merge_incident": ("Gabungkan", "Merge"),
    "incident_merged": ("Kejadian digabung.", "Incidents merged."),
    "edit_incident": ("Ubah nama, uraian, latihan", "Edit name, description, exercise"),
    "incident_saved": ("Kejadian disimpan.", "Incident saved."),
    "export_incidents": ("Unduh daftar (CSV)", "Download the list (CSV)"),
    "col_incident": ("Kejadian", "Incident"),
    "col_area": ("Wilayah", "Area"),
    "col_started": ("Mulai", "Started"),
    "tab_proposals": ("Usulan ({n})", "Proposals ({n})"),
    "proposals_help": (
        "Usulan kejadian otomatis dari umpan bahaya (BMKG, InaTEWS, GDACS). Usulan tidak tampil "
        "di briefing, layar dinding, maupun pilihan laporan sampai dikonfirmasi.",
        "Incidents proposed from the hazard feeds (BMKG, InaTEWS, GDACS). A proposal is not on "
        "the briefing, the wall screen or the report pickers until it is confirmed.",
    ),
    "no_proposals": ("Tidak ada usulan yang menunggu.", "No proposal is waiting."),
    "choose_proposal": ("Usulan", "Proposal"),
    "national": ("Lintas provinsi", "Several provinces"),
    "col_kecamatan_count": ("Kecamatan", "Kecamatan"),
    "col_reports": ("Laporan", "Reports"),
    "exercise": ("Latihan", "Exercise"),
    "status_incident_proposed": ("Usulan", "Proposed"),
    "status_incident_open": ("Aktif", "Open"),
    "status_incident_closed": ("Ditutup", "Closed"),
    "status_incident_merged": ("Digabung", "Merged"),
    "phase_none": ("Belum ada SK", "No decree yet"),
    "phase_day": ("Hari ke-{day} {phase}{until}", "Day {day} of {phase}{until}"),
    "phase_ended": (
        "Status {phase} berakhir {date}; belum ada SK baru",
        "{phase} ended on {date}; no new decree yet",
    ),
    "phase_until": (", s.d. {date}", ", until {date}"),
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
        "Kecamatan terdampak (perkiraan MMI ≥ {mmi})",
        "Affected kecamatan (estimated MMI ≥ {mmi})",
    ),
    "estimate_note": (
        "Angka MMI adalah perkiraan model (jarak ke bidang patahan, persamaan Allen dkk. 2012 "
        "yang dikalibrasi dengan intensitas terbitan BMKG dan Badan Geologi), bukan "
        "pengukuran: periksa dengan laporan lapangan dan peta guncangan BMKG.",
        "MMI figures are model estimates (distance to the rupture, Allen et al. 2012 "
        "calibrated on intensities BMKG and Badan Geologi published), not measurements: check "
        "them against field reports and BMKG's shakemap.",
    ),
    "kind_earthquake": ("Gempa", "Earthquake"),
    "kind_weather_warning": ("Peringatan cuaca", "Weather warning"),
    "kind_tsunami_warning": ("Peringatan dini tsunami", "Tsunami warning"),
    "kind_flood": ("Banjir", "Flood"),
    "kind_tropical_cyclone": ("Siklon tropis", "Tropical cyclone"),
    "kind_volcano": ("Erupsi gunung api", "Volcanic eruption"),
    "kind_drought": ("Kekeringan", "Drought"),
    "kind_wildfire": ("Kebakaran hutan dan lahan", "Wildfire"),
    "tsunami_areas": (
        "Wilayah dalam peringatan dini tsunami (tingkat per wilayah)",
        "Areas under the tsunami warning (level per area)",
    ),
    "gdacs_reach": (
        "Kecamatan dalam jangkauan peringatan GDACS",
        "Kecamatan within reach of the GDACS alert",
    ),
    "col_level": ("Tingkat", "Level"),
    "col_covered": ("Tertutup (%)", "Covered (%)"),
    "place_unresolved": ("belum dikenali", "not recognised"),
    "tsunami_banner": (
        "PERINGATAN DINI TSUNAMI {level} · {headline}",
        "TSUNAMI WARNING {level} · {headline}",
    ),
    "tsunami_banner_areas": ("Wilayah: {areas}", "Areas: {areas}"),
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
    # Tagana: tabs, board, assignment
    "tab_board": ("Papan status", "Status board"),
    "tab_assign": ("Penugasan", "Assign"),
    "tab_team": ("Status & riwayat tim", "Team status & history"),
    "tab_roster": ("Roster", "Roster"),
    "tab_import": ("Impor", "Import"),
    "filter_province": ("Provinsi", "Province"),
    "filter_kabupaten": ("Kabupaten/Kota", "Regency/City"),
    "filter_skill": ("Keahlian", "Skill"),
    "any": ("Semua", "All"),
    "no_teams_match": ("Tidak ada tim yang cocok dengan saringan.", "No team matches the filters."),
    "col_where": ("Lokasi / tugas", "Where / task"),
    "more_teams": (
        "dan {n} tim lagi (persempit dengan saringan)",
        "and {n} more (narrow with the filters)",
    ),
    "day_n": ("hari ke-{n}", "day {n}"),
    "col_since": ("Sejak (WIB)", "Since (WIB)"),
    "col_by": ("Oleh", "By"),
    "col_task": ("Tugas", "Task"),
    "col_phone": ("Telepon", "Phone"),
    "col_contact": ("Narahubung", "Contact"),
    "col_equipment": ("Peralatan", "Equipment"),
    "col_position": ("Posisi dari", "Position from"),
    "col_action": ("Tindakan", "Action"),
    "col_change": ("Perubahan", "Change"),
    "col_row": ("Baris", "Row"),
    "col_field": ("Kolom", "Field"),
    "col_problem": ("Masalah", "Problem"),
    "col_file": ("Berkas", "File"),
    "position_last": ("posisi terakhir", "last position"),
    "position_base": ("markas", "home base"),
    "duty_warning": (
        "{n} tim sudah bertugas lebih dari {days} hari: {teams}. Pertimbangkan rotasi.",
        "{n} teams have been on duty more than {days} days: {teams}. Consider rotating them.",
    ),
    "team_map": (
        "Peta tim (warna = status, garis = tujuan tugas)",
        "Team map (colour = status, line = assignment)",
    ),
    "choose_kecamatan": ("Kecamatan tujuan", "Kecamatan"),
    "needed_skill": ("Keahlian yang dibutuhkan", "Skill needed"),
    "suggestions": ("Tim siaga terdekat", "Nearest teams on standby"),
    "no_suggestions": (
        "Tidak ada tim siaga dengan keahlian ini.",
        "No team on standby has this skill.",
    ),
    "choose_team": ("Pilih tim", "Choose team"),
    "task": ("Tugas", "Task"),
    "expected_days": ("Perkiraan lama (hari)", "Expected duration (days)"),
    "assign": ("Tugaskan", "Assign"),
    "assigned_ok": ("{team} ditugaskan ke {kecamatan}.", "{team} assigned to {kecamatan}."),
    "team_busy": (
        "{team} tidak bisa ditugaskan: status {status}{where}.",
        "{team} cannot be assigned: it is {status}{where}.",
    ),
    "busy_where": (" di {kecamatan}", " in {kecamatan}"),
    "stale_record": (
        "Data ini sudah diubah oleh {by} pada {at}. Muat ulang lalu coba lagi.",
        "This was changed by {by} at {at}. Reload and try again.",
    ),
    "reload": ("Muat ulang", "Reload"),
    "no_open_incidents": (
        "Belum ada kejadian terbuka untuk penugasan.",
        "No open incident to assign teams to.",
    ),
    "current_status": ("Status sekarang: **{status}**", "Current status: **{status}**"),
    "current_assignment": (
        "Bertugas di {kecamatan} sejak {since} (hari ke-{days}): {task}",
        "Assigned to {kecamatan} since {since} (day {days}): {task}",
    ),
    "new_status": ("Status baru", "New status"),
    "reason": ("Alasan", "Reason"),
    "until": ("Sampai tanggal", "Until"),
    "apply_status": ("Ubah status", "Change status"),
    "status_changed": ("Status {team} sekarang {status}.", "{team} is now {status}."),
    "stand_down": ("Tarik tim (selesai tugas)", "Stand down"),
    "stood_down": ("{team} selesai bertugas dan kembali.", "{team} stood down and is returning."),
    "no_next_status": ("Tidak ada perubahan status langsung.", "No direct status change."),
    "team_history": ("Riwayat tim", "Team history"),
    "illegal_transition": (
        "Status tidak bisa diubah dari {current} ke {target}: {hint}",
        "Cannot change status from {current} to {target}: {hint}",
    ),
    "hint_assign": (
        "tim dikirim lewat penugasan.",
        "a team is sent by assigning it.",
    ),
    "hint_stand_down": ("tarik tim dari tugasnya dulu.", "stand the team down first."),
    "hint_standby_first": ("jadikan tim siaga dulu.", "make the team standby first."),
    "hint_same": ("status itu sudah berlaku.", "it already has that status."),
    "roster_edit_help": (
        "Ubah sel lalu simpan. Status diubah di tab Status & riwayat tim.",
        "Edit cells, then save. Status changes in the Team status & history tab.",
    ),
    "save": ("Simpan", "Save"),
    "saved_rows": ("{n} tim disimpan.", "{n} teams saved."),
    "row_problem": ("{team}: {problem}", "{team}: {problem}"),
    "add_team": ("Tambah tim atau unit", "Add a team or unit"),
    "team_added": ("{team} ditambahkan.", "{team} added."),
    "members_of": ("Anggota {team}", "Members of {team}"),
    "save_members": ("Simpan anggota", "Save members"),
    "members_saved": ("Anggota disimpan.", "Members saved."),
    "import_help": (
        "Unggah CSV atau Excel (.xlsx) roster. Kolom dikenali dari nama umum "
        "(nama, jenis, kode_kecamatan, jumlah_anggota, keahlian, telepon, lat, lon, ...). "
        "Baris valid disimpan; baris bermasalah disimpan di karantina untuk diperbaiki.",
        "Upload a roster as CSV or Excel (.xlsx). Columns are recognised by their usual names "
        "(nama, jenis, kode_kecamatan, jumlah_anggota, keahlian, telepon, lat, lon, ...). "
        "Valid rows are saved; rows with problems wait in quarantine to be fixed.",
    ),
    "upload": ("Berkas", "File"),
    "preview": (
        "Pratinjau: {rows} baris, kolom dikenali: {columns}",
        "Preview: {rows} rows, columns found: {columns}",
    ),
    "ignored_columns": ("Kolom diabaikan: {columns}", "Columns ignored: {columns}"),
    "run_import": ("Impor", "Import"),
    "import_result": (
        "{total} baris: {created} baru, {updated} diperbarui, {quarantined} ke karantina.",
        "{total} rows: {created} new, {updated} updated, {quarantined} quarantined.",
    ),
    "import_failed": (
        "Berkas tidak bisa diimpor: {reason}",
        "The file cannot be imported: {reason}",
    ),
    "quarantine": ("Karantina: baris yang perlu diperbaiki", "Quarantine: rows to fix"),
    "quarantine_empty": ("Karantina kosong.", "The quarantine is empty."),
    "resubmit": ("Kirim ulang baris yang diperbaiki", "Re-submit fixed rows"),
    "discard": ("Buang baris terpilih", "Discard selected rows"),
    "discard_confirm": ("Pilih untuk dibuang", "Select to discard"),
    "discarded": (
        "{n} baris dibuang (tercatat di log audit).",
        "{n} rows discarded (kept in the audit log).",
    ),
    "forbidden": (
        "{who} tidak berwenang {what}{where}.",
        "{who} is not allowed to {what}{where}.",
    ),
    "perm_team": ("mengubah tim dan penugasan", "change teams and assignments"),
    "version_n": ("versi {n}", "version {n}"),
    "verification_queue": ("Menunggu verifikasi: {n}", "Waiting for verification: {n}"),
    "legend_team": ("Tim", "Team"),
    "basemap_problem": (
        "Peta dasar offline tidak dipakai: {problem}. Peta tampil tanpa peta dasar.",
        "The offline basemap is not used: {problem}. Maps show no basemap.",
    ),
    "legend_in_area": ("Wilayah kejadian", "Incident area"),
    "legend_not_in_area": ("Kecamatan lain (klik: tambah)", "Other kecamatan (click: add)"),
    "legend_warning": ("Peringatan cuaca BMKG", "BMKG weather warning"),
    "legend_quake": ("Gempa", "Quake"),
    "legend_hours": ("{n} jam", "{n} h"),
    "legend_week": ("7 hari", "7 days"),
    "legend_older": ("lebih lama", "older"),
    "not_yours": (
        "Peran Anda tidak berwenang {what}; hubungi koordinator atau admin.",
        "Your role may not {what}; ask a coordinator or an admin.",
    ),
    "perm_reporters": ("mengelola tautan pelapor lapangan", "manage field reporters' links"),
    "perm_reporter_link": (
        "melapor lewat tautan ini (tidak berlaku, atau bukan untuk kecamatan/kejadian ini)",
        "report through this link (not valid, or not for this kecamatan/incident)",
    ),
    "err_bad_pilar_role": (
        "peran pilar sosial tidak dikenal: {value} (pilih: {roles})",
        "unknown pilar sosial role: {value} (one of: {roles})",
    ),
    "err_unknown_incident": ("kejadian tidak dikenal: {value}", "unknown incident: {value}"),
    "lapor_title": ("Lapor Dampak Bencana", "Disaster impact report"),
    "community_label": (
        "Laporan warga PetaBencana (belum terverifikasi)",
        "PetaBencana resident report (unverified)",
    ),
    "community_short": ("Laporan warga", "Resident report"),
    "community_note": (
        "{n} laporan warga PetaBencana.id (titik biru bergaris putus): laporan masyarakat yang "
        "belum terverifikasi, tidak dihitung dalam angka resmi. Per kecamatan:",
        "{n} PetaBencana.id resident reports (dashed blue dots): community reports, unverified, "
        "never counted in the official figures. Per kecamatan:",
    ),
    "depth_upto": ("genangan s.d. {cm} cm", "flooding up to {cm} cm"),
    "depth_more": ("genangan > 150 cm", "flooding over 150 cm"),
    "depth_unknown": ("kedalaman tidak disebut", "depth not given"),
    "col_max_depth": ("Kedalaman maks. (cm)", "Deepest (cm)"),
    "col_latest": ("Terbaru", "Latest"),
    "lapor_link_invalid": (
        "Tautan ini tidak berlaku lagi (dicabut atau kedaluwarsa). Hubungi koordinator Anda "
        "untuk tautan baru.",
        "This link is no longer valid (revoked or expired). Ask your coordinator for a new one.",
    ),
    "lapor_hello": (
        "{name} · {role} · tautan berlaku s.d. {until}",
        "{name} · {role} · link valid until {until}",
    ),
    "lapor_no_incident": (
        "Belum ada kejadian terbuka di kecamatan Anda. Laporan bisa dikirim setelah kejadian "
        "dibuka oleh Pusdalops.",
        "No open incident in your kecamatan yet. Reports can be sent once the command center "
        "opens one.",
    ),
    "lapor_incident": ("Kejadian", "Incident"),
    "lapor_update": (
        "Isian dimulai dari laporan Anda sebelumnya: ubah angka yang berubah, lalu kirim.",
        "The form starts from your previous report: change what changed, then send.",
    ),
    "lapor_victims": ("Korban jiwa", "Casualties"),
    "lapor_displaced": ("Pengungsi", "Displaced"),
    "lapor_affected": ("Terdampak", "Affected"),
    "lapor_houses": ("Rumah", "Houses"),
    "xlsform_facilities": ("Fasilitas umum", "Public facilities"),
    "lapor_send": ("Kirim laporan", "Send report"),
    "lapor_saved": (
        "Terima kasih. Laporan {kecamatan} versi {version} terkirim dan menunggu verifikasi.",
        "Thank you. Report for {kecamatan} version {version} sent; it awaits verification.",
    ),
    "lapor_previous": ("Laporan Anda sebelumnya", "Your earlier reports"),
    "lapor_none_yet": ("Belum ada laporan.", "No report yet."),
    "perm_report": ("mencatat laporan dampak", "record impact reports"),
    "perm_verify": ("memverifikasi laporan", "verify reports"),
    "perm_incident": ("memutuskan kejadian", "decide incidents"),
    "perm_sitrep": ("menerbitkan sitrep", "issue sitreps"),
    "perm_users": ("mengelola pengguna", "manage users"),
    "perm_audit": ("membuka log audit", "open the audit log"),
    "section_admin": ("Admin", "Admin"),
    "page_admin": ("Pengguna & audit", "Users & audit"),
    "tab_users": ("Pengguna", "Users"),
    "tab_tokens": ("Token layar dinding", "Wall-screen tokens"),
    "tab_audit": ("Log audit", "Audit log"),
    "add_user": ("Tambah pengguna", "Add user"),
    "role": ("Peran", "Role"),
    "scope": (
        "Wilayah (kode provinsi/kabupaten, kosong = semua)",
        "Area (province/kabupaten code, empty = all)",
    ),
    "display_name": ("Nama tampilan", "Display name"),
    "user_added": ("Pengguna {name} ditambahkan.", "User {name} added."),
    "disable_user": ("Nonaktifkan", "Disable"),
    "enable_user": ("Aktifkan", "Enable"),
    "user_changed": ("Pengguna {name} diubah.", "User {name} changed."),
    "choose_user": ("Pilih pengguna", "Choose user"),
    "edit_user": ("Ubah pengguna", "Change user"),
    "import_not_allowed": (
        "Peran Anda tidak dapat mengimpor berkas di sini.",
        "Your role cannot import files here.",
    ),
    "keep_scope": (
        "Wilayah baru (kosong = tidak diubah, `-` = semua)",
        "New area (empty = unchanged, `-` = all)",
    ),
    "unlock_user": ("Buka kunci", "Unlock"),
    "reset_password": (
        "Kata sandi baru (kosong = tidak diubah; wajib diganti saat masuk)",
        "New password (empty = unchanged; must be changed at sign-in)",
    ),
    "col_locked": ("Terkunci", "Locked"),
    "token_incident": ("Hanya kejadian (id, 0 = semua)", "Only incident (id, 0 = all)"),
    "token_label": ("Nama layar", "Screen name"),
    "add_token": ("Buat token", "Create token"),
    "token_made": (
        "Token dibuat. Simpan tautan ini sekarang; token tidak ditampilkan lagi: `{link}`",
        "Token created. Keep this link now; the token is not shown again: `{link}`",
    ),
    "revoke_token": ("Cabut token", "Revoke token"),
    "token_revoked": ("Token dicabut.", "Token revoked."),
    "tab_sessions": ("Sesi masuk", "Sign-in sessions"),
    "sessions_of": ("Sesi milik pengguna", "Sessions of user"),
    "col_client": ("Alamat", "Address"),
    "col_device": ("Peramban", "Browser"),
    "col_signed_in": ("Masuk", "Signed in"),
    "col_expires": ("Berakhir", "Ends"),
    "revoke_session": ("Akhiri sesi", "End session"),
    "session_revoked": ("Sesi diakhiri.", "Session ended."),
    "logout_everywhere": ("Keluar di semua perangkat", "Sign out on every device"),
    "col_active": ("Aktif", "Active"),
    "col_revoked": ("Dicabut", "Revoked"),
    "col_entity": ("Data", "Record"),
    "col_before": ("Sebelum", "Before"),
    "col_after": ("Sesudah", "After"),
    "audit_filter": ("Cari (pelaku, tindakan, data)", "Search (who, action, record)"),
    "export_audit": ("Unduh log audit (CSV)", "Download the audit log (CSV)"),
    "audit_readonly": (
        "Log audit hanya bisa dibaca; tidak ada yang bisa mengubahnya dari aplikasi.",
        "The audit log is read-only; nothing in the app can change it.",
    ),
    "login_title": ("Masuk", "Sign in"),
    "username": ("Nama pengguna", "Username"),
    "password": ("Kata sandi", "Password"),
    "login": ("Masuk", "Sign in"),
    "login_failed": (
        "Nama pengguna atau kata sandi salah, atau akun tidak aktif.",
        "Wrong username or password, or the account is disabled.",
    ),
    "login_throttled": (
        "Terlalu banyak percobaan gagal dari perangkat ini. Coba lagi dalam {minutes} menit.",
        "Too many failed attempts from this device. Try again in {minutes} minutes.",
    ),
    "login_locked": (
        "Akun ini terkunci setelah terlalu banyak percobaan gagal. Minta admin membukanya.",
        "This account is locked after too many failed attempts. Ask an admin to unlock it.",
    ),
    "session_ended": (
        "Akses Anda berubah atau dinonaktifkan; silakan masuk lagi.",
        "Your access changed or was disabled; please sign in again.",
    ),
    "change_password_title": ("Ganti kata sandi", "Change your password"),
    "change_password_why": (
        "Kata sandi ini dibuat oleh orang lain (atau saat instalasi). Ganti sebelum melanjutkan.",
        "This password was set by someone else (or at installation). Change it to go on.",
    ),
    "current_password": ("Kata sandi sekarang", "Current password"),
    "new_password": ("Kata sandi baru", "New password"),
    "new_password_again": ("Ulangi kata sandi baru", "New password again"),
    "password_changed": ("Kata sandi diganti.", "Password changed."),
    "kiosk_revoked": (
        "Token layar ini dicabut atau tidak berlaku lagi.",
        "This wall-screen token was revoked or is no longer valid.",
    ),
    "kiosk_only": (
        "Token layar dinding hanya membuka layar briefing.",
        "A wall-screen token opens the briefing screen only.",
    ),
    "app_error": (
        "Terjadi kesalahan. Laporkan kode {error_id} kepada admin.",
        "Something went wrong. Report code {error_id} to an admin.",
    ),
    "login_oidc": ("Masuk dengan akun organisasi", "Sign in with your organisation account"),
    "oidc_unknown": (
        "Akun {email} belum terdaftar, tidak aktif, atau perannya tidak dikenal. Minta admin "
        "memeriksanya.",
        "The account {email} is not registered, is disabled, or has no known role. Ask an admin "
        "to check it.",
    ),
    "logout": ("Keluar", "Sign out"),
    "signed_in_as": (
        "Masuk sebagai **{name}** ({role}{scope})",
        "Signed in as **{name}** ({role}{scope})",
    ),
    "role_viewer": ("pejabat/pemantau", "official/viewer"),
    "role_operator": ("operator", "operator"),
    "role_coordinator": ("koordinator", "coordinator"),
    "role_admin": ("admin", "admin"),
    "dev_mode": (
        "MODE PENGEMBANGAN: tanpa login (CC_AUTH_MODE=dev). Jangan dipakai untuk operasi nyata.",
        "DEVELOPMENT MODE: no sign-in (CC_AUTH_MODE=dev). Not for real operations.",
    ),
    "your_name": ("Nama petugas (untuk log audit)", "Your name (for the audit log)"),
    "anonymous": ("petugas tanpa nama", "unnamed user"),
    # team kinds
    "kind_tagana": ("Tagana", "Tagana"),
    "kind_tksk": ("TKSK", "TKSK"),
    "kind_psm": ("PSM", "PSM"),
    "kind_karang_taruna": ("Karang Taruna", "Karang Taruna"),
    "kind_other": ("Lainnya", "Other"),
    # input fields (errors name them)
    "field_name": ("Nama", "Name"),
    "field_kind": ("Jenis", "Type"),
    "field_home_kecamatan_code": ("Kecamatan markas", "Home kecamatan"),
    "field_base_lat": ("Lintang markas", "Base latitude"),
    "field_base_lon": ("Bujur markas", "Base longitude"),
    "field_member_count": ("Jumlah anggota", "Member count"),
    "field_skills": ("Keahlian", "Skills"),
    "field_equipment": ("Peralatan", "Equipment"),
    "field_contact_name": ("Narahubung", "Contact"),
    "field_contact_phone": ("Telepon", "Phone"),
    "field_status_reason": ("Alasan", "Reason"),
    "field_unavailable_until": ("Sampai tanggal", "Until"),
    "field_incident_id": ("Kejadian", "Incident"),
    "field_kecamatan_code": ("Kecamatan", "Kecamatan"),
    "field_task": ("Tugas", "Task"),
    "field_expected_days": ("Perkiraan lama (hari)", "Expected duration (days)"),
    "field_role": ("Peran", "Role"),
    "field_phone": ("Telepon", "Phone"),
    # validation messages: err_<code>
    "err_missing": ("wajib diisi", "is required"),
    "err_too_long": ("terlalu panjang (maks. {max_length})", "too long (max. {max_length})"),
    "err_not_integer": ("bukan bilangan bulat: {value}", "not a whole number: {value}"),
    "err_not_number": ("bukan angka: {value}", "not a number: {value}"),
    "err_negative": ("tidak boleh negatif: {value}", "cannot be negative: {value}"),
    "err_out_of_range": (
        "di luar rentang {low} sampai {high}: {value}",
        "outside {low} to {high}: {value}",
    ),
    "err_too_large": ("terlalu besar: {value}", "too large: {value}"),
    "err_bad_code": (
        "bukan kode kecamatan Kemendagri seperti 32.03.01: {value}",
        "not a Kemendagri kecamatan code like 32.03.01: {value}",
    ),
    "whole_kabupaten": (
        " — seluruh kabupaten, belum dirinci per kecamatan",
        " — the whole kabupaten, not yet broken down by kecamatan",
    ),
    "not_broken_down": (" (belum dirinci per kecamatan)", " (not yet broken down by kecamatan)"),
    "err_rejected_on_server": (
        "ditolak pemeriksa di server ODK/Kobo",
        "rejected by the reviewer on the ODK/Kobo server",
    ),
    "err_no_open_incident": (
        "tidak ada kejadian terbuka yang mencakup kecamatan ini",
        "no open incident covers this kecamatan",
    ),
    "field_server_review": ("Pemeriksaan server", "Server review"),
    "field_submission_id": ("Kiriman", "Submission"),
    "err_kabupaten_level": (
        "laporan tingkat kabupaten (belum dirinci per kecamatan)",
        "kabupaten-level report (not yet broken down by kecamatan)",
    ),
    "not_reports_no_figures": (
        "{file} tidak berisi satu pun kolom angka dampak (meninggal, hilang, mengungsi, "
        "rumah_rusak_berat, ...); tidak ada yang disimpan.",
        "{file} has none of the impact columns (meninggal, hilang, mengungsi, "
        "rumah_rusak_berat, ...); nothing was stored.",
    ),
    "not_reports_province_aggregate": (
        "{file} tampaknya rekap tahunan per provinsi, bukan laporan per kecamatan; tidak ada "
        "yang disimpan.",
        "{file} looks like a yearly aggregate by province, not reports per kecamatan; nothing "
        "was stored.",
    ),
    "not_reports_no_area": (
        "Tidak ada baris di {file} yang menyebut kecamatan atau kabupaten yang dikenal (kode, "
        'nama, atau "Kec. X" di lokasi); tidak ada yang disimpan.',
        'No row of {file} names a known kecamatan or kabupaten (by code, name or "Kec. X" '
        "in lokasi); nothing was stored.",
    ),
    "err_outside_incident_area": (
        "di luar wilayah terdampak kejadian ini (tetap disimpan; periksa kodenya)",
        "outside this incident's affected area (saved; check the code)",
    ),
    "import_noted": (
        "{n} baris yang masuk perlu dicek (baris {rows}).",
        "{n} rows that landed need a look (rows {rows}).",
    ),
    "err_unknown_kecamatan": (
        "kode kecamatan tidak dikenal: {value}",
        "unknown kecamatan code: {value}",
    ),
    "err_bad_kabupaten_code": (
        "bukan kode kabupaten/kota Kemendagri seperti 32.03: {value}",
        "not a Kemendagri kabupaten/kota code like 32.03: {value}",
    ),
    "err_unknown_kabupaten": (
        "kode kabupaten/kota tidak dikenal: {value}",
        "unknown kabupaten/kota code: {value}",
    ),
    "err_bad_kind": (
        "jenis tidak dikenal: {value} (pilih: {kinds})",
        "unknown type: {value} (one of: {kinds})",
    ),
    "err_bad_phone": ("nomor telepon tidak valid: {value}", "not a phone number: {value}"),
    "err_one_coordinate": (
        "isi lintang dan bujur, atau kosongkan keduanya",
        "give both latitude and longitude, or neither",
    ),
    "err_duplicate_in_file": ("nama sama dengan baris {row}", "same name as row {row}"),
    "err_duplicate_name": ("nama sudah dipakai: {value}", "name already taken: {value}"),
    "err_in_past": ("tanggal sudah lewat: {value}", "date is in the past: {value}"),
    "err_out_of_scope": ("di luar wilayah Anda: {value}", "outside your area: {value}"),
    "err_bad_role": (
        "peran tidak dikenal: {value} (pilih: {roles})",
        "unknown role: {value} (one of: {roles})",
    ),
    "err_too_short": ("terlalu pendek (min. {min_length})", "too short (min. {min_length})"),
    "err_bad_scope": (
        "bukan kode provinsi/kabupaten: {value}",
        "not a province/kabupaten code: {value}",
    ),
    "field_username": ("Nama pengguna", "Username"),
    "field_display_name": ("Nama tampilan", "Display name"),
    "err_mismatch": ("kedua isian berbeda", "the two entries differ"),
    "err_wrong_password": ("salah", "is wrong"),
    "err_bad_hazard": (
        "jenis bencana tidak dikenal: {value}",
        "not a known hazard: {value}",
    ),
    "err_not_kecamatan": (
        "bukan kode kecamatan atau kabupaten: {value}",
        "not a kecamatan or kabupaten code: {value}",
    ),
    "err_unknown_event": (
        "kejadian bahaya tidak ditemukan: {value}",
        "no such hazard event: {value}",
    ),
    "err_bad_phase": (
        "status tidak dikenal: {value} (pilihan: {phases})",
        "not a known phase: {value} (one of {phases})",
    ),
    "err_end_before_start": (
        "sebelum tanggal mulai: {value}",
        "before the start date: {value}",
    ),
    "err_empty_area": (
        "wilayah kejadian tidak boleh kosong",
        "an incident's area cannot be empty",
    ),
    "err_incident_not_closed": ("kejadian tidak ditutup", "the incident is not closed"),
    "err_cannot_merge": (
        "tidak dapat digabung: {value}",
        "cannot be merged: {value}",
    ),
    "err_same_password": ("sama dengan yang lama", "is the same as the old one"),
    "err_too_many_rows": (
        "lebih dari {max_rows} baris; bagi berkasnya",
        "more than {max_rows} rows; split the file",
    ),
    "field_password": ("Kata sandi", "Password"),
    "field_new_password": ("Kata sandi baru", "New password"),
    "field_hazard": ("Jenis bencana", "Hazard"),
    "field_kecamatan": ("Kecamatan", "Kecamatan"),
    "field_decree": ("Nomor SK", "Decree number"),
    "field_authority": ("Penetap", "Set by"),
    "field_starts_on": ("Mulai", "From"),
    "field_ends_on": ("Sampai", "Until"),
    "field_started_at": ("Waktu mulai", "Start time"),
    "field_phase": ("Status darurat", "Emergency phase"),
    "field_reason": ("Alasan", "Reason"),
    "field_add": ("Tambah kecamatan", "Add kecamatan"),
    "field_remove": ("Hapus kecamatan", "Remove kecamatan"),
    "field_other": ("Kejadian lain", "Other incident"),
    "field_event_ids": ("Kejadian bahaya", "Hazard events"),
    "field_scope": ("Wilayah", "Area"),
    "err_incident_not_open": ("kejadian tidak terbuka", "the incident is not open"),
    # reports
    "no_reports": ("Belum ada laporan dampak kecamatan.", "No kecamatan impact reports yet."),
    "latest_per_kecamatan": ("Laporan terbaru per kecamatan", "Latest report per kecamatan"),
    # impact reports page
    "tab_summary": ("Ringkasan", "Summary"),
    "tab_reports": ("Laporan & verifikasi", "Reports & verification"),
    "tab_entry": ("Input laporan", "New report"),
    "tab_whatsapp": ("Tempel WhatsApp", "Paste WhatsApp"),
    "whatsapp_help": (
        'Tempel satu atau lebih pesan posko (mulai dengan "Kec." atau "Kecamatan"). '
        "Angka yang terbaca ditandai; periksa lalu simpan per kecamatan.",
        'Paste one or more posko messages (starting with "Kec." or "Kecamatan"). '
        "Figures read are marked; check them, then save each kecamatan.",
    ),
    "whatsapp_paste": ("Pesan WhatsApp", "WhatsApp messages"),
    "whatsapp_read": ("Baca pesan", "Read messages"),
    "whatsapp_nothing": (
        'Tidak ada pesan yang dimulai dengan "Kec." atau "Kecamatan".',
        'No message starts with "Kec." or "Kecamatan".',
    ),
    "whatsapp_which": ('Pilih kecamatan untuk "{name}"', 'Choose the kecamatan for "{name}"'),
    "whatsapp_unread": (
        "Tidak terbaca (isi sendiri bila perlu): {parts}",
        "Not read (enter them yourself if needed): {parts}",
    ),
    "tab_export": ("Ekspor", "Export"),
    "tab_reporters": ("Pelapor lapangan", "Field reporters"),
    "links_help": (
        "Tautan pribadi untuk pilar sosial (TKSK, Tagana, PSM, Karang Taruna, SLRT, PKH) melapor "
        "dari HP tanpa akun: hanya halaman Lapor, hanya kecamatan mereka, laporan masuk sebagai "
        "belum terverifikasi. Kirim tautannya lewat WhatsApp; cabut kapan saja.",
        "Personal links for the pilar sosial (TKSK, Tagana, PSM, Karang Taruna, SLRT, PKH) to "
        "report from a phone without an account: the Lapor page only, their kecamatan only, "
        "reports arrive unverified. Send the link by WhatsApp; revoke it at any time.",
    ),
    "links_not_allowed": (
        "Tautan pelapor dikelola koordinator dan admin.",
        "Reporters' links are managed by coordinators and admins.",
    ),
    "field_days": ("Berlaku (hari)", "Valid for (days)"),
    "link_this_incident_only": (
        "Hanya untuk kejadian ini (jika tidak: semua kejadian terbuka di kecamatan tersebut)",
        "For this incident only (otherwise: every open incident in those kecamatan)",
    ),
    "link_issue": ("Buat tautan", "Issue link"),
    "link_issued": (
        "Tautan untuk {name} (hanya tampil sekali; salin sekarang):",
        "Link for {name} (shown once; copy it now):",
    ),
    "link_revoke_which": ("Tautan", "Link"),
    "link_revoke": ("Cabut tautan", "Revoke link"),
    "link_revoked_done": ("Tautan #{id} dicabut.", "Link #{id} revoked."),
    "link_valid": ("berlaku", "valid"),
    "link_expired": ("kedaluwarsa", "expired"),
    "link_revoked": ("dicabut", "revoked"),
    "link_until": ("Berlaku s.d.", "Valid until"),
    "link_state": ("Status", "State"),
    "link_used": ("Terakhir dipakai", "Last used"),
    "all_open": ("semua yang terbuka", "all open"),
    "all_incidents": ("Semua kejadian terbuka", "All open incidents"),
    "include_unverified": ("Sertakan laporan belum terverifikasi", "Include unverified reports"),
    "unverified_marked": (
        "Angka termasuk {n} laporan yang BELUM terverifikasi.",
        "Figures include {n} reports NOT yet verified.",
    ),
    "verified_only": (
        "Hanya laporan terverifikasi yang dihitung.",
        "Only verified reports are counted.",
    ),
    "map_figure": ("Angka di peta", "Figure on the map"),
    "choropleth_title": ("Peta dampak per kecamatan", "Impact by kecamatan"),
    "no_figure_key": ("tidak ada/belum dilaporkan", "none/not reported"),
    "no_figure": ("Belum ada angka untuk peta ini.", "No figures for this map yet."),
    "bar_title": ("Per kecamatan", "By kecamatan"),
    "series_title": ("Perkembangan harian", "Day by day"),
    "rollup_kabupaten": ("Per kabupaten/kota", "By regency/city"),
    "rollup_province": ("Per provinsi", "By province"),
    "side_by_side": (
        "Angka per sumber (laporan terbaru tiap sumber)",
        "Figures by source (newest report of each)",
    ),
    "side_figure": ("Angka", "Figure"),
    "choose_kecamatan_filter": ("Kecamatan", "Kecamatan"),
    "versions_title": ("Semua versi laporan", "Every report version"),
    "choose_report": ("Pilih laporan untuk diverifikasi", "Choose a report to verify"),
    "verify": ("Verifikasi", "Verify"),
    "reject": ("Tolak", "Reject"),
    "rejection_reason": ("Alasan penolakan", "Reason for rejection"),
    "verified_ok": ("Laporan diverifikasi.", "Report verified."),
    "rejected_ok": ("Laporan ditolak.", "Report rejected."),
    "report_time": ("Waktu laporan (WIB)", "Report time (WIB)"),
    "report_date": ("Tanggal laporan", "Report date"),
    "reporter": ("Pelapor", "Reporter"),
    "source": ("Sumber", "Source"),
    "needs_help": (
        "Kebutuhan mendesak, mis. `tenda: 20; selimut: 300`",
        "Urgent needs, e.g. `tenda: 20; selimut: 300`",
    ),
    "aid_help": (
        "Bantuan tersalurkan, mis. `sembako: 100: 2026-11-21`",
        "Aid delivered, e.g. `sembako: 100: 2026-11-21`",
    ),
    "notes": ("Catatan", "Notes"),
    "save_report": ("Simpan laporan", "Save report"),
    "report_saved": (
        "Laporan {kecamatan} versi {version} disimpan.",
        "Report for {kecamatan} saved as version {version}.",
    ),
    "outside_area": (
        "Perhatian: kecamatan ini di luar wilayah terdampak kejadian.",
        "Note: this kecamatan is outside the incident's affected area.",
    ),
    "confirm_drops": (
        "Angka turun tajam dibanding versi sebelumnya: {drops}. Periksa lalu simpan lagi "
        "dengan konfirmasi.",
        "Figures dropped sharply since the previous version: {drops}. Check, then save again "
        "with the confirmation.",
    ),
    "confirm_save": ("Saya sudah memeriksa; simpan", "I have checked; save"),
    "accept_drops": (
        "Terima angka yang turun tajam (tanpa karantina)",
        "Accept sharply dropped figures (no quarantine)",
    ),
    "reports_import_help": (
        "Unggah CSV atau Excel laporan untuk kejadian terpilih. Kolom dikenali dari nama umum "
        "(kode_kecamatan, waktu_laporan, pelapor, sumber, meninggal, hilang, luka_berat, "
        "mengungsi, rumah_rusak_berat, ...) dan kolom BNPB/DIBI: kecamatan dicari dari kodenya, "
        'atau dari namanya di kabupaten berkas (id_kab, kabkot, "Kec. X" di lokasi); cocokan '
        "tampil di kolom area_match untuk diperiksa. Kolom lain tetap disimpan (~nama kolom).",
        "Upload a CSV or Excel file of reports for the chosen incident. Columns are recognised "
        "by their usual names (kode_kecamatan, waktu_laporan, pelapor, sumber, meninggal, hilang, "
        "luka_berat, mengungsi, rumah_rusak_berat, ...) and BNPB/DIBI columns: the kecamatan is "
        "found by its code, or by its name within the file's kabupaten (id_kab, kabkot, "
        '"Kec. X" in lokasi); the match is shown in the area_match column to check. Other '
        "columns are kept (~column name).",
    ),
    "choose_one_incident": (
        "Pilih satu kejadian untuk menambah atau mengimpor laporan.",
        "Choose one incident to add or import reports.",
    ),
    "export_help": (
        "Laporan yang dihitung per kecamatan (sesuai pilihan verifikasi di atas).",
        "The counted report of each kecamatan (following the verification choice above).",
    ),
    "export_csv": ("Unduh CSV", "Download CSV"),
    "export_hxl": ("Unduh CSV ber-tag HXL", "Download HXL-tagged CSV"),
    "export_geojson": ("Unduh GeoJSON", "Download GeoJSON"),
    "col_name": ("Nama", "Name"),
    "col_item": ("Barang", "Item"),
    "col_needed": ("Dibutuhkan", "Needed"),
    "col_delivered": ("Tersalur", "Delivered"),
    # wall screen and sitrep
    "kiosk_impact": ("Dampak (terverifikasi)", "Impact (verified)"),
    "kiosk_map": ("Peta situasi", "Situation map"),
    "kiosk_top": ("Kecamatan terdampak terbesar", "Hardest-hit kecamatan"),
    "kiosk_bmkg": (
        "Gempa terkini dan peringatan dini BMKG",
        "Latest BMKG earthquakes and warnings",
    ),
    "kiosk_needs": ("Kebutuhan dan bantuan tersalur", "Needs and aid delivered"),
    "kiosk_ticker": ("Perubahan terakhir", "Latest changes"),
    "data_age": ("data {age} lalu", "data {age} old"),
    "data_stale": ("DATA LAMA: {age} tanpa pembaruan", "STALE: no update for {age}"),
    "no_warnings": ("Tidak ada peringatan dini aktif.", "No active warnings."),
    "kiosk_link": (
        "Layar dinding: buka `{link}` (tanpa menu, tema gelap, panel bergantian tiap {s} detik).",
        "Wall screen: open `{link}` (no menus, dark theme, panels rotate every {s} s).",
    ),
    "sitrep_title": ("Laporan Situasi (Sitrep)", "Situation report (sitrep)"),
    "sitreps_issued": ("Sudah terbit: {list}", "Issued so far: {list}"),
    "make_sitrep": ("Buat Laporan Situasi", "Make the situation report"),
    "sitrep_made": ("Sitrep No. {number} diterbitkan.", "Sitrep No. {number} issued."),
    "sitrep_whatsapp": ("Teks WhatsApp (salin)", "WhatsApp text (copy)"),
    "download_html": (
        "Unduh versi cetak (HTML, cetak ke PDF)",
        "Download print version (HTML, print to PDF)",
    ),
    "download_text": ("Unduh teks", "Download text"),
    "tick_assigned": ("{team} ditugaskan ke {place}", "{team} sent to {place}"),
    "tick_status": ("{team}: {status}", "{team}: {status}"),
    "tick_report": ("Laporan {place} diperbarui", "{place} report updated"),
    "tick_verified": ("Laporan {place} diverifikasi", "{place} report verified"),
    "tick_sitrep": (
        "Laporan Situasi No. {number} diterbitkan",
        "Situation report No. {number} issued",
    ),
    "tick_opened": ("Kejadian dibuka: {name}", "Incident opened: {name}"),
    "tick_phase": ("Status {phase} ditetapkan s.d. {until}", "{phase} declared until {until}"),
    "col_reason": ("Alasan", "Reason"),
    "col_notes": ("Catatan", "Notes"),
    "source_from_file": ("(dari berkas)", "(from the file)"),
    "import_default_source": (
        "Sumber bila berkas tidak menyebutnya",
        "Source where the file does not name one",
    ),
    "source_tksk": ("TKSK", "TKSK"),
    "source_tagana": ("Tagana", "Tagana"),
    "source_psm": ("PSM", "PSM"),
    "source_karang_taruna": ("Karang Taruna", "Karang Taruna"),
    "source_slrt": ("SLRT", "SLRT"),
    "source_pkh": ("Pendamping PKH", "PKH facilitator"),
    "source_dinsos": ("Dinsos", "Dinsos"),
    "source_bpbd": ("BPBD", "BPBD"),
    "source_other": ("Lainnya", "Other"),
    "fig_deaths": ("Meninggal", "Dead"),
    "fig_missing": ("Hilang", "Missing"),
    "fig_injured": ("Luka-luka", "Injured"),
    "fig_houses_damaged": ("Rumah rusak", "Houses damaged"),
    "fig_injured_severe": ("Luka berat", "Severely injured"),
    "fig_injured_light": ("Luka ringan", "Lightly injured"),
    "fig_displaced": ("Mengungsi (jiwa)", "Displaced (people)"),
    "fig_shelters": ("Titik pengungsian", "Shelter sites"),
    "fig_affected_families": ("KK terdampak", "Families affected"),
    "fig_affected_people": ("Jiwa terdampak", "People affected"),
    "fig_houses_heavy": ("Rumah rusak berat", "Houses heavily damaged"),
    "fig_houses_moderate": ("Rumah rusak sedang", "Houses moderately damaged"),
    "fig_houses_light": ("Rumah rusak ringan", "Houses lightly damaged"),
    "fig_houses_flooded": ("Rumah terendam", "Houses flooded"),
    "fig_schools_damaged": ("Sekolah rusak", "Schools damaged"),
    "fig_worship_damaged": ("Rumah ibadah rusak", "Places of worship damaged"),
    "fig_health_damaged": ("Faskes rusak", "Health facilities damaged"),
    "fig_offices_damaged": ("Kantor rusak", "Offices damaged"),
    "fig_bridges_damaged": ("Jembatan rusak", "Bridges damaged"),
    "fig_injured_unspecified": ("Luka (tidak dirinci)", "Injured (not divided)"),
    "field_report_time": ("Waktu laporan", "Report time"),
    "field_reporter": ("Pelapor", "Reporter"),
    "field_source": ("Sumber", "Source"),
    "field_needs": ("Kebutuhan", "Needs"),
    "field_aid_delivered": ("Bantuan tersalurkan", "Aid delivered"),
    "field_notes": ("Catatan", "Notes"),
    "field_rejection_reason": ("Alasan penolakan", "Reason for rejection"),
    "field_deaths": ("Meninggal", "Dead"),
    "field_injured": ("Luka-luka", "Injured"),
    "field_houses_damaged": ("Rumah rusak", "Houses damaged"),
    "field_missing": ("Hilang", "Missing"),
    "field_injured_severe": ("Luka berat", "Severely injured"),
    "field_injured_light": ("Luka ringan", "Lightly injured"),
    "field_displaced": ("Mengungsi", "Displaced"),
    "field_shelters": ("Titik pengungsian", "Shelter sites"),
    "field_affected_families": ("KK terdampak", "Families affected"),
    "field_affected_people": ("Jiwa terdampak", "People affected"),
    "field_houses_heavy": ("Rumah rusak berat", "Houses heavily damaged"),
    "field_houses_moderate": ("Rumah rusak sedang", "Houses moderately damaged"),
    "field_houses_light": ("Rumah rusak ringan", "Houses lightly damaged"),
    "field_houses_flooded": ("Rumah terendam", "Houses flooded"),
    "field_schools_damaged": ("Sekolah rusak", "Schools damaged"),
    "field_worship_damaged": ("Rumah ibadah rusak", "Places of worship damaged"),
    "field_health_damaged": ("Faskes rusak", "Health facilities damaged"),
    "field_offices_damaged": ("Kantor rusak", "Offices damaged"),
    "field_bridges_damaged": ("Jembatan rusak", "Bridges damaged"),
    "field_injured_unspecified": ("Luka-luka", "Injured"),
    "err_bad_source": (
        "sumber tidak dikenal: {value} (pilih: {sources})",
        "unknown source: {value} (one of: {sources})",
    ),
    "err_bad_time": (
        "waktu tidak dikenali: {value} (mis. 2026-11-22 14:00 atau 22/11/2026 14:00)",
        "not a time: {value} (e.g. 2026-11-22 14:00 or 22/11/2026 14:00)",
    ),
    "err_in_future": ("waktu di masa depan: {value}", "time in the future: {value}"),
    "err_bad_items": (
        "tulis sebagai `barang: jumlah`: {value}",
        "write as `item: quantity`: {value}",
    ),
    "err_casualties_exceed": (
        "korban ({casualties}) lebih banyak dari jiwa terdampak ({value})",
        "casualties ({casualties}) exceed people affected ({value})",
    ),
    "err_exceeds_affected": (
        "pengungsi ({value}) lebih banyak dari jiwa terdampak ({affected})",
        "displaced ({value}) exceed people affected ({affected})",
    ),
    "err_sharp_drop": (
        "turun tajam dari {old} ke {value}",
        "dropped sharply from {old} to {value}",
    ),
    "figure_sources": ("Asal angka (laporan dan sumbernya)", "Where the figures come from"),
    "figure_from": ("Dari {n} laporan: {parts}", "From {n} reports: {parts}"),
    "figure_more": ("; dan {n} lainnya", "; and {n} more"),
    "col_figure": ("Angka", "Figure"),
    "col_value": ("Nilai", "Value"),
    "err_lowers_published": (
        "angka yang sudah tampil di briefing turun dari {old} ke {value}",
        "the figure already on the briefing falls from {old} to {value}",
    ),
    "confirm_lowering": (
        "Keputusan ini menurunkan angka resmi: {drops}. Periksa dulu; bila benar, simpan.",
        "This decision lowers published figures: {drops}. Check first; if right, save.",
    ),
    "confirm_decision": ("Ya, simpan keputusan", "Yes, save the decision"),
    "tick_lowered": (
        "Angka {figures} dikoreksi turun setelah verifikasi laporan {place}",
        "{figures} corrected down after verifying the report of {place}",
    ),
    # briefing
    "no_briefing": ("Belum ada kejadian untuk dibriefingkan.", "No incident to brief on yet."),
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
    "col_home_kecamatan": ("Kecamatan markas", "Home kecamatan"),
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


def status_words(lang: str = "id") -> dict[str, str]:
    """Every team status in words: `{"on_scene": "Bertugas", ...}`."""
    return {s.value: status_label(s.value, lang) for s in TeamStatus}


def kind_label(kind: object, lang: str = "id") -> str:
    """A roster unit type (`"karang_taruna"`) in words."""
    return t(f"kind_{kind}", lang)


COUNT_CODES = frozenset({"sharp_drop", "lowers_published"})  # whose values are counts


def field_error(
    field: str, code: str, params: dict, lang: str = "id", quote: Callable[[str], str] = str
) -> str:
    """One validation problem in words: `Jumlah anggota: tidak boleh negatif: -3`.

    A field the labels do not know (a spreadsheet's own header, `members[2].name`) is shown as
    given; a code without a label is shown as the code. `quote` is applied to what came from
    the user (values, unknown field names), e.g. to escape it for markdown.
    """
    base = field.rsplit(".", 1)[-1]
    name = t(f"field_{base}", lang) if f"field_{base}" in LABELS else quote(field)
    if field != base:
        name = f"{quote(field.split('.')[0])} {name}"
    key = f"err_{code}"
    counts = code in COUNT_CODES  # counts in the language's format ("22.144")
    values = {
        k: quote(number(v, lang) if counts and type(v) is int else str(v))
        for k, v in params.items()
    }
    try:
        problem = t(key, lang, **values) if key in LABELS else quote(code)
    except KeyError:  # a label expecting a value the error did not carry
        problem = LABELS[key][1 if lang == "en" else 0].split(":")[0]
    return f"{name}: {problem}"


def number(value: int, lang: str = "id") -> str:
    """A count with the language's thousands separator (`8.200` in Indonesian)."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "id" else text
