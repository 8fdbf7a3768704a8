"""Small SVG figures for printed reports: a map of the affected kecamatan and a bar chart.
Plain SVG text, no plotting library; every label is escaped."""

from __future__ import annotations

from html import escape

import geopandas as gpd
import shapely

from command_center.base.geography import KM_PER_DEGREE
from command_center.base.labels import number

MAP_WIDTH, MAP_HEIGHT = 420, 320
BAR_WIDTH, BAR_ROW = 420, 22
SHADES = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")  # also the choropleth's
NO_FIGURE = "#f5f5f5"  # a kecamatan with no figure, on maps and in their legends
STATUS_COLOURS = {  # teams on maps and in legends
    "standby": "#2e7d32",
    "en_route": "#f9a825",
    "on_scene": "#c62828",
    "returning": "#1565c0",
    "unavailable": "#616161",
}
AGE_COLOURS = ((1, "#d50000"), (24, "#ff6d00"), (24 * 7, "#ffd600"))  # quakes under N hours
OLD_QUAKE = "#9e9e9e"


def _shade(value: float, top: float) -> str:
    if value <= 0 or top <= 0:
        return NO_FIGURE
    return SHADES[min(len(SHADES) - 1, int(len(SHADES) * value / (top * 1.0001)))]


def map_svg(
    shapes: gpd.GeoDataFrame,
    values: dict[str, float],
    points: list[tuple[float, float, str, str]] = (),
    around: gpd.GeoDataFrame | None = None,
    borders: tuple[gpd.GeoSeries, ...] = (),
    legend: str = "",
) -> str:
    """The kecamatan in `shapes` (indexed by code) shaded by `values`, with `points`
    (lat, lon, colour, label) on top, fitted to the SVG box; with `around` (the kecamatan of
    their kabupaten), fitted to those, outlined in grey; `borders` (kabupaten, then province
    shapes) drawn over all, each level thicker; `legend` titles a key of the shades below."""
    if shapes.empty:
        return ""
    frame = around if around is not None and not around.empty else shapes
    x0, y0, x1, y1 = frame.total_bounds
    scale = min(MAP_WIDTH / max(x1 - x0, 1e-6), MAP_HEIGHT / max(y1 - y0, 1e-6)) * 0.95

    def xy(lon: float, lat: float) -> str:
        return f"{(lon - x0) * scale + 4:.1f},{(y1 - lat) * scale + 4:.1f}"

    def path(shape, attributes: str) -> str:
        rings = [
            "M" + " L".join(xy(x, y) for x, y in ring.coords) + "Z"
            for polygon in getattr(shape, "geoms", [shape])
            for ring in (polygon.exterior, *polygon.interiors)
        ]
        return f'<path d="{" ".join(rings)}" {attributes}'

    top = max(values.values(), default=0)
    paths = []
    if around is not None:
        others = around.drop(index=shapes.index, errors="ignore")
        for shape in shapely.simplify(others.geometry.to_numpy(), 0.0005):
            paths.append(path(shape, f'fill="{NO_FIGURE}" stroke="#9e9e9e" stroke-width="0.5"/>'))
    simple = shapely.simplify(shapes.geometry.to_numpy(), 0.0005)
    for code, shape in zip(shapes.index, simple, strict=True):
        title = f"{shapes.loc[code, 'kecamatan']}: {number(int(values.get(code, 0)))}"
        fill = _shade(values.get(code, 0), top)
        paths.append(
            path(shape, f'fill="{fill}" stroke="#555" stroke-width="0.6">')
            + f"<title>{escape(title)}</title></path>"
        )
    for level, outline in enumerate(borders):
        for shape in shapely.simplify(outline.to_numpy(), 0.001):
            width = 1.4 + level
            paths.append(
                path(shape, f'class="border" fill="none" stroke="#212121" stroke-width="{width}"/>')
            )
    for lat, lon, colour, label in points:
        cx, cy = xy(lon, lat).split(",")
        paths.append(
            f'<circle cx="{cx}" cy="{cy}" r="5" fill="{escape(colour)}" stroke="#111">'
            f"<title>{escape(label)}</title></circle>"
        )
    paths.append(_scale_bar(scale) + _north_arrow())
    key = _key(legend, top) if legend else ""
    height = MAP_HEIGHT + 8 + (KEY_ROW * (len(SHADES) + 2) if key else 0)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{MAP_WIDTH + 8}" '
        f'height="{height}" role="img"><clipPath id="cc-map-box"><rect width="{MAP_WIDTH + 8}" '
        f'height="{MAP_HEIGHT + 8}"/></clipPath><g clip-path="url(#cc-map-box)">'
        f"{''.join(paths)}</g>{key}</svg>"
    )


KEY_ROW = 16
SCALE_STEPS_KM = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


