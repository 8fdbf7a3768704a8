"""The panels of the kecamatan reports page: summary with the choropleth, reports with
verification and version history, entry, import and exports."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import streamlit as st
from streamlit_folium import st_folium

from command_center.adapters import reports as data
from command_center.adapters.incidents import kecamatan_for, load_incident_kecamatan
from command_center.base import resources
from command_center.base.auth import permits
from command_center.base.errors import CommandCenterError, NeedsConfirmation
from command_center.base.labels import field_error, number, t
from command_center.base.models import FIGURES, Verification
from command_center.base.times import ZONES, format_wib, now_in, utcnow
from command_center.services.incidents import zone_of
from command_center.services.reporters import LINK_DAYS, MAX_LINK_DAYS
from command_center.services.reports import PILAR_SOSIAL, SOURCES
from command_center.services.validation import LABEL
from command_center.stores.reports import REPORTS
from command_center.ui import charts, maps, shell
from command_center.ui.confirm import confirm_pending, save_report
from command_center.ui.importer import Importer, import_panel
from command_center.ui.irreversible import ask, confirmed
from command_center.ui.messages import done, explain, md, show_table


def summary(incident_id: int | None, include_unverified: bool, lang: str) -> None:
    """Headline totals, the choropleth, figures per kecamatan, the daily series, roll-ups."""
    view = data.load_summary(incident_id, include_unverified, lang)
    if include_unverified:
        st.warning(t("unverified_marked", lang, n=view.unverified))
    else:
        st.caption(t("verified_only", lang))
    columns = st.columns(len(view.totals) + 1)
    for column, (figure, total) in zip(columns, view.totals.items(), strict=False):
        column.metric(data.figure_label(figure, lang), number(total, lang))
    columns[-1].metric(t("kecamatan_reporting", lang), view.reporting)
    choropleth(incident_id, include_unverified, lang)
    if not view.kecamatan.empty:
        st.markdown(f"**{t('bar_title', lang)}**")
        st.vega_lite_chart(*charts.bars(view.bar, lang), width="stretch")
        show_table(view.kecamatan, lang, hide_index=True, width="stretch")
    if incident_id is not None:
        series = data.load_series(incident_id, include_unverified, lang)
        if not series.empty:
            st.markdown(f"**{t('series_title', lang)}**")
            figures = [c for c in series.columns if not c.startswith("Δ")]
            st.vega_lite_chart(*charts.days(series[figures], lang), width="stretch")
            show_table(series, lang, width="stretch")
    left, right = st.columns(2)
    for column, key, table in (
        (left, "rollup_kabupaten", view.kabupaten),
        (right, "rollup_province", view.provinces),
    ):
        if not table.empty:
            column.markdown(f"**{t(key, lang)}**")
            show_table(table, lang, column, hide_index=True, width="stretch")


def _figure_picker(key: str, lang: str) -> str:
    """A pick list of the mapped figures; `key` is also its label's key."""
    return st.selectbox(
        t(key, lang),
        list(data.MAP_FIGURES),
        format_func=lambda f: data.figure_label(f, lang),
        key=key,
    )


@st.fragment  # its figure picker redraws this map only
def choropleth(incident_id: int | None, include_unverified: bool, lang: str) -> None:
    st.markdown(f"**{t('choropleth_title', lang)}**")
    figure = _figure_picker("map_figure", lang)
    base_url = st.get_option("server.baseUrlPath")
    view = data.load_choropleth(incident_id, figure, include_unverified, lang)
    if view is None:
        st.error(resources.geography_problem(lang))
        return
    tiles = resources.tiles()
    fmap = maps.base_map(tiles.url, tiles.attribution, base_url_path=base_url)
    if view.bounds:
        fmap.fit_bounds(view.bounds)
    land = not tiles.url  # its own kecamatan layer draws the land and the outlines
    maps.Choropleth(view.values, view.urls, view.detail, land).add_to(fmap)
    maps.Legend(view.legend).add_to(fmap)
    st_folium(fmap, key="choropleth", returned_objects=[], height=560, use_container_width=True)
    if not view.legend:
        st.caption(t("no_figure", lang))


