"""Folium map builders. Pure folium (no Streamlit): tested on the map object and its HTML.

Every map loads Leaflet from the app's own static files, never from a CDN. Every label (from
users or feeds) reaches the map only through `TextTooltip`, which hands it to the browser as
JSON data and shows it as a text node: folium's own `Tooltip` puts text inside a JavaScript
template literal, where HTML escaping does not stop `${...}` or a backtick.

Importing this module also makes branca keep rendered output as text (`_LiteralText`).
"""

from __future__ import annotations

from typing import Any

import branca.element
import folium
import xyzservices
from branca.element import MacroElement
from jinja2 import Template
from jinja2.utils import htmlsafe_json_dumps

from command_center.adapters.live_map import LiveMapView
from command_center.base.assets import leaflet_urls
from command_center.services.community import CommunityMarker
from command_center.services.figures import (
    AGE_COLOURS,
    OLD_QUAKE,
    STATUS_COLOURS,
)
from command_center.services.teams import TeamOnMap
from command_center.ui import volcano_map


class _LiteralText:
    """Text that renders as itself. branca wraps the rendered output of every map element in
    `Element(text)`, which compiles that text as a Jinja template and renders it again: a
    label typed by a user containing `{{ ... }}` ran as template code on the server, and the
    second compilation of every element's output cost a fifth of a map page's run."""

    def __init__(self, text: str):
        self.text = text

    def render(self, **_: Any) -> str:
        return self.text


def _element_init(
    self: branca.element.Element, template: str | None = None, template_name: str | None = None
) -> None:
    _branca_element_init(self, None, template_name)
    if template is not None:
        self._template_str, self._template = template, _LiteralText(template)


_branca_element_init = branca.element.Element.__init__
branca.element.Element.__init__ = _element_init  # type: ignore[method-assign]

INDONESIA_CENTRE = (-2.5, 118.0)
PLAIN_BACKGROUND = "#cfe0ea"  # the sea, when no basemap is shown
LAND = "#f4f1ea"
IN_AREA, OUT = "#e53935", "#bdbdbd"  # an incident's area map: its kecamatan, the others


def base_map(
    tile_url: str,
    attribution: str,
    centre: tuple[float, float] = INDONESIA_CENTRE,
    zoom: int = 5,
    base_url_path: str = "",
    outlines: dict[str, str] | None = None,
) -> folium.Map:
    """An empty map with locally served Leaflet: basemap tiles from `tile_url` (credited once
    a tile has loaded), or none when it is empty; beneath all data, the province and kabupaten
    outlines served at `outlines` (level -> URL, see `static_layers`), with the land filled so
    that the coast shows when there are no tiles."""
    fmap = folium.Map(location=centre, zoom_start=zoom, tiles=None, control_scale=True)
    js, css = leaflet_urls(base_url_path)
    fmap.default_js = [("leaflet", js)]
    fmap.default_css = [("leaflet_css", css)]
    if tile_url:
        # as a provider, not a string: folium would search every xyzservices provider's name
        # for it on each rerun (a tenth of the live map's run)
        provider = xyzservices.TileProvider(name="basemap", url=tile_url, attribution=attribution)
        tiles = folium.TileLayer(provider, attr=attribution, name="basemap")
        tiles.add_to(fmap)
        CreditWhenShown().add_to(tiles)
    else:
        fmap.get_root().header.add_child(
            folium.Element(f"<style>.leaflet-container{{background:{PLAIN_BACKGROUND}}}</style>")
        )
    if outlines:
        Outlines(outlines, land=not tile_url).add_to(fmap)
    return fmap


class CreditWhenShown(MacroElement):
    """A tile layer's attribution only once one of its tiles has loaded (offline, nothing
    loads, and nobody is credited for what is not shown)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var layer = {{ this._parent.get_name() }};
  var credit = layer.getAttribution();
  layer.getAttribution = function () { return null; };
  if (layer._map && layer._map.attributionControl) {
    layer._map.attributionControl.removeAttribution(credit);
  }
  layer.once("tileload", function () {
    layer.getAttribution = function () { return credit; };
    if (layer._map && layer._map.attributionControl) {
      layer._map.attributionControl.addAttribution(credit);
    }
  });
})();
{% endmacro %}
"""
    )

    def __init__(self):
        super().__init__()
        self._name = "CreditWhenShown"


