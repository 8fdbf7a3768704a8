from pathlib import Path

import pandas as pd

from command_center.base.geography import Geography
from command_center.services.briefing import change_sentence, headline, quakes_near
from command_center.services.gazetteer import gazetteer_of
from command_center.sources.bmkg_quakes import parse_infogempa


def test_headline_sums_latest_reports_of_the_incident_and_counts_teams() -> None:
    reports = pd.DataFrame(
        {
            "incident_id": [1, 1, 2],
            "deaths": [3, None, 100],
            "missing": [1, 0, 0],
            "injured_severe": [2, 1, 0],
            "injured_light": [5, None, 0],
            "injured_unspecified": [None, 4, 0],  # BNPB's undivided "terluka"
            "displaced": [100, 50, 0],
            "houses_heavy": [1, 0, 0],
            "houses_moderate": [2, 0, 0],
            "houses_light": [3, 4, 0],
            "verification": ["verified", "unverified", "verified"],
        }
    )
    teams = pd.DataFrame(
        {
            "status": ["on_scene", "en_route", "standby", "on_scene", "unavailable", "standby"],
            "assigned_incident_id": [1, 1, None, 2, None, None],
            "home_kabupaten_code": ["32.03", "32.04", "32.05", "32.03", "32.03", "94.01"],
        }
    )
    figures = headline(reports, teams, incident_id=1, provinces={"32"})
    assert (figures.deaths, figures.missing, figures.injured) == (3, 1, 12)
    assert (figures.displaced, figures.houses_damaged) == (150, 10)
    assert (figures.teams_deployed, figures.teams_standby) == (2, 1)  # not Papua's standby team
    assert (figures.kecamatan_reporting, figures.unverified_reports) == (2, 1)


def test_headline_of_an_incident_without_reports_is_zero() -> None:
    reports = pd.DataFrame(columns=["incident_id", "deaths", "verification"])
    teams = pd.DataFrame({"status": [], "assigned_incident_id": [], "home_kabupaten_code": []})
    figures = headline(reports, teams, incident_id=1, provinces={"32"})
    assert figures.deaths == 0 and figures.kecamatan_reporting == 0


def test_a_wall_screen_lists_the_quakes_near_its_area_or_felt_there(
    shared_data: Path, geography: Geography
) -> None:
    """For a flood in Kab. Bandung: the quakes within the distance, and one felt in Bandung
    from farther away; not Papua's, Lombok's or the rest of BMKG's recorded lists."""
    recorded = [
        q
        for name in ("gempaterkini_20261007", "gempadirasakan_20261007")
        for q in parse_infogempa((shared_data / "bmkg" / f"{name}_ai-gempa-bmkg.json").read_bytes())
    ]
    cianjur = (-6.84, 107.05, "M5,6 Cianjur", [])
    felt_far = (-9.9, 108.3, "M6,1 Samudra Hindia", [[3, 3, "Kab. Bandung"]])
    quakes = pd.DataFrame(
        [
            (q.lat, q.lon, q.location_text, [[f.mmi_min, f.mmi_max, f.place] for f in q.felt])
            for q in recorded
        ]
        + [cianjur, felt_far],
        columns=["lat", "lon", "location_text", "felt"],
    ).assign(details=lambda f: [{"felt": felt} for felt in f["felt"]])
    points = geography.points
    bandung = points[points["kode_kec"].isin(["32.04.12", "32.04.32", "32.04.08"])]
    gazetteer = gazetteer_of(points)
    near = quakes_near(
        quakes, bandung, 300, lambda place, lat, lon: gazetteer.resolve(place, lat, lon).kode_kab
    )
    assert list(near["location_text"]) == [
        "198 km BaratDaya BAYAH-BANTEN",  # 280 km off
        "186 km BaratDaya BAYAH-BANTEN",
        "Pusat gempa berada di laut 35 km barat daya Sumur",  # 250 km off
        "M5,6 Cianjur",
        "M6,1 Samudra Hindia",  # 330 km off, felt in Kab. Bandung
    ]
    assert quakes_near(quakes, bandung, 30, lambda *_: None).empty  # nothing that close


def test_the_ticker_writes_a_phases_end_as_a_day() -> None:
    """Item 9 of #34: "s.d. 19 Des 2026", never the stored "2026-12-19"."""
    after = {"phase": "tanggap_darurat", "until": "2026-12-19"}
    line = change_sentence("incident", "phase", after, "", "", "id")
    assert line == "Status Tanggap darurat ditetapkan s.d. 19 Des 2026"
    assert change_sentence("incident", "phase", after, "", "", "en").endswith("19 Dec 2026")
