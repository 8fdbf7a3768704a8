"""The briefing page: headline figures and the sitrep for officials, and the wall screen
(`?kiosk=1`), whose panels the browser rotates, redrawn only when its data changes."""

from __future__ import annotations

from html import escape

import folium
import streamlit as st
from streamlit_folium import st_folium

from command_center.adapters.briefing import (
    IncidentBriefing,
    KioskView,
    latest_sitrep_pdf,
    load_briefing,
    load_issued,
    load_kiosk,
    load_sources,
    make_sitrep,
    visible_to,
)
from command_center.adapters.hazards import feed_health
from command_center.adapters.live_map import load_areas, load_live_map
from command_center.adapters.logistics import cover_sentences, load_cover
from command_center.base import resources
from command_center.base.labels import number, t
from command_center.base.times import format_age, format_wib, utcnow
from command_center.services.briefing import wall_screen_url
from command_center.ui import maps, refresh, shell
from command_center.ui.feeds import tsunami_banner
from command_center.ui.messages import md, show_table


def headline(item: IncidentBriefing, lang: str, sources: dict[str, str] | None = None) -> None:
    """The headline figures; with `sources`, each report figure says on hover where it comes
    from. Displaced people come from the reports; when they have none yet, from the shelters
    (posko), and the shelters' count is said beside the reports' when both exist."""
    figures = item.figures
    helps = {key: md(text) for key, text in (sources or {}).items()}
    displaced = figures.displaced
    if item.in_shelters:
        said = t("in_shelters_line", lang, n=number(item.in_shelters, lang))
        helps["displaced"] = " · ".join(x for x in (helps.get("displaced"), said) if x)
        displaced = displaced or item.in_shelters
    cells = (
        ("deaths", figures.deaths),
        ("missing", figures.missing),
        ("injured", figures.injured),
        ("displaced", displaced),
        ("houses_damaged", figures.houses_damaged),
        ("teams_deployed", figures.teams_deployed),
        ("teams_standby", figures.teams_standby),
        ("kecamatan_reporting", figures.kecamatan_reporting),
    )
    for column, (key, value) in zip(st.columns(len(cells)), cells, strict=True):
        column.metric(t(key, lang), number(value, lang), help=helps.get(key) or None)


def briefing(lang: str) -> None:
    """Officials' view: every open incident's figures, the wall-screen link, the sitrep."""
    include_unverified = st.toggle(t("include_unverified", lang), key="briefing_unverified")
    items = load_briefing(include_unverified)
    if not items:
        st.info(t("no_briefing", lang))
        return
    for item in items:
        shell.exercise_banner(item.incident.is_exercise)
        st.header(md(item.incident.name))
        st.caption(
            f"{t(f'hazard_{item.incident.kind}', lang)} · {t('incident', lang)}: "
            f"{format_wib(item.incident.started_at, lang)}"
        )
        if line := item.phase_line(lang):
            st.markdown(f"**{md(line)}**")
        sources = load_sources(item.incident.id, include_unverified, lang)
        headline(item, lang, sources.lines)
        _logistics(item.incident.id, lang)
        with st.expander(t("figure_sources", lang)):
            show_table(sources.table, lang, hide_index=True, width="stretch")
        if item.figures.unverified_reports:
            st.warning(t("unverified_included", lang, n=item.figures.unverified_reports))
        elif not include_unverified:
            st.caption(t("verified_only", lang))
        link = wall_screen_url(resources.settings().public_url, incident_id=item.incident.id)
        st.caption(t("kiosk_link", lang, link=link, s=resources.settings().kiosk_rotate_s))
        sitrep(item.incident.id, lang)


def sitrep(incident_id: int, lang: str) -> None:
    st.subheader(t("sitrep_title", lang))
    listed = st.empty()  # filled once the button has done its work: it lists the newest too
    key = f"sitrep_{incident_id}"
    if shell.allowed("sitrep", lang) and st.button(
        t("make_sitrep", lang), key=f"make_{key}", type="primary"
    ):
        st.session_state[key] = make_sitrep(incident_id, shell.actor())
    issued_before = load_issued(incident_id, lang)
    if issued_before:
        listed.caption(t("sitreps_issued", lang, list=md(issued_before)))
    made = st.session_state.get(key)
    if made is None:
        return
    issued, text, page = made
    st.success(t("sitrep_made", lang, number=issued))
    st.caption(t("sitrep_whatsapp", lang))
    st.code(text, language=None, wrap_lines=True)
    left, right = st.columns(2)
    left.download_button(
        t("download_html", lang), page, f"sitrep-{incident_id}-{issued}.html", "text/html"
    )
    right.download_button(
        t("download_text", lang), text, f"sitrep-{incident_id}-{issued}.txt", "text/plain"
    )


def _logistics(incident_id: int, lang: str) -> None:
    """What runs out first and who is in the shelters, in a line each."""
    lines = cover_sentences(load_cover(incident_id), lang)
    if lines:
        st.markdown(f"**{t('kiosk_logistics', lang)}**  \n" + "  \n".join(md(x) for x in lines))


def _red(text: str) -> None:
    """A line the wall screen shows in red (escaped: it may quote a feed's error)."""
    st.markdown(f'<div class="cc-stale">{escape(text)}</div>', unsafe_allow_html=True)


def _age_line(age: float | None, stale: bool, lang: str) -> None:
    if age is None:
        st.caption(t("no_data_yet", lang))
    elif stale:
        _red(t("data_stale", lang, age=format_age(age, lang)))
    else:
        st.caption(t("data_age", lang, age=format_age(age, lang)))