def _scale_bar(px_per_degree: float) -> str:
    """A bar of a round length (about a quarter of the map's width) in the bottom left
    corner; degrees of longitude are taken as at the equator (Indonesia spans 6°N-11°S)."""
    px_per_km = px_per_degree / KM_PER_DEGREE
    km = next((s for s in reversed(SCALE_STEPS_KM) if s * px_per_km <= MAP_WIDTH / 4), 1)
    width, y = km * px_per_km, MAP_HEIGHT - 6
    return (
        f'<g class="scale"><rect x="8" y="{y - 6}" width="{width:.1f}" height="5" fill="#fff" '
        f'stroke="#111" stroke-width="1"/><rect x="8" y="{y - 6}" width="{width / 2:.1f}" '
        f'height="5" fill="#111"/><text x="8" y="{y - 10}" font-size="10">0</text>'
        f'<text x="{8 + width:.1f}" y="{y - 10}" font-size="10" text-anchor="end">'
        f"{number(km)} km</text></g>"
    )


def _north_arrow() -> str:
    """An arrow pointing up in the top right corner, marked U (utara)."""
    x = MAP_WIDTH - 10
    return (
        f'<g class="north"><polygon points="{x},8 {x + 7},30 {x},25 {x - 7},30" fill="#111"/>'
        f'<text x="{x}" y="42" font-size="11" font-weight="bold" '
        f'text-anchor="middle">U</text></g>'
    )


def _key(title: str, top: float) -> str:
    """The shades' key below the map: a title, then each shade's range, then "0"."""
    y = MAP_HEIGHT + 8
    rows = [f'<text x="4" y="{y + 12}" font-size="11" font-weight="bold">{escape(title)}</text>']
    step = top / len(SHADES)
    ranges = [
        (SHADES[i], f"{number(int(step * i) + 1)} - {number(int(step * (i + 1)))}")
        for i in range(len(SHADES))
    ]
    for i, (colour, words) in enumerate([*ranges, (NO_FIGURE, "0")], start=1):
        row = y + i * KEY_ROW
        rows.append(
            f'<rect x="4" y="{row + 2}" width="14" height="11" fill="{colour}" stroke="#555" '
            f'stroke-width="0.5"/><text x="24" y="{row + 12}" font-size="11">{words}</text>'
        )
    return "".join(rows)


def bar_svg(rows: list[tuple[str, int]]) -> str:
    """Horizontal bars with their labels and values, largest first as given."""
    if not rows:
        return ""
    top = max(value for _, value in rows) or 1
    label_width, bars = 150, []
    for i, (label, value) in enumerate(rows):
        y = i * BAR_ROW
        width = (BAR_WIDTH - label_width - 60) * value / top
        bars.append(
            f'<text x="0" y="{y + 15}" font-size="11">{escape(label[:24])}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{width:.1f}" height="14" fill="#de2d26"/>'
            f'<text x="{label_width + width + 4:.1f}" y="{y + 15}" font-size="11">'
            f"{number(value)}</text>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{BAR_WIDTH}" '
        f'height="{len(rows) * BAR_ROW + 4}" role="img">{"".join(bars)}</svg>'
    )


HAZARD_COLOURS = {  # the area of an incident without intensities, by hazard
    "banjir": "#1e88e5",
    "banjir_bandang": "#0d47a1",
    "tanah_longsor": "#8d6e63",
    "cuaca_ekstrem": "#00897b",
    "gelombang_pasang": "#00acc1",
    "gempa_bumi": "#bfccff",
    "tsunami": "#3949ab",
    "erupsi": "#6d4c41",
    "karhutla": "#e65100",
    "kekeringan": "#fbc02d",
    "kebakaran": "#d84315",
    "konflik_sosial": "#8e24aa",
    "lainnya": "#757575",
}

MMI_COLOURS = (  # ShakeMap-style intensity colours, strongest first
    (9, "#ff0000"),
    (8, "#ff9100"),
    (7, "#ffc800"),
    (6, "#ffff00"),
    (5, "#7aff93"),
    (4, "#80ffff"),
    (0, "#bfccff"),
)
WARNING_COLOUR = "#e65100"  # a BMKG weather-warning area


def mmi_colour(mmi: float) -> str:
    """The ShakeMap-style colour of an intensity."""
    return next(colour for level, colour in MMI_COLOURS if mmi >= level)


def classes(values: list[float]) -> list[tuple[float, str]]:
    """Up to five classes (upper bound, colour) by quantiles of the positive values."""
    positive = sorted(v for v in values if v > 0)
    if not positive:
        return []
    bounds = sorted(
        {
            positive[min(len(positive) - 1, int(len(positive) * q))]
            for q in (0.2, 0.4, 0.6, 0.8, 1.0)
        }
    )
    colours = SHADES[-len(bounds) :]  # the darkest ones when there are fewer classes
    return list(zip(bounds, colours, strict=True))


def class_colour(value: float, legend: list[tuple[float, str]]) -> str | None:
    """The colour of `value` (None for zero or no value)."""
    if not value or value <= 0:
        return None
    return next((colour for bound, colour in legend if value <= bound), legend[-1][1])