class Outlines(MacroElement):
    """Province outlines (the coast among them) and, from zoom 7, kabupaten outlines, drawn
    in their own pane beneath every data layer and never catching the mouse; with `land`, the
    provinces are filled so that land and sea differ on a map with no tiles."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var urls = {{ this.urls|tojson }};
  var pane = map.createPane("ccOutlines");
  pane.style.zIndex = 350;
  pane.style.pointerEvents = "none";
  var renderer = L.canvas({pane: "ccOutlines", padding: 0.5});
  function load(url) { return fetch(url).then(function (r) { return r.json(); }); }
  Promise.all([load(urls.province), load(urls.kabupaten)]).then(function (data) {
    var options = {pane: "ccOutlines", renderer: renderer, interactive: false};
    L.geoJSON(data[0], Object.assign({style: {
      color: "#6b7780", weight: 1.3, fill: {{ this.land|tojson }},
      fillColor: "{{ this.land_colour }}", fillOpacity: 1}}, options)).addTo(map);
    var kabupaten = L.geoJSON(data[1], Object.assign({style: {
      color: "#9aa5ad", weight: 0.6, fill: false}}, options));
    function show() {
      if (map.getZoom() >= 7) { kabupaten.addTo(map); } else { kabupaten.remove(); }
    }
    map.on("zoomend", show);
    show();
    window.ccOutlinesDrawn = Date.now();
  });
})();
{% endmacro %}
"""
    )

    def __init__(self, urls: dict[str, str], land: bool):
        super().__init__()
        self._name = "Outlines"
        self.urls, self.land, self.land_colour = urls, land, LAND


def age_colour(age_hours: float) -> str:
    """Red under an hour, orange under a day, yellow under a week, grey older."""
    return next((colour for hours, colour in AGE_COLOURS if age_hours < hours), OLD_QUAKE)


class TextTooltip(MacroElement):
    """The one way a label reaches a map: a tooltip shown as plain text.

    The text travels as JSON (`tojson` also escapes `<`, `>`, `&` and `'`, so `</script>`
    cannot end the script) and is set as a DOM text node, so nothing in it is ever read as
    HTML or code. With `field`, each feature of a GeoJSON layer shows that property.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.bindTooltip(function (layer) {
  var text = document.createElement("span");
  text.textContent = {% if this.field -%}
    String(layer.feature.properties[{{ this.field|tojson }}])
  {%- else -%}
    {{ this.text|tojson }}
  {%- endif %};
  return text;
}, {sticky: {{ this.sticky|tojson }}});
{% endmacro %}
"""
    )

    def __init__(self, text: str = "", field: str | None = None, sticky: bool = True):
        super().__init__()
        self._name = "TextTooltip"
        self.text, self.field, self.sticky = str(text), field, sticky


def with_label(layer: folium.Element, text: str) -> folium.Element:
    """`layer` with `text` as its plain-text tooltip."""
    TextTooltip(text).add_to(layer)
    return layer


