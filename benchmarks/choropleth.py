"""National kecamatan choropleth: ours (prepared static layers, values only per rerun) against
the naive `st_folium` map with the full GeoJSON inline, side by side.

Run: `.venv/bin/python benchmarks/choropleth.py` (needs the shared kecamatan layer and, for the
first-paint figures, Chromium at /usr/bin/chromium or CC_CHROMIUM). Every one of the 7,285
kecamatan gets a value (the worst case for ours: no detail layer, the largest values map).

- server time per rerun: building the folium map and the script `st_folium` sends, median;
- payload per rerun: the size of that script; ours also fetches the three static layers once
  (they are cached by the browser afterwards), shown raw and gzip-compressed as Streamlit
  serves them;
- first paint: headless Chromium, navigation start to the choropleth drawn, median.
"""

from __future__ import annotations

import gzip
import http.server
import os
import statistics
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

import folium
from streamlit_folium import generate_leaflet_string

from command_center.base.assets import STATIC_DIR, install_static_assets
from command_center.base.geography import load_geography
from command_center.base.settings import load_settings
from command_center.base.static_layers import install_layers, static_url
from command_center.ui import maps

RUNS = 3
CHROMIUM = os.environ.get("CC_CHROMIUM", "/usr/bin/chromium")


def sent_script(fmap: folium.Map) -> str:
    """What `st_folium` does with a map on every rerun before sending it."""
    fmap.get_root().render()
    return generate_leaflet_string(fmap)


def ours(values: dict[str, list[str]], urls: dict[str, str]) -> folium.Map:
    fmap = maps.base_map("", "")
    maps.Choropleth(values, urls).add_to(fmap)
    return fmap


def naive(geojson: str, colours: dict[str, str]) -> folium.Map:
    fmap = maps.base_map("", "")
    folium.GeoJson(
        geojson,
        style_function=lambda f: {
            "fillColor": colours[f["properties"]["kode_kec"]],
            "color": "#616161",
            "weight": 0.4,
            "fillOpacity": 0.85,
        },
        tooltip=folium.GeoJsonTooltip(["kecamatan", "kode_kec"]),
    ).add_to(fmap)
    return fmap


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def first_paint(pages: dict[str, str], folder: Path) -> dict[str, float]:
    """Median ms from navigation start until each page's map is drawn, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    handler = partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    results: dict[str, list[float]] = {name: [] for name in pages}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        for _ in range(RUNS):
            for name, file in pages.items():
                page = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
                page.goto(f"{base}/{file}", wait_until="load", timeout=300_000)
                if name == "ours":
                    page.wait_for_function("window.ccChoroplethDrawn", timeout=300_000)
                    drawn = page.evaluate("window.ccChoroplethDrawn - performance.timeOrigin")
                else:  # inline layers are drawn by the time `load` fires; wait for a frame
                    drawn = page.evaluate(
                        "new Promise(r => requestAnimationFrame(() => r(performance.now())))"
                    )
                results[name].append(drawn)
                page.context.close()
        browser.close()
    server.shutdown()
    return {name: statistics.median(times) for name, times in results.items()}


def main() -> None:
    settings = load_settings()
    geography = load_geography(settings.kecamatan_path, settings.cache_dir)
    install_static_assets()
    paths = install_layers(geography)
    urls = {level: static_url(path) for level, path in paths.items()}
    codes = list(geography.kecamatan.index)
    amounts = [(i * 37) % 1000 for i in range(len(codes))]
    legend = maps.classes(amounts)
    colours = {
        c: maps.class_colour(a, legend) or "#f5f5f5" for c, a in zip(codes, amounts, strict=True)
    }
    values = {c: [colours[c], str(a)] for c, a in zip(codes, amounts, strict=True)}
    full = geography.kecamatan[["kode_kec", "kecamatan", "geometry"]].to_json(drop_id=True)

    runs = {"ours": [], "naive": []}
    scripts = {}
    for _ in range(RUNS):
        for name, build in (
            ("ours", lambda: ours(values, urls)),
            ("naive", lambda: naive(full, colours)),
        ):
            seconds, script = timed(lambda build=build: sent_script(build()))
            runs[name].append(seconds)
            scripts[name] = script
    server = {name: statistics.median(times) for name, times in runs.items()}
    static = [(STATIC_DIR / path).read_bytes() for path in paths.values()]
    static_raw = sum(len(b) for b in static)
    static_gz = sum(len(gzip.compress(b)) for b in static)

    paint = {}
    if Path(CHROMIUM).exists():
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            (root / "app").mkdir()
            (root / "app" / "static").symlink_to(STATIC_DIR)
            for name in ("ours", "naive"):
                build = ours(values, urls) if name == "ours" else naive(full, colours)
                build.save(str(root / f"{name}.html"))
            paint = first_paint({"ours": "ours.html", "naive": "naive.html"}, root)

    print("| national choropleth (7,285 kecamatan) | ours | naive inline st_folium | ratio |")
    print("| --- | --- | --- | --- |")
    print(
        f"| server time per rerun (median of {RUNS}) | {server['ours'] * 1000:.0f} ms | "
        f"{server['naive'] * 1000:.0f} ms | {server['naive'] / server['ours']:.0f}x faster |"
    )
    size = {name: len(script) for name, script in scripts.items()}
    print(
        f"| payload per rerun | {size['ours'] / 1e6:.2f} MB | {size['naive'] / 1e6:.1f} MB | "
        f"{size['naive'] / size['ours']:.0f}x smaller |"
    )
    print(
        f"| static layers, first view only (raw / gzip) | {static_raw / 1e6:.1f} / "
        f"{static_gz / 1e6:.1f} MB | - | - |"
    )
    if paint:
        print(
            f"| first paint in Chromium (median of {RUNS}) | {paint['ours']:.0f} ms | "
            f"{paint['naive']:.0f} ms | {paint['naive'] / paint['ours']:.1f}x faster |"
        )


if __name__ == "__main__":
    main()