def _feeds(lang: str) -> None:
    """The feed lines that are not fine, in red; else one line with their age."""
    lines = feed_health(lang)
    if not lines:
        _red(t("no_feeds", lang))
    problems = [line for line in lines if line.level != "ok"]
    for line in problems:
        _red(line.text)
    if lines and not problems:
        st.caption(" · ".join(line.text for line in lines[:3]))


KIOSK_MAP_CSS = (
    "#map_div{height:100vh!important}"
    ".cc-legend{font-size:clamp(20px,5vh,30px)!important;line-height:1.3}"
    ".cc-legend span{width:0.9em!important;height:0.9em!important}"
)


def _map(incident_id: int, lang: str) -> None:
    st.subheader(t("kiosk_map", lang))
    view = load_live_map(lang).for_incident(incident_id)
    tiles = resources.tiles()
    fmap = maps.live_map(
        view,
        tiles.url,
        tiles.attribution,
        st.get_option("server.baseUrlPath"),
        resources.map_layers(),
        load_areas(lang, incident_id),
    )
    # the wall screen sizes the map's frame by the screen's height (kiosk.css): fill it, and
    # key it in type read across a room (5vh of a frame 51vh high: 2.5 % of the screen's)
    fmap.get_root().header.add_child(folium.Element(f"<style>{KIOSK_MAP_CSS}</style>"))
    st_folium(fmap, key="kiosk_map", returned_objects=[], height=520, use_container_width=True)


def _table(title: str, view: KioskView, table, lang: str) -> None:
    st.subheader(title)
    if not table.empty:
        st.table(table.set_index(table.columns[0]))
    _age_line(view.reports_age, view.reports_stale, lang)


def _bmkg(view: KioskView, lang: str) -> None:
    st.subheader(t("kiosk_bmkg", lang))
    if not view.quakes.empty:
        st.table(view.quakes.set_index(view.quakes.columns[0]))
    for text, colour in view.warnings:
        st.markdown(
            f'<div class="cc-warning" style="background:{colour}">{escape(text)}</div>',
            unsafe_allow_html=True,
        )
    if not view.warnings:
        st.caption(t("no_warnings", lang))


# what the wall screen shows (its feed lines refresh on their own)
KIOSK_TABLES = (
    *load_kiosk.tables,
    *load_briefing.tables,
    *load_live_map.tables,
    *latest_sitrep_pdf.tables,
)


def kiosk(lang: str) -> None:
    """The wall screen for one incident (`&incident=<id>`, else the newest open one) among
    those this screen may show (a token's area or incident).

    Both pairs of panels are drawn once and the browser rotates them (kiosk.css); between data
    changes the server only checks for new data (`refresh.watch`) and shows the clock and the
    feeds."""
    since = refresh.drawn(*KIOSK_TABLES)  # before reading: a change meanwhile redraws
    items = visible_to(load_briefing(), shell.actor())
    if not items:
        st.info(t("no_briefing", lang))
        return
    wanted = st.query_params.get("incident", "")
    item = next((i for i in items if str(i.incident.id) == wanted), items[0])

    def clock_and_feeds() -> None:
        line = item.phase_line(lang)
        st.caption(" · ".join(x for x in (format_wib(utcnow(), lang), line and md(line)) if x))
        _feeds(lang)

    tsunami_banner(load_live_map(lang).tsunami, lang)  # above everything, whatever the incident
    view = load_kiosk(item.incident.id, lang)
    if view is None:
        st.info(t("no_briefing", lang))
        return
    st.markdown(f"# {md(item.incident.name)}")
    refresh.watch(since, clock_and_feeds)
    latest = latest_sitrep_pdf(shell.actor())
    if latest is not None:  # only a token for one incident gets its newest sitrep
        name = f"sitrep-{item.incident.id}-{latest.number}.pdf"
        label = t("download_latest_sitrep", lang, number=latest.number)
        st.download_button(label, latest.pdf, name, "application/pdf")
    shell.exercise_banner(item.incident.is_exercise)
    st.subheader(t("kiosk_impact", lang))
    headline(view.briefing, lang)
    _age_line(view.reports_age, view.reports_stale, lang)
    with st.container(key="kiosk_rotation"):
        with st.container(key="kiosk_pair_0"):
            left, right = st.columns([3, 2])
            with left:
                _map(item.incident.id, lang)
            with right:
                _table(t("kiosk_top", lang), view, view.top_kecamatan, lang)
        with st.container(key="kiosk_pair_1"):
            left, right = st.columns([3, 2])
            with left:
                _bmkg(view, lang)
            with right:
                _table(t("kiosk_needs", lang), view, view.needs, lang)
                if view.logistics:
                    st.subheader(t("kiosk_logistics", lang))
                    for line in view.logistics:
                        st.markdown(
                            f'<div class="cc-aid">{escape(line)}</div>', unsafe_allow_html=True
                        )
    # each pair shows for `kiosk_rotate_s` in turn (our own number, no user text)
    rotate = resources.settings().kiosk_rotate_s
    st.markdown(
        f"<style>.st-key-kiosk_rotation {{--cc-rotate: {2 * rotate}s}}</style>",
        unsafe_allow_html=True,
    )
    ticker = "   ·   ".join(escape(line) for line in view.ticker)
    title = escape(t("kiosk_ticker", lang))
    st.markdown(
        f'<div class="cc-ticker"><span>{title}: {ticker}</span></div>', unsafe_allow_html=True
    )