class Areas(MacroElement):
    """The weather-warning areas and affected kecamatan of a live map, from GeoJSON already
    written as HTML-safe JSON (`LiveMapView.areas_json`: large, so a shared cache writes it
    once per data version); each area in its `fill` colour, labelled by its `label` as text."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJson({{ this.areas }}, {style: function (f) {
  var p = f.properties;
  return p.warning ? {color: p.fill, weight: 2, fillOpacity: 0.25, dashArray: "6 4"}
                   : {color: "#b71c1c", weight: 1.2, fillColor: p.fill, fillOpacity: 0.55};
}}).addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, areas: str):
        super().__init__()
        self._name = "Areas"
        self.areas = areas
        TextTooltip(field="label").add_to(self)


def hotspot_layer(cells: dict[str, Any]) -> folium.GeoJson:
    """Satellite hotspots as density cells (`adapters.hotspots.density_layer`): one GeoJSON
    layer of a few hundred circles, never a marker per hotspot."""
    layer = folium.GeoJson(
        cells,
        name="hotspots",
        marker=folium.CircleMarker(),
        style_function=lambda f: {
            "radius": f["properties"]["radius"],
            "color": "#4e342e",
            "weight": 1,
            "fillColor": f["properties"]["colour"],
            "fillOpacity": 0.75,
        },
    )
    TextTooltip(field="label").add_to(layer)
    return layer


def quake_marker(
    lat: float, lon: float, magnitude: float | None, age_hours: float, label: str
) -> folium.CircleMarker:
    """A reported earthquake, sized by magnitude and coloured by age."""
    marker = folium.CircleMarker(
        location=(lat, lon),
        radius=3 + 2.5 * max((magnitude or 3.0) - 3.0, 0.0),
        color="#212121",
        weight=1,
        fill=True,
        fill_color=age_colour(age_hours),
        fill_opacity=0.8,
    )
    return with_label(marker, label)


def event_marker(
    lat: float, lon: float, magnitude: float | None, label: str
) -> folium.CircleMarker:
    """An earthquake epicentre, sized by magnitude."""
    radius = 4 + 3 * max((magnitude or 4.0) - 3.0, 0.0)
    marker = folium.CircleMarker(
        location=(lat, lon), radius=radius, color="#4a148c", fill=True, fill_opacity=0.6
    )
    return with_label(marker, label)


def team_layer(
    teams: list[TeamOnMap],
    status_words: dict[str, str],
    group: folium.FeatureGroup | None = None,
) -> folium.FeatureGroup:
    """Teams coloured by status at their last known position (or base), each deployed team
    with a line to its assigned kecamatan; `status_words` labels the statuses. Drawn into
    `group` when given, else into a new layer group."""
    group = group or folium.FeatureGroup(name="teams")
    for team in teams:
        colour = STATUS_COLOURS.get(team.status, "#000000")
        label = f"{team.name} · {status_words.get(team.status, team.status)}"
        if team.target is not None:
            label += f" → {team.target_name}"
            line = folium.PolyLine(
                [(team.lat, team.lon), team.target],
                color=colour,
                weight=2.5,
                opacity=0.8,
                dash_array="6 6" if team.status == "en_route" else None,
            )
            with_label(line, label).add_to(group)
        marker = folium.CircleMarker(
            location=(team.lat, team.lon),
            radius=7,
            color="#212121",
            weight=1,
            fill=True,
            fill_color=colour,
            fill_opacity=0.9,
        )
        with_label(marker, label).add_to(group)
    return group


def shelter_layer(shelters: list[tuple[float, float, str]]) -> folium.FeatureGroup:
    """Shelters (posko) as blue dots, each with its label (name and people) as plain text."""
    group = folium.FeatureGroup(name="shelters")
    for lat, lon, label in shelters:
        dot = folium.CircleMarker(
            location=(lat, lon), radius=9, color="#0d47a1", fill=True, fill_opacity=0.8
        )
        with_label(dot, label).add_to(group)
    return group


def community_layer(
    markers: list[CommunityMarker], group: folium.FeatureGroup | None = None
) -> folium.FeatureGroup:
    """Residents' flood reports: small squares-ish dots, blue by depth, labelled unverified."""
    group = group if group is not None else folium.FeatureGroup(name="community")
    for marker in markers:
        dot = folium.CircleMarker(
            location=(marker.lat, marker.lon),
            radius=4,
            color="#37474f",
            weight=1,
            dash_array="2 2",
            fill=True,
            fill_color=marker.colour,
            fill_opacity=0.9,
        )
        with_label(dot, marker.label).add_to(group)
    return group


def live_layers(view: LiveMapView, areas: str | None = None) -> folium.FeatureGroup:
    """Everything that changes on the live map, as one layer group (the base map stays put);
    `areas`: the view's `areas_json()` when a shared cache has written it."""
    group = folium.FeatureGroup(name="live")
    if view.warnings or view.affected["features"]:
        Areas(areas or view.areas_json()).add_to(group)
    community_layer(list(view.community), group)
    if view.hotspots.get("features"):
        hotspot_layer(view.hotspots).add_to(group)
    for quake in view.quakes:
        quake_marker(quake.lat, quake.lon, quake.magnitude, quake.age_hours, quake.label).add_to(
            group
        )
    for incident in view.incidents:
        if incident.lat is not None and incident.lon is not None:
            event_marker(incident.lat, incident.lon, incident.magnitude, incident.name).add_to(
                group
            )
    volcano_map.volcano_layer(view.volcanoes, group)
    return team_layer(view.teams, view.status_words, group)


