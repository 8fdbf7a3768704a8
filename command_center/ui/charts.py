"""Chart builders (Altair) that speak the user's language: axis numbers as "1.200" and dates
as "02 Des" in Bahasa Indonesia, "1,200" and "Dec 02" in English (Vega's own locale, set per
chart). Pure Altair, no Streamlit."""

from __future__ import annotations

import altair as alt
import pandas as pd

MONTHS_ID = (
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
).split()
DAYS_ID = "Minggu Senin Selasa Rabu Kamis Jumat Sabtu".split()
LOCALES = {
    "id": alt.Locale(
        number=alt.NumberLocale(decimal=",", thousands=".", grouping=[3], currency=["Rp", ""]),
        time=alt.TimeLocale(
            dateTime="%A, %e %B %Y %X",
            date="%d/%m/%Y",
            time="%H.%M.%S",
            periods=["", ""],
            days=DAYS_ID,
            shortDays=[d[:3] for d in DAYS_ID],
            months=MONTHS_ID,
            shortMonths=[m[:3] if m != "Agustus" else "Agu" for m in MONTHS_ID],
        ),
    ),
    "en": alt.Locale(
        number=alt.NumberLocale(decimal=".", thousands=",", grouping=[3], currency=["$", ""]),
        time=alt.TimeLocale(
            dateTime="%a %b %e %X %Y",
            date="%m/%d/%Y",
            time="%H:%M:%S",
            periods=["AM", "PM"],
            days="Sunday Monday Tuesday Wednesday Thursday Friday Saturday".split(),
            shortDays="Sun Mon Tue Wed Thu Fri Sat".split(),
            months=(
                "January February March April May June July August September October "
                "November December"
            ).split(),
            shortMonths="Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
        ),
    ),
}
DAY_FORMAT = {"id": "%d %b", "en": "%b %d"}


def bars(frame: pd.DataFrame, lang: str) -> alt.Chart:
    """One horizontal bar per row (its index) and column, side by side, largest first."""
    long = frame.rename_axis("label").reset_index().melt("label", var_name="figure")
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort="-x"),
            x=alt.X("value:Q", title=None, axis=alt.Axis(format=",d")),
            color=alt.Color("figure:N", title=None, legend=alt.Legend(orient="bottom")),
            yOffset="figure:N",
            tooltip=[
                alt.Tooltip("label:N", title=" "),
                "figure:N",
                alt.Tooltip("value:Q", format=",d"),
            ],
        )
        .configure(locale=LOCALES[lang])
    )


def days(series: pd.DataFrame, lang: str) -> alt.Chart:
    """One line per column over the days of the index."""
    long = series.rename_axis("day").reset_index().melt("day", var_name="figure")
    long["day"] = pd.to_datetime(long["day"])
    axis = alt.Axis(format=DAY_FORMAT[lang], tickCount="day", labelAngle=0)
    return (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("day:T", title=None, axis=axis),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(format=",d")),
            color=alt.Color("figure:N", title=None, legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("day:T", title=" ", format=DAY_FORMAT[lang]),
                "figure:N",
                alt.Tooltip("value:Q", format=",d"),
            ],
        )
        .configure(locale=LOCALES[lang])
    )