@st.fragment  # each table's own pickers redraw that table only
def _side_by_side(incident_id: int, lang: str) -> None:
    st.markdown(f"**{t('side_by_side', lang)}**")
    figure = _figure_picker("side_figure", lang)
    show_table(data.load_side_by_side(incident_id, figure, lang), lang, hide_index=True)


@st.fragment
def _versions(incident_id: int, lang: str) -> None:
    options = load_incident_kecamatan(incident_id)
    st.markdown(f"**{t('versions_title', lang)}**")
    left, middle, right = st.columns(3)
    kecamatan = left.selectbox(
        t("choose_kecamatan_filter", lang),
        [None, *options],
        format_func=lambda c: t("any", lang) if c is None else options[c],
        key="versions_kecamatan",
    )
    sources = middle.multiselect(
        t("source", lang),
        list(SOURCES),
        format_func=lambda s: t(f"source_{s}", lang),
        key="versions_sources",
        placeholder=t("choose_many", lang),
        select_all=False,
    )
    statuses = right.multiselect(
        t("col_verification", lang),
        [v.value for v in Verification],
        format_func=lambda s: t(f"verification_{s}", lang),
        key="versions_statuses",
        placeholder=t("choose_many", lang),
        select_all=False,
    )
    versions = data.load_versions(incident_id, kecamatan, lang, tuple(sources), tuple(statuses))
    show_table(versions, lang, hide_index=True, width="stretch")


def reports(incident_id: int, lang: str) -> None:
    """Per-source figures side by side, every version, and verification."""
    _side_by_side(incident_id, lang)
    _versions(incident_id, lang)
    if not shell.allowed("verify", lang):
        return
    labels, own = data.verification_queue(incident_id, shell.actor(), lang)
    st.markdown(f"**{t('verification_queue', lang, n=len(labels))}**")
    if own:
        st.caption(t("verification_own_waiting", lang, n=own))
    if not labels:
        return
    with st.form("verify_form", enter_to_submit=False):
        report_id = st.selectbox(
            t("choose_report", lang), list(labels), format_func=labels.get, key="verify_report"
        )
        reason = st.text_input(t("rejection_reason", lang), max_chars=300, key="verify_reason")
        left, right = st.columns(2)
        accept = left.form_submit_button(t("verify", lang), type="primary")
        refuse = right.form_submit_button(t("reject", lang))
    if accept or refuse:
        decision = (report_id, "verified" if accept else "rejected", reason)
        _decide(*decision, lang)
    pending = st.session_state.get(VERIFY_PENDING)
    if pending is not None:
        drops = "; ".join(field_error(w.field, w.code, w.params, lang, md) for w in pending[1])
        st.warning(t("confirm_lowering", lang, drops=drops))
        if st.button(t("confirm_decision", lang), key="confirm_verification"):
            _decide(*pending[0], lang, confirmed=True)


VERIFY_PENDING = "_verify_pending"  # a decision that lowers published figures, and why


def _decide(report_id: int, status: str, reason: str, lang: str, confirmed: bool = False) -> None:
    """Verify or reject; a decision lowering a published figure waits for a confirmation."""
    try:
        data.verify(report_id, status, shell.actor(), reason, confirmed)
    except NeedsConfirmation as exc:
        st.session_state[VERIFY_PENDING] = ((report_id, status, reason), exc.warnings)
        st.rerun()
    except CommandCenterError as exc:
        st.session_state.pop(VERIFY_PENDING, None)
        st.error(explain(exc, lang))
        return
    st.session_state.pop(VERIFY_PENDING, None)
    done(t("verified_ok" if status == "verified" else "rejected_ok", lang))