def live_map(
    view: LiveMapView,
    tile_url: str,
    attribution: str,
    base_url_path: str = "",
    outlines: dict[str, str] | None = None,
    areas: str | None = None,
) -> folium.Map:
    """The operator's map as one object (for export, tests and the wall screen): base map
    plus live layers (`areas` as in `live_layers`)."""
    fmap = base_map(tile_url, attribution, view.centre, view.zoom, base_url_path, outlines)
    live_layers(view, areas).add_to(fmap)
    Legend(view.legend).add_to(fmap)
    if view.bounds is not None:
        FitBeside(view.bounds).add_to(fmap)  # after the legend: it measures it
    return fmap


class FitBeside(MacroElement):
    """Fit the map to `bounds` ((south, west), (north, east)) in the part of it left of the
    legend (bottom right), so that the legend never lies over what the map is about; again
    whenever the map's frame or the legend changes size."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var bounds = {{ this.bounds|tojson }};
  function fit() {
    var legend = map.getContainer().querySelector(".cc-legend");
    var right = (legend ? legend.offsetWidth : 0) + {{ this.margin }};
    // not animated: Leaflet drops a zoom asked for while one is still animating
    map.fitBounds(bounds, {paddingTopLeft: [{{ this.margin }}, {{ this.margin }}],
                           paddingBottomRight: [right, {{ this.margin }}], maxZoom: 13,
                           animate: false});
    window.ccFitted = {bounds: bounds, legend: right};
  }
  map.on("resize", fit);
  if (window.ResizeObserver) {  // the legend's type settles after the first fit
    var legend = map.getContainer().querySelector(".cc-legend");
    if (legend) { new ResizeObserver(fit).observe(legend); }
  }
  fit();
})();
{% endmacro %}
"""
    )

    def __init__(self, bounds: tuple[tuple[float, float], ...], margin: int = 16):
        super().__init__()
        self._name = "FitBeside"
        self.bounds, self.margin = [list(corner) for corner in bounds], margin


class Legend(MacroElement):
    """A legend in the map's corner: a colour swatch and its words per line, built as text
    nodes from JSON (the words are ours, but they take the same safe road as labels)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var legend = L.control({position: "bottomright"});
  legend.onAdd = function () {
    var box = L.DomUtil.create("div", "cc-legend");
    box.style.cssText = "background:#fff;padding:6px 8px;border-radius:4px;font:12px sans-serif";
    if ({{ this.items|tojson }}.length > 6) { box.style.columnCount = 2; }  // short enough
    {{ this.items|tojson }}.forEach(function (item) {
      var line = document.createElement("div");
      var swatch = document.createElement("span");
      swatch.style.cssText = "display:inline-block;width:12px;height:12px;margin-right:6px;" +
        "vertical-align:middle;border:1px solid #616161;background:" + item[1];
      line.appendChild(swatch);
      line.appendChild(document.createTextNode(item[0]));
      box.appendChild(line);
    });
    return box;
  };
  legend.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
"""
    )

    def __init__(self, items: list[tuple[str, str]]):
        super().__init__()
        self._name = "Legend"
        self.items = [[str(words), colour] for words, colour in items]


def area_map(
    layer: dict[str, Any], tile_url: str, attribution: str, outlines: dict[str, str] | None = None
) -> folium.Map:
    """An incident's kabupaten, its area's kecamatan in red and the others grey, each labelled;
    clicking one reports it (the page offers to add or remove it)."""
    fmap = base_map(tile_url, attribution, outlines=outlines)
    shapes = folium.GeoJson(
        layer,
        style_function=lambda f: {
            "color": "#b71c1c" if f["properties"]["inside"] else "#757575",
            "weight": 1.5 if f["properties"]["inside"] else 0.8,
            "fillColor": IN_AREA if f["properties"]["inside"] else OUT,
            "fillOpacity": 0.45 if f["properties"]["inside"] else 0.15,
        },
    )
    TextTooltip(field="label").add_to(shapes)
    shapes.add_to(fmap)
    fmap.fit_bounds(shapes.get_bounds())
    return fmap


