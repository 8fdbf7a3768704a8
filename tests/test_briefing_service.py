import pandas as pd

from command_center.services.briefing import headline


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
