"""`command-center boundaries download` against a local server serving the source's format."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from command_center.base.errors import BoundariesDownloadFailed
from command_center.base.geography import load_geography
from command_center.base.http import make_session
from command_center.sources import wilayah_boundaries as wb

FIXTURES = Path(__file__).parent / "fixtures" / "wilayah"


def _serve_fixtures(request: Request) -> Response:
    name = request.path.rsplit("/", 1)[-1]
    if (FIXTURES / name).exists():
        return Response((FIXTURES / name).read_bytes(), content_type="text/plain")
    if "_prov_" in name:  # the other province files: rows for other provinces only
        return Response(
            "INSERT INTO wilayah_boundaries(kode,nama,lat,lng,path) VALUES\n"
            "\t('11','Aceh',4.2,96.9,'[[[4,96],[4,97],[5,97],[4,96]]]');"
        )
    return Response("not found", status=404)


def _download(httpserver: HTTPServer, target: Path) -> Path:
    return wb.download(
        httpserver.url_for("/db"),
        make_session("test", retries=0),
        target,
        timeout_s=5,
        provinces=["32"],
    )


def test_download_builds_a_layer_the_app_can_load(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("").respond_with_handler(_serve_fixtures)
    target = _download(httpserver, tmp_path / "kecamatan.gpkg")
    geography = load_geography(target)
    assert list(geography.kecamatan.index) == ["32.03.01", "32.03.02"]
    assert geography.name("32.03.02") == "Ma'Ruf Test"
    assert geography.name("32.03") == "Kab. Cianjur"
    assert geography.name("32") == "Jawa Barat"
    assert geography.kecamatan.geometry["32.03.02"].geom_type == "MultiPolygon"
    # lat-first paths were turned into lon/lat: Cianjur town falls inside 32.03.01
    assert geography.locate(-6.82, 107.14).code == "32.03.01"


def test_a_missing_file_fails_clearly_and_writes_nothing(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("").respond_with_data("gone", status=404)
    target = tmp_path / "kecamatan.gpkg"
    with pytest.raises(BoundariesDownloadFailed, match=re.escape("kec_32.sql answered HTTP 404")):
        _download(httpserver, target)
    assert list(tmp_path.iterdir()) == []


def test_no_network_gives_a_message_not_a_traceback(tmp_path: Path) -> None:
    env = {
        "CC_BOUNDARIES_SOURCE_URL": "http://127.0.0.1:9/db",  # nothing listens on port 9
        "CC_DOWNLOAD_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-m", "command_center.cli", "boundaries", "download"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2
    assert (
        "error: could not reach http://127.0.0.1:9/db/kec/wilayah_boundaries_kec_11.sql"
        in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "kecamatan.gpkg").exists()


def test_source_file_list_covers_every_province() -> None:
    files = wb.source_files()
    assert len([f for f in files if f.startswith("kec/")]) == 38
    assert "kec/wilayah_boundaries_kec_32.sql" in files