class Choropleth(MacroElement):
    """Kecamatan shaded by a figure, with kabupaten and province outlines, drawn in the browser
    from the prepared static layers (`static_layers.install_layers`). Only the values travel
    with each rerun (`values` maps a kecamatan code to [colour, text]), and `detail`, the
    boundaries of those kecamatan and the outlines of their kabupaten in detail for close
    zooms (`static_layers.detail_json`), or that already written as HTML-safe JSON (jinja2's
    `htmlsafe_json_dumps`: large, so a shared cache writes it once). Tooltips are set as
    text, never as HTML."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var values = {{ this.values|tojson }};
  var urls = {{ this.urls|tojson }};
  var detail = {{ this.detail }};
  var land = {{ this.land|tojson }};  // no basemap: the kecamatan are the land
  var renderer = L.canvas({padding: 0.5});
  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }
  function load(url) { return fetch(url).then(function (r) { return r.json(); }); }
  function shade(f) {
    var v = values[f.properties.k];
    return v ? {fillColor: v[0], fillOpacity: 0.85, color: "#616161", weight: 0.5}
             : {fillColor: land ? "{{ this.land_colour }}" : "#ffffff",
                fillOpacity: land ? 1 : 0.15, color: "#bdbdbd", weight: 0.2};
  }
  function tooltip(f, layer) {
    var v = values[f.properties.k];
    var label = f.properties.n + " (" + f.properties.k + ")" + (v ? ": " + v[1] : "");
    layer.bindTooltip(text(label), {sticky: true});
  }
  load(urls.kecamatan).then(function (data) {
    // the whole country; the kecamatan with figures come in detail on top when sent
    L.geoJSON(data, detail ? {renderer: renderer, interactive: false, style: shade}
                           : {renderer: renderer, style: shade, onEachFeature: tooltip}).addTo(map);
    var detailed = {};  // kabupaten and provinces sent in detail
    var lines = {interactive: false, renderer: renderer};
    if (detail) {
      L.geoJSON(detail.kecamatan, {renderer: renderer, style: shade, onEachFeature: tooltip})
        .addTo(map);
      detail.kabupaten.features.forEach(function (f) {
        detailed[f.properties.k] = detailed[f.properties.k.slice(0, 2)] = true;
      });
      L.geoJSON(detail.kabupaten, Object.assign(
        {style: {fill: false, weight: 0.8, color: "#424242"}}, lines)).addTo(map);
      L.geoJSON(detail.border, Object.assign(
        {style: {fill: false, weight: 1.8, color: "#212121"}}, lines)).addTo(map);
    }
    return Promise.all([load(urls.kabupaten), load(urls.province)]).then(function (data) {
      // a kabupaten sent in detail is outlined from the same lines as its kecamatan; close
      // up, so is the border of its province
      L.geoJSON(data[0], Object.assign({
        filter: function (f) { return !detailed[f.properties.k]; },
        style: {fill: false, weight: 0.8, color: "#424242"}}, lines)).addTo(map);
      var near = L.geoJSON(data[1], Object.assign({
        filter: function (f) { return detailed[f.properties.k]; },
        style: {fill: false, weight: 1.8, color: "#212121"}}, lines));
      L.geoJSON(data[1], Object.assign({
        filter: function (f) { return !detailed[f.properties.k]; },
        style: {fill: false, weight: 1.8, color: "#212121"}}, lines)).addTo(map);
      function show() {
        if (map.getZoom() < 9) { near.addTo(map); } else { near.remove(); }
      }
      map.on("zoomend", show);
      show();
    });
  }).then(function () { window.ccChoroplethDrawn = Date.now(); });
})();
{% endmacro %}
"""
    )

    def __init__(
        self,
        values: dict[str, list[str]],
        urls: dict[str, str],
        detail: dict | str | None = None,
        land: bool = False,
    ):
        super().__init__()
        self._name = "Choropleth"
        self.values, self.urls = values, urls
        self.detail = detail if isinstance(detail, str) else htmlsafe_json_dumps(detail)
        self.land, self.land_colour = land, LAND
