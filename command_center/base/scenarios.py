"""The training scenarios ("Latihan"): an M5.6 earthquake in Kabupaten Cianjur and a Citarum
flood in Kabupaten Bandung, both in Jawa Barat, so the dashboard shows several incidents of
different hazards at once.

Figures are our own, plausible but invented; kecamatan codes are real Kemendagri codes (checked
against the boundary layer when loading). `demo.py` loads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from command_center.base.models import FIGURES

FIRST_REPORT_SHARE = 0.6  # the first reports counted about 60 % of what the second found


@dataclass(frozen=True)
class DemoTeam:
    name: str
    kind: str
    home_kecamatan: str
    status: str
    members: int
    skills: tuple[str, ...]
    assigned_to: str | None = None
    task: str = ""
    reason: str | None = None


@dataclass(frozen=True)
class DemoPlace:
    """A warehouse (`kind`), shelter (`people`: jiwa, KK, balita, ibu hamil, lansia,
    disabilitas) or dapur umum (`team`, portions per meal) of a scenario."""

    name: str
    kecamatan: str
    lat: float
    lon: float
    kind: str = ""
    stock: tuple[tuple[str, str, int, int | None], ...] = ()  # item, batch, qty, expires in days
    people: tuple[int, ...] = ()
    team: str = ""
    portions: int = 0


@dataclass(frozen=True)
class DemoDispatch:
    warehouse: str
    shelter: str
    lines: tuple[tuple[str, int], ...]
    received: bool


@dataclass(frozen=True)
class Scenario:
    """One exercise incident with its reports (two versions per kecamatan), teams, phases."""

    key: str
    name: str
    hazard: str
    hours_ago: int  # when it started, before loading
    figure_names: tuple[str, ...]  # what each `impacts` tuple gives, in order
    impacts: dict[str, tuple[int, ...]]  # kecamatan -> figures in the newer report
    teams: tuple[DemoTeam, ...]
    needs: tuple[tuple[str, int, int], ...]  # item, and how many per displaced: a / b
    description: str = ""
    event: dict[str, Any] | None = None  # the hazard event it was raised from
    # phase, decree (a real number format), its authority (heading the incident's area), from,
    # until; loaded as confirmed
    phases: tuple[tuple[str, str, str, int, int], ...] = ()
    warehouses: tuple[DemoPlace, ...] = ()
    shelters: tuple[DemoPlace, ...] = ()
    kitchens: tuple[DemoPlace, ...] = ()
    dispatches: tuple[DemoDispatch, ...] = ()


# kecamatan: (deaths, missing, injured_severe, injured_light, displaced, shelters,
#             houses_heavy, houses_moderate, houses_light) in the second, newer report
QUAKE_IMPACTS = {
    "32.03.11": (41, 6, 38, 210, 8200, 24, 920, 1300, 2100),  # Cugenang, near the epicentre
    "32.03.01": (12, 1, 25, 160, 5400, 18, 410, 880, 1900),  # Cianjur
    "32.03.10": (9, 2, 14, 95, 3100, 11, 300, 520, 1100),  # Pacet
    "32.03.02": (7, 0, 11, 80, 2600, 9, 260, 450, 980),  # Warungkondang
    "32.03.27": (5, 1, 9, 60, 1900, 7, 180, 340, 760),  # Gekbrong
    "32.03.04": (4, 0, 8, 55, 1500, 6, 120, 300, 700),  # Cilaku
    "32.03.07": (3, 0, 6, 40, 1200, 5, 90, 260, 640),  # Karangtengah
    "32.03.28": (3, 0, 5, 35, 950, 4, 70, 210, 520),  # Cipanas
    "32.03.13": (2, 0, 4, 28, 700, 3, 45, 160, 430),  # Sukaresmi
    "32.03.09": (1, 0, 3, 22, 520, 3, 30, 120, 380),  # Sukaluyu
    "32.03.08": (1, 0, 2, 18, 400, 2, 22, 95, 300),  # Mande
    "32.03.03": (0, 0, 2, 15, 310, 2, 15, 80, 260),  # Cibeber
    "32.03.05": (0, 0, 1, 12, 220, 1, 10, 60, 210),  # Ciranjang
    "32.03.06": (0, 0, 1, 9, 150, 1, 6, 40, 150),  # Bonjogpicung
    "32.03.31": (0, 0, 0, 6, 90, 1, 3, 25, 110),  # Haurwangi
}
QUAKE_TEAMS = (
    DemoTeam(
        "Tagana Kab. Cianjur 1 (Latihan)",
        "tagana",
        "32.03.01",
        "on_scene",
        18,
        ("evakuasi", "dapur umum", "shelter"),
        "32.03.11",
        "Evakuasi dan dapur umum",
    ),
    DemoTeam(
        "Tagana Kab. Cianjur 2 (Latihan)",
        "tagana",
        "32.03.01",
        "standby",
        12,
        ("logistik", "psikososial"),
    ),
    DemoTeam(
        "Tagana Kab. Sukabumi (Latihan)",
        "tagana",
        "32.02.01",
        "on_scene",
        15,
        ("SAR air", "evakuasi", "medis dasar"),
        "32.03.10",
        "Pencarian korban hilang",
    ),
    DemoTeam(
        "Tagana Kab. Bogor (Latihan)",
        "tagana",
        "32.01.01",
        "en_route",
        14,
        ("dapur umum", "logistik"),
        "32.03.02",
        "Dapur umum pengungsian",
    ),
    DemoTeam(
        "Tagana Kab. Bandung (Latihan)",
        "tagana",
        "32.04.37",
        "returning",
        10,
        ("shelter", "huntara"),
        "32.03.01",
        "Pendirian tenda pengungsian",
    ),
    DemoTeam(
        "Tagana Kab. Garut (Latihan)",
        "tagana",
        "32.05.01",
        "standby",
        16,
        ("psikososial", "dapur umum"),
    ),
    DemoTeam(
        "Tagana Kota Bandung (Latihan)",
        "tagana",
        "32.73.01",
        "standby",
        11,
        ("medis dasar", "evakuasi"),
    ),
    DemoTeam(
        "Tagana Kab. Purwakarta (Latihan)",
        "tagana",
        "32.14.01",
        "unavailable",
        9,
        ("logistik",),
        reason="Kendaraan operasional dalam perbaikan",
    ),
    DemoTeam(
        "TKSK Kec. Cugenang (Latihan)",
        "tksk",
        "32.03.11",
        "on_scene",
        1,
        ("pendataan",),
        "32.03.11",
        "Pendataan pengungsi",
    ),
    DemoTeam(
        "Karang Taruna Kec. Pacet (Latihan)",
        "karang_taruna",
        "32.03.10",
        "standby",
        20,
        ("logistik", "dapur umum"),
    ),
)


# kecamatan: (deaths, missing, injured_light, displaced, shelters, houses_flooded,
#             houses_heavy, affected_families) along the Citarum, in the newer report
FLOOD_IMPACTS = {
    "32.04.12": (2, 1, 24, 6200, 14, 5100, 35, 6900),  # Dayeuhkolot
    "32.04.32": (1, 0, 18, 4800, 11, 4300, 22, 5600),  # Baleendah
    "32.04.08": (0, 1, 11, 2900, 8, 2600, 12, 3400),  # Bojongsoang
    "32.04.28": (0, 0, 6, 1500, 5, 1900, 4, 2100),  # Rancaekek
    "32.04.34": (0, 0, 4, 900, 3, 1200, 3, 1500),  # Solokanjeruk
    "32.04.33": (0, 0, 3, 600, 2, 800, 2, 900),  # Majalaya
    "32.04.11": (0, 0, 2, 350, 2, 520, 0, 610),  # Katapang
    "32.04.14": (0, 0, 1, 200, 1, 310, 0, 380),  # Pameungpeuk
}

FLOOD_TEAMS = (
    DemoTeam(
        "Tagana Kab. Bandung 2 (Latihan)",
        "tagana",
        "32.04.37",
        "on_scene",
        17,
        ("SAR air", "evakuasi", "dapur umum"),
        "32.04.12",
        "Evakuasi perahu karet dan dapur umum Dayeuhkolot",
    ),
    DemoTeam(
        "TKSK Kec. Dayeuhkolot (Latihan)",
        "tksk",
        "32.04.12",
        "on_scene",
        1,
        ("pendataan",),
        "32.04.12",
        "Pendataan pengungsi di posko",
    ),
    DemoTeam(
        "Tagana Kota Cimahi (Latihan)",
        "tagana",
        "32.77.01",
        "en_route",
        12,
        ("dapur umum", "logistik"),
        "32.04.32",
        "Dapur umum posko Baleendah",
    ),
    DemoTeam(
        "Tagana Kab. Bandung Barat (Latihan)",
        "tagana",
        "32.17.01",
        "standby",
        13,
        ("SAR air", "shelter"),
    ),
)

SCENARIOS = (
    Scenario(
        key="latihan-gempa-cianjur",
        name="LATIHAN Gempa M5,6 Kabupaten Cianjur",
        hazard="gempa_bumi",
        hours_ago=20,
        figure_names=(*FIGURES[:6], *FIGURES[8:11]),
        impacts=QUAKE_IMPACTS,
        teams=QUAKE_TEAMS,
        needs=(("tenda", 1, 40), ("selimut", 1, 1), ("air bersih (liter)", 15, 1)),
        warehouses=(
            DemoPlace(
                "Gudang Dinsos Kab. Cianjur (Latihan)",
                "32.03.01",
                -6.8186,
                107.1390,
                kind="gudang_kabupaten",
                stock=(
                    ("selimut", "A2023", 2500, None),
                    ("makanan_siap_saji", "C2022", 1800, 20),
                    ("makanan_siap_saji", "C2024", 6000, 300),
                    ("family_kit", "F2024", 900, None),
                    ("tenda_gulung", "T2023", 400, None),
                ),
            ),
            DemoPlace(
                "Lumbung Sosial Cugenang (Latihan)",
                "32.03.11",
                -6.8030,
                107.0665,
                kind="lumbung_sosial",
                stock=(("selimut", "A2024", 300, None), ("makanan_siap_saji", "C2024", 900, 250)),
            ),
        ),
        shelters=(
            DemoPlace(
                "Posko Lapangan Desa Cibeureum (Latihan)",
                "32.03.11",
                -6.7985,
                107.0590,
                people=(1450, 410, 120, 35, 160, 22),
            ),
            DemoPlace(
                "Posko Masjid Agung Cianjur (Latihan)",
                "32.03.01",
                -6.8207,
                107.1425,
                people=(860, 240, 70, 18, 95, 11),
            ),
        ),
        kitchens=(
            DemoPlace(
                "Dapur Umum Cugenang (Latihan)",
                "32.03.11",
                -6.8002,
                107.0621,
                team="Tagana Kab. Cianjur 1 (Latihan)",
                portions=2300,
            ),
        ),
        dispatches=(
            DemoDispatch(
                "Gudang Dinsos Kab. Cianjur (Latihan)",
                "Posko Lapangan Desa Cibeureum (Latihan)",
                (("selimut", 1450), ("makanan_siap_saji", 2000)),
                received=True,
            ),
            DemoDispatch(
                "Gudang Dinsos Kab. Cianjur (Latihan)",
                "Posko Masjid Agung Cianjur (Latihan)",
                (("selimut", 860), ("family_kit", 240)),
                received=False,
            ),
        ),
        event={
            "source_event_id": "latihan-gempa-cianjur",
            "kind": "earthquake",
            "lat": -6.84,
            "lon": 107.05,
            "depth_km": 10.0,
            "magnitude": 5.6,
            "location_text": "10 km BaratDaya KAB-CIANJUR-JABAR (LATIHAN)",
            "felt": "V-VI Cianjur, IV Sukabumi, III Bandung",
            "tsunami_potential": False,
            "details": {
                "exercise": True,
                "felt": [[5, 6, "Cianjur"], [4, 4, "Sukabumi"], [3, 3, "Bandung"]],
            },
        },
    ),
    Scenario(
        key="latihan-banjir-bandung",
        name="LATIHAN Banjir Citarum Kabupaten Bandung",
        hazard="banjir",
        hours_ago=50,
        figure_names=(
            "deaths",
            "missing",
            "injured_light",
            "displaced",
            "shelters",
            "houses_flooded",
            "houses_heavy",
            "affected_families",
        ),
        impacts=FLOOD_IMPACTS,
        teams=FLOOD_TEAMS,
        needs=(
            ("perahu karet", 1, 1500),
            ("makanan siap saji (paket)", 3, 1),
            ("selimut", 1, 2),
        ),
        description="Luapan Sungai Citarum setelah hujan sangat lebat dua hari berturut-turut.",
        phases=(
            ("siaga_darurat", "360/101/BPBD/2026", "Bupati Bandung", -4, -3),
            ("tanggap_darurat", "360/108/BPBD/2026", "Bupati Bandung", -2, 4),
        ),
        warehouses=(
            DemoPlace(
                "Lumbung Sosial Baleendah (Latihan)",
                "32.04.32",
                -7.0010,
                107.6250,
                kind="lumbung_sosial",
                stock=(
                    ("selimut", "A2023", 600, None),
                    ("makanan_siap_saji", "C2023", 1500, 45),
                    ("matras", "M2024", 300, None),
                ),
            ),
        ),
        shelters=(
            DemoPlace(
                "Posko GOR Baleendah (Latihan)",
                "32.04.32",
                -7.0052,
                107.6268,
                people=(2100, 590, 180, 42, 230, 30),
            ),
        ),
        kitchens=(
            DemoPlace(
                "Dapur Umum Dayeuhkolot (Latihan)",
                "32.04.12",
                -6.9870,
                107.6280,
                team="Tagana Kab. Bandung 2 (Latihan)",
                portions=3100,
            ),
        ),
        dispatches=(
            DemoDispatch(
                "Lumbung Sosial Baleendah (Latihan)",
                "Posko GOR Baleendah (Latihan)",
                (("selimut", 500), ("makanan_siap_saji", 1200)),
                received=True,
            ),
        ),
    ),
)