def entry(incident_id: int, lang: str) -> None:
    """The report form; a sharp drop from the previous version asks for a confirmation. A
    whole kabupaten may be chosen too, for a total not yet broken down by kecamatan."""
    if not shell.allowed("report", lang):
        return
    options = data.report_areas(incident_id, shell.actor(), lang)
    if not options:
        st.info(t("no_area_in_scope", lang))
        return
    zones = {zone_of(code) for code in options}  # one, unless the incident spans zones
    shown = zones.pop() if len(zones) == 1 else t("local_time", lang)
    now = now_in(zone_of(next(iter(options))))
    with st.form("report_form", enter_to_submit=False):
        left, middle, right = st.columns(3)
        values = {
            "incident_id": incident_id,
            "kecamatan_code": left.selectbox(
                t("field_kecamatan_code", lang),
                list(options),
                format_func=options.get,
                key="report_kecamatan",
            ),
            "source": middle.selectbox(
                t("source", lang), list(SOURCES), format_func=lambda s: t(f"source_{s}", lang)
            ),
            "reporter": right.text_input(t("reporter", lang), max_chars=120),
        }
        day = left.date_input(
            t("report_date", lang), value=now.date(), max_value=now.date(), format="DD/MM/YYYY"
        )
        clock = middle.time_input(
            t("report_time", lang, zone=shown), value=now.time().replace(second=0)
        )
        there = ZoneInfo(ZONES[zone_of(values["kecamatan_code"])])  # the clock read there
        values["report_time"] = datetime.combine(day, clock, there)
        values["area_level"] = (
            "kabupaten" if values["kecamatan_code"].count(".") == 1 else "kecamatan"
        )
        grid = st.columns(4)
        for i, figure in enumerate(FIGURES):
            values[figure] = grid[i % 4].number_input(
                data.figure_label(figure, lang),
                min_value=0,
                step=1,
                value=None,
                key=f"fig_{figure}",
            )
        values["needs"] = st.text_input(t("needs_help", lang), key="report_needs")
        values["aid_delivered"] = st.text_input(t("aid_help", lang), key="report_aid")
        values["notes"] = st.text_area(t("notes", lang), max_chars=2000, key="report_notes")
        submitted = st.form_submit_button(t("save_report", lang), type="primary")
    if submitted:
        save_report(_save, _said(lang), values, lang)
    confirm_pending(_save, _said(lang), lang, "confirm_report")


def _save(values: dict, confirmed: bool):
    return data.save_report(values, shell.actor(), confirmed)


def _said(lang: str):
    def said(values: dict, saved) -> str:
        areas = data.report_areas(values["incident_id"], shell.actor(), lang)
        name = areas.get(values["kecamatan_code"], values["kecamatan_code"])
        message = t("report_saved", lang, kecamatan=md(name), version=saved.version)
        if not saved.current:
            message += "  \n" + t(
                "report_history", lang, current=format_wib(saved.older_than, lang)
            )
        return message + ("  \n" + t("outside_area", lang) if saved.outside_area else "")

    return said


def whatsapp(incident_id: int, lang: str) -> None:
    """Posko messages pasted from WhatsApp: each read into a draft, shown with what was read
    marked and what was not listed, saved only when the operator confirms it."""
    if not shell.allowed("report", lang):
        return
    st.caption(t("whatsapp_help", lang))
    with st.form("whatsapp_form", enter_to_submit=False):
        text = st.text_area(
            t("whatsapp_paste", lang), height=160, max_chars=20_000, key="whatsapp_text"
        )
        left, right = st.columns(2)
        source = left.selectbox(
            t("source", lang),
            list(SOURCES),
            format_func=lambda s: t(f"source_{s}", lang),
            key="whatsapp_source",
        )
        reporter = right.text_input(t("reporter", lang), max_chars=120, key="whatsapp_reporter")
        if st.form_submit_button(t("whatsapp_read", lang)):
            st.session_state["whatsapp_read"] = (
                data.read_whatsapp(text, incident_id, shell.actor()),
                source,
                reporter,
            )
    read = st.session_state.get("whatsapp_read")
    if not read:
        return
    pasted, source, reporter = read
    if not pasted:
        st.warning(t("whatsapp_nothing", lang))
    for index, item in enumerate(pasted):
        with st.container(border=True):
            _pasted(item, index, incident_id, source, reporter, lang)
    confirm_pending(_save, _said(lang), lang, "confirm_whatsapp_report")


