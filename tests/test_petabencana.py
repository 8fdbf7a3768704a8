"""PetaBencana.id community flood reports: the real archive parsed, stored once, tied to the
kecamatan they lie in, polled from a local server playing the live API, and shown on the live
map apart from official figures, marked unverified, their text never read as HTML."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pytest_httpserver import HTTPServer
from sqlalchemy.orm import Session

from command_center.base.db import make_engine
from command_center.base.http import make_session
from command_center.base.labels import t
from command_center.base.times import utcnow
from command_center.services.community import community_markers, per_kecamatan
from command_center.sources.petabencana import parse_reports
from command_center.stores import community as community_store
from command_center.ui import maps
from command_center.workers import ingest
from command_center.workers.ingest import Feed

ARCHIVE = "impacts/petabencana_jbd_reports_2017-02-21.geojson"


def _recent(shared_data: Path, hours_ago: float = 1.0) -> bytes:
    """The archive's first 40 reports as the live API sends them, made `hours_ago`."""
    data = json.loads((shared_data / ARCHIVE).read_text())
    when = (utcnow() - timedelta(hours=hours_ago)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    features = data["features"][:40]
    for n, feature in enumerate(features):
        feature["properties"] |= {"created_at": when, "pkey": str(9000 + n)}
    features[0]["properties"]["text"] = '<img src=x onerror="alert(1)"> banjir 50 cm'
    return json.dumps({"statusCode": 200, "result": {**data, "features": features}}).encode()


def test_the_archive_is_read_with_its_local_time_and_depths(shared_data: Path) -> None:
    reports = parse_reports((shared_data / ARCHIVE).read_bytes())
    assert len(reports) == 1057
    first = reports[0]
    assert first.created_at == datetime(2017, 2, 20, 23, 34, 7, 672000, tzinfo=UTC)  # 06:34 WIB
    assert (first.app, first.depth_cm, round(first.lat, 3)) == ("grasp", 39, -6.153)
    assert sum(r.depth_cm is None for r in reports) > 0  # many give no depth: kept as unknown
    assert len({r.external_id for r in reports}) == len(reports)


def test_reports_are_stored_once_and_counted_per_kecamatan(
    engine, geography, shared_data: Path
) -> None:
    reports = parse_reports((shared_data / ARCHIVE).read_bytes())
    with Session(engine) as session, session.begin():
        assert community_store.save_reports(session, reports) == 1057
    with Session(engine) as session, session.begin():
        assert community_store.save_reports(session, reports) == 0
    stored = community_store.recent(engine, datetime(2017, 2, 20, tzinfo=UTC))
    counts = per_kecamatan(stored, geography)
    assert counts["reports"].sum() <= 1057 and counts["reports"].sum() > 1000
    assert set(counts["kecamatan_code"].str[:2]) <= {"31", "32", "36"}  # Jabodetabek
    top = counts.iloc[0]
    assert top["reports"] == counts["reports"].max() and top["kecamatan"]


def test_the_worker_polls_the_live_api_and_replays_the_archive(
    engine, httpserver: HTTPServer, shared_data: Path, tmp_path: Path
) -> None:
    httpserver.expect_request("/reports").respond_with_data(
        _recent(shared_data), content_type="application/json"
    )
    feed = Feed("petabencana", httpserver.url_for("/reports"), 300, "petabencana")
    assert ingest.poll(engine, make_session("test", retries=0), feed, 5) == "ok"
    assert len(community_store.recent(engine, utcnow() - timedelta(hours=2))) == 40
    folder = tmp_path / "replay"
    folder.mkdir()
    (folder / "petabencana_jbd_reports_2017-02-21.geojson").write_bytes(
        (shared_data / ARCHIVE).read_bytes()
    )
    outcome = ingest.replay(engine, folder)
    assert [o.status for o in outcome.values()] == ["ok"]
    assert len(community_store.recent(engine, datetime(2017, 1, 1, tzinfo=UTC))) == 1097


def test_the_live_map_shows_community_reports_apart_and_unverified(
    open_page, with_demo, database_url, shared_data: Path
) -> None:
    engine = make_engine(database_url)
    with Session(engine) as session, session.begin():
        community_store.save_reports(session, parse_reports(_recent(shared_data)))
    at = open_page("pages/live_map.py")
    captions = " ".join(c.value for c in at.caption)
    assert t("community_note", n=40) in captions
    table = at.dataframe[-1].value
    assert table[t("col_reports")].sum() == 40


def test_a_residents_text_reaches_the_map_only_as_text(shared_data: Path) -> None:
    markers = community_markers(parse_reports(_recent(shared_data))[:3], "id")
    assert "belum terverifikasi" in markers[0].label and "50 cm" not in markers[0].label[:5]
    fmap = maps.base_map("", "")
    maps.community_layer(markers).add_to(fmap)
    html = fmap.get_root().render()
    assert "<img src=x" not in html and "\\u003cimg src=x" in html
