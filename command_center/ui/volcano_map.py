"""Volcanoes on a map: a triangle coloured by activity level at the crater, and the exclusion
zone in the same colour, each labelled through the maps' plain-text tooltip."""

from __future__ import annotations

import folium

from command_center.adapters.volcanoes import VolcanoOnMap
from command_center.ui import maps

TRIANGLE = (
    '<svg class="cc-volcano" width="22" height="20" viewBox="0 0 22 20" '
    'style="overflow:visible"><polygon points="11,1 21,19 1,19" fill="{colour}" '
    'stroke="#212121" stroke-width="1.5"/></svg>'
)


def volcano_layer(
    volcanoes: tuple[VolcanoOnMap, ...], group: folium.FeatureGroup | None = None
) -> folium.FeatureGroup:
    """Each volcano's zone (dashed, lightly filled) under its triangle, drawn into `group`
    when given, else into a new layer group."""
    group = group if group is not None else folium.FeatureGroup(name="volcanoes")
    for volcano in volcanoes:
        if volcano.zone is not None:
            colour = volcano.colour
            zone = folium.GeoJson(
                {"type": "Feature", "geometry": volcano.zone, "properties": {}},
                style_function=lambda _, colour=colour: {
                    "color": colour,
                    "weight": 2,
                    "dashArray": "5 4",
                    "fillColor": colour,
                    "fillOpacity": 0.15,
                },
            )
            maps.with_label(zone, volcano.label).add_to(group)
        icon = folium.DivIcon(
            html=TRIANGLE.format(colour=volcano.colour), icon_size=(22, 20), icon_anchor=(11, 14)
        )
        marker = folium.Marker(location=(volcano.lat, volcano.lon), icon=icon)
        maps.with_label(marker, volcano.label).add_to(group)
    return group