def _pasted(item, index: int, incident_id: int, source: str, reporter: str, lang: str) -> None:
    """One draft read from pasted text: the text with its figures marked, the place and time
    to check, what was read and what was not; saved only by the operator."""
    draft = item.draft
    st.markdown(item.marked_html, unsafe_allow_html=True)  # escaped, figures marked
    if draft.sender:
        st.caption(t("whatsapp_sender", lang, sender=md(draft.sender)))
    if draft.said and draft.area_code is None:
        names = ", ".join(c.name for c in draft.candidates[:5])
        key = "whatsapp_unknown_place" if not names else "whatsapp_which_place"
        st.warning(t(key, lang, name=md(draft.said), names=md(names)))
    codes = list(item.options)
    left, middle, right = st.columns([2, 1, 1])
    code = left.selectbox(
        t("whatsapp_area", lang),
        codes,
        index=codes.index(draft.area_code) if draft.area_code in codes else None,
        format_func=item.options.get,
        placeholder=t("whatsapp_which", lang, name=md(draft.said or "?")),
        key=f"whatsapp_kecamatan_{index}",
    )
    zone = zone_of(code or draft.area_code)  # the time as a clock there reads it
    when = (draft.report_time or utcnow()).astimezone(ZoneInfo(ZONES[zone]))
    day = middle.date_input(
        t("report_date", lang), when.date(), key=f"whatsapp_day_{index}_{zone}", format="DD/MM/YYYY"
    )
    clock = right.time_input(
        t("report_clock", lang, zone=zone), when.time(), key=f"whatsapp_clock_{index}_{zone}"
    )
    if draft.report_time is None or not draft.has_clock:
        st.caption(t("whatsapp_no_time", lang))
    show_table(
        {data.figure_label(f.name, lang): [f.value] for f in draft.figures}, lang, hide_index=True
    )
    if draft.needs:
        st.caption(f"{t('field_needs', lang)}: {md(_needs_text(draft.needs))}")
    if draft.unread:
        st.warning(t("whatsapp_unread", lang, parts=md(" · ".join(draft.unread))))
    if st.button(t("save_report", lang), key=f"whatsapp_save_{index}", type="primary"):
        values = {
            "incident_id": incident_id,
            "area_level": "kabupaten" if code and code.count(".") == 1 else "kecamatan",
            "kecamatan_code": code,
            "source": source,
            "reporter": reporter or draft.sender,  # the WhatsApp sender unless one is typed
            "report_time": datetime.combine(day, clock, tzinfo=when.tzinfo),
            **draft.values(),
            "needs": [
                {"item": n.item, "qty": n.qty, "unit": n.unit}
                for n in draft.needs
                if n.qty is not None
            ],
            "notes": _whatsapp_notes(draft, lang),
        }
        save_report(_save, _said(lang), values, lang)


def _needs_text(needs) -> str:
    return ", ".join(
        " ".join(str(part) for part in (n.item, n.qty, n.unit) if part is not None) for n in needs
    )


def _whatsapp_notes(draft, lang: str) -> str:
    """The message itself (the record of what was sent), and needs given without a number."""
    uncounted = [n.item for n in draft.needs if n.qty is None]
    extra = f"{t('field_needs', lang)}: {', '.join(uncounted)}\n" if uncounted else ""
    return f"{extra}WhatsApp: {draft.message}"[:2000]


