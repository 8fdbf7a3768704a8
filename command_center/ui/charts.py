"""Charts that speak the user's language: axis numbers as "1.200" and dates as "02 Des" in
Bahasa Indonesia, "1,200" and "Dec 02" in English (Vega's own locale, set per chart).

Each builder returns the long-form data and a Vega-Lite spec as plain dicts for
`st.vega_lite_chart`: no chart library to build and validate a schema on every rerun (that
cost a third of the reports page's run).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

MONTHS_ID = (
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
).split()
MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()
DAYS_ID = "Minggu Senin Selasa Rabu Kamis Jumat Sabtu".split()
DAYS_EN = "Sunday Monday Tuesday Wednesday Thursday Friday Saturday".split()
LOCALES: dict[str, dict[str, Any]] = {
    "id": {
        "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["Rp", ""]},
        "time": {
            "dateTime": "%A, %e %B %Y %X",
            "date": "%d/%m/%Y",
            "time": "%H.%M.%S",
            "periods": ["", ""],
            "days": DAYS_ID,
            "shortDays": [d[:3] for d in DAYS_ID],
            "months": MONTHS_ID,
            "shortMonths": [m[:3] if m != "Agustus" else "Agu" for m in MONTHS_ID],
        },
    },
    "en": {
        "number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["$", ""]},
        "time": {
            "dateTime": "%a %b %e %X %Y",
            "date": "%m/%d/%Y",
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": DAYS_EN,
            "shortDays": [d[:3] for d in DAYS_EN],
            "months": MONTHS_EN,
            "shortMonths": [m[:3] for m in MONTHS_EN],
        },
    },
}
DAY_FORMAT = {"id": "%d %b", "en": "%b %d"}
COUNT = {"format": ",d"}
FIGURE = {"field": "figure", "type": "nominal", "title": None, "legend": {"orient": "bottom"}}


def bars(frame: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One horizontal bar per row (its index) and column, side by side, largest first."""
    long = frame.rename_axis("label").reset_index().melt("label", var_name="figure")
    return long, {
        "mark": "bar",
        "encoding": {
            "y": {"field": "label", "type": "nominal", "title": None, "sort": "-x"},
            "x": {"field": "value", "type": "quantitative", "title": None, "axis": COUNT},
            "color": FIGURE,
            "yOffset": {"field": "figure", "type": "nominal"},
            "tooltip": [
                {"field": "label", "type": "nominal", "title": " "},
                {"field": "figure", "type": "nominal"},
                {"field": "value", "type": "quantitative", **COUNT},
            ],
        },
        "config": {"locale": LOCALES[lang]},
    }


def days(series: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One line per column over the days of the index."""
    long = series.rename_axis("day").reset_index().melt("day", var_name="figure")
    long["day"] = pd.to_datetime(long["day"])
    axis = {"format": DAY_FORMAT[lang], "tickCount": "day", "labelAngle": 0}
    return long, {
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "day", "type": "temporal", "title": None, "axis": axis},
            "y": {"field": "value", "type": "quantitative", "title": None, "axis": COUNT},
            "color": FIGURE,
            "tooltip": [
                {"field": "day", "type": "temporal", "title": " ", "format": DAY_FORMAT[lang]},
                {"field": "figure", "type": "nominal"},
                {"field": "value", "type": "quantitative", **COUNT},
            ],
        },
        "config": {"locale": LOCALES[lang]},
    }
