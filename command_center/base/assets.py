"""Map libraries served by the app itself, so maps work with no internet.

Leaflet comes from the XStatic-Leaflet package (installed from PyPI with the app) and is copied
into the `static/` folder beside `app.py`, which Streamlit serves at `/app/static/` when
`server.enableStaticServing` is on (see `.streamlit/config.toml`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import xstatic.pkg.leaflet as xleaflet

from command_center.base.settings import PROJECT_ROOT

STATIC_DIR = PROJECT_ROOT / "static"
VENDOR = "vendor"
LEAFLET_DIR = f"{VENDOR}/leaflet-{xleaflet.VERSION}"
LEAFLET_FILES = ("leaflet.js", "leaflet.css", "images")


def install_static_assets(static_dir: Path = STATIC_DIR) -> Path:
    """Copy Leaflet into `static_dir` unless that version is already there; returns its folder."""
    target = static_dir / LEAFLET_DIR
    if not (target / "leaflet.js").exists():
        staging = target.with_name(target.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        source = Path(xleaflet.BASE_DIR)
        for name in LEAFLET_FILES:
            if (source / name).is_dir():
                shutil.copytree(source / name, staging / name)
            else:
                shutil.copy2(source / name, staging / name)
        staging.replace(target)
    return target


def leaflet_urls(base_url_path: str = "") -> tuple[str, str]:
    """(js, css) URLs of the served Leaflet, under Streamlit's `server.baseUrlPath`."""
    prefix = f"/{base_url_path.strip('/')}" if base_url_path.strip("/") else ""
    root = f"{prefix}/app/static/{LEAFLET_DIR}"
    return f"{root}/leaflet.js", f"{root}/leaflet.css"