def import_reports(incident_id: int, lang: str) -> None:
    st.caption(t("reports_import_help", lang))
    confirmed = st.checkbox(t("accept_drops", lang), key="import_accept_drops")
    source = st.selectbox(
        t("import_default_source", lang),
        [None, *SOURCES],
        format_func=lambda s: t(f"source_{s or 'from_file'}", lang),
        key="import_default_source",
    )
    import_panel(
        Importer(
            kind=REPORTS,
            preview=lambda content, name, actor: data.preview(
                content, name, incident_id, actor, source
            ),
            run=lambda content, name, progress: data.import_file(
                content, name, incident_id, shell.actor(), confirmed, progress, source
            ),
            resubmit=data.resubmit,
            keeps_other_columns=True,
        ),
        lang,
    )


def export(incident_id: int | None, include_unverified: bool, lang: str) -> None:
    st.caption(t("export_help", lang))
    for column, kind, mime in zip(
        st.columns(3),
        ("csv", "hxl", "geojson"),
        ("text/csv", "text/csv", "application/geo+json"),
        strict=True,
    ):
        column.download_button(
            t(f"export_{kind}", lang),
            data=lambda kind=kind: data.export(incident_id, include_unverified, kind, lang),
            file_name=data.export_name(incident_id, kind),
            mime=mime,
            key=f"export_{kind}",
        )


def reporter_links(incident_id: int | None, lang: str) -> None:
    """Field reporters' personal links (coordinators and admins): issue one for a person and
    their kecamatan, see who has one, revoke at once."""
    st.caption(t("links_help", lang))
    if not permits(shell.actor(), "reporters"):
        st.caption(t("links_not_allowed", lang))
        return
    if incident_id is None:
        st.info(t("choose_one_incident", lang))
    else:
        _issue_link(incident_id, lang)
    links = data.load_links(shell.actor(), lang)
    if links.empty:
        return
    show_table(links, lang, width="stretch")
    with st.form("revoke_link_form", enter_to_submit=False):
        chosen = st.selectbox(
            t("link_revoke_which", lang),
            list(links.index),
            format_func=lambda i: f"#{i} {links.loc[i].iloc[0]}",
        )
        if st.form_submit_button(t("link_revoke", lang)):
            who = md(links.loc[chosen].iloc[0])
            ask("revoke_link", t("ask_revoke_link", lang, id=chosen, name=who), int(chosen))
    asked = confirmed("revoke_link", lang)
    if asked:
        try:
            data.revoke_link(asked.payload, shell.actor())
        except CommandCenterError as exc:
            st.error(explain(exc, lang))
        else:
            done(t("link_revoked_done", lang, id=asked.payload))


def _issue_link(incident_id: int, lang: str) -> None:
    options = kecamatan_for(incident_id, shell.actor())
    with st.form("issue_link_form", clear_on_submit=True, enter_to_submit=False):
        left, right = st.columns(2)
        values = {
            "name": left.text_input(t("col_name", lang), max_chars=LABEL, key="link_name"),
            "phone": right.text_input(t("col_phone", lang), max_chars=30, key="link_phone"),
            "role": left.selectbox(
                t("field_role", lang),
                list(PILAR_SOSIAL),
                format_func=lambda s: t(f"source_{s}", lang),
                key="link_role",
            ),
            "days": right.number_input(
                t("field_days", lang), 1, MAX_LINK_DAYS, LINK_DAYS, key="link_days"
            ),
            "kecamatan": st.multiselect(
                t("col_kecamatan", lang),
                list(options),
                format_func=options.get,
                key="link_kec",
                placeholder=t("choose_many", lang),
                select_all=False,
            ),
        }
        only = st.checkbox(t("link_this_incident_only", lang), value=True)
        values["incident_id"] = incident_id if only else None
        if not st.form_submit_button(t("link_issue", lang), type="primary"):
            return
    try:
        url = data.issue_link(values, shell.actor())
    except CommandCenterError as exc:
        st.error(explain(exc, lang))
        return
    st.success(t("link_issued", lang, name=md(values["name"])))
    st.code(url, language=None)
