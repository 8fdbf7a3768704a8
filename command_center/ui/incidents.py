"""The panels of the incidents page: the list with filters, opening an incident, and one
incident's own view (area and map, phases, teams, audit, closing, reopening, merging)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import streamlit as st
from streamlit_folium import st_folium

from command_center.adapters import incidents as data
from command_center.base import resources
from command_center.base.auth import permits
from command_center.base.errors import CommandCenterError, StaleRecord, TeamsDeployed
from command_center.base.labels import shown, t
from command_center.base.models import IncidentStatus
from command_center.base.times import ZONES, format_local, today_in
from command_center.services.incidents import (
    HAZARDS,
    PHASES,
    IncidentFilters,
    common_area,
    suggested_name,
    zone_of,
)
from command_center.stores.common import IncidentRecord
from command_center.stores.incidents import NewIncident
from command_center.ui import households, maps, shell
from command_center.ui.irreversible import ask, confirmed
from command_center.ui.messages import done, explain, md, show_table

CHOSEN = "incident_chosen"  # the incident whose view is open (kept across reruns)
PICKED = "incidents_picked"  # the list's selected rows, as last seen
STATUSES = tuple(status.value for status in IncidentStatus)


def hazard_word(code: str, lang: str) -> str:
    return t(f"hazard_{code}", lang)


def proposal_list(lang: str) -> None:
    """Proposals waiting for an operator: confirm or dismiss each, with effect at once."""
    st.caption(t("proposals_help", lang))
    table = data.load_proposals(lang)
    if table.empty:
        st.caption(t("no_proposals", lang))
        return
    show_table(table.drop(columns="version"), lang, hide_index=True, width="stretch")
    mine = data.decidable_proposals(shell.actor())
    if not permits(shell.actor(), "incident") or not mine:
        return
    names = table[t("col_name", lang)]
    choices = [i for i in table.index if i in mine]
    chosen = st.selectbox(
        t("choose_proposal", lang), choices, format_func=names.get, key="proposal"
    )
    version = int(table.loc[chosen, "version"])
    confirm, dismiss = st.columns(2)
    try:
        if confirm.button(t("confirm_incident", lang), type="primary", key="proposal_confirm"):
            data.decide_proposal(int(chosen), version, True, shell.actor())
            done(t("incident_confirmed", lang))
        if dismiss.button(t("dismiss_incident", lang), key="proposal_dismiss"):
            data.decide_proposal(int(chosen), version, False, shell.actor())
            done(t("incident_dismissed", lang))
    except StaleRecord:
        st.error(t("incident_changed", lang))
    except CommandCenterError as exc:
        st.error(explain(exc, lang))


def incident_list(lang: str) -> None:
    """Filters, counts and the list; a row's selection opens that incident below."""
    top = st.columns(4)
    statuses = top[0].multiselect(
        t("col_status", lang),
        STATUSES,
        default=["open"],
        format_func=lambda s: t(f"status_incident_{s}", lang),
        key="incidents_status",
        placeholder=t("choose_many", lang),
        select_all=False,
    )
    hazards = top[1].multiselect(
        t("field_hazard", lang),
        HAZARDS,
        format_func=lambda h: hazard_word(h, lang),
        key="incidents_hazard",
        placeholder=t("choose_many", lang),
        select_all=False,
    )
    phases = top[2].multiselect(
        t("field_phase", lang),
        [*PHASES, "none"],
        format_func=lambda p: t(f"phase_{p}", lang),
        key="incidents_phase",
        placeholder=t("choose_many", lang),
        select_all=False,
    )
    kind = top[3].selectbox(
        t("exercise", lang),
        [None, False, True],
        key="incidents_exercise",
        format_func=lambda e: "-" if e is None else t("exercise" if e else "real_incident", lang),
    )
    bottom = st.columns([2, 1, 1])
    areas = data.kabupaten_choices()
    area = bottom[0].selectbox(
        t("col_area", lang),
        [None, *data.province_choices(), *areas],
        key="incidents_area",
        format_func=lambda c: "-" if c is None else data.area_label(c),
    )
    since = bottom[1].date_input(
        t("since", lang), value=None, key="incidents_since", format="DD/MM/YYYY"
    )
    until = bottom[2].date_input(
        t("until_day", lang), value=None, key="incidents_until", format="DD/MM/YYYY"
    )
    filters = IncidentFilters(
        tuple(statuses), tuple(phases), tuple(hazards), area, kind, since, until
    )
    table, counts = data.load_incidents(filters, lang)
    table = table[table.index.isin(data.visible(shell.actor().scope))]
    st.caption(t("incidents_found", lang, n=len(table)))
    if not counts.empty:
        show_table(counts, lang, width="stretch")
    picked = st.dataframe(  # a selection, even of no rows
        shown(table, lang),
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="incidents_table",
    )
    rows = tuple(picked.selection.rows) if picked else ()
    # only a new pick opens a row: after a close or a merge the list changes under the same
    # remembered row number, which then points at another incident
    if rows and rows != st.session_state.get(PICKED):
        st.session_state[CHOSEN] = int(table.index[rows[0]])
    st.session_state[PICKED] = rows
    st.download_button(
        t("export_incidents", lang), data.incidents_csv(table), "kejadian.csv", "text/csv"
    )


def open_form(lang: str) -> None:
    """Open an incident by hand: hazard, area (kabupaten, then all or some kecamatan, across
    kabupaten too), a suggested name, start in the area's local time."""
    hazard = st.selectbox(
        t("field_hazard", lang),
        HAZARDS,
        format_func=lambda h: hazard_word(h, lang),
        key="open_hazard",
    )
    kabupaten = st.multiselect(
        t("open_kabupaten", lang),
        list(data.kabupaten_for(shell.actor())),
        format_func=data.area_label,
        key="open_kabupaten",
        placeholder=t("choose_many", lang),
        select_all=False,
    )
    choices = data.kecamatan_of(tuple(kabupaten))
    subset = st.multiselect(
        t("open_kecamatan", lang),
        list(choices),
        format_func=choices.get,
        key="open_kecamatan",
        placeholder=t("choose_many", lang),
        select_all=False,
    )
    codes = subset or kabupaten
    area = common_area(codes) if codes else None
    zone = zone_of(area)
    today = today_in(zone)
    place = data.area_label(area).split(" (")[0] if area else ""
    left, right = st.columns(2)  # outside the form: the suggested name follows the start day
    day = left.date_input(
        t("start_day", lang, zone=zone), today, key="open_day", format="DD/MM/YYYY"
    )
    at = right.time_input(t("start_time", lang, zone=zone), time(0, 0), key="open_time")
    with st.form("open_incident", enter_to_submit=False):
        name = st.text_input(
            t("field_name", lang),
            suggested_name(hazard_word(hazard, "id"), place, day),
            max_chars=200,
        )
        description = st.text_area(t("field_description", lang), max_chars=2000)
        events = data.recent_events(lang)
        linked = st.multiselect(
            t("field_event_ids", lang),
            list(events),
            format_func=events.get,
            placeholder=t("choose_many", lang),
            select_all=False,
        )
        exercise = st.checkbox(t("exercise", lang))
        submitted = st.form_submit_button(t("open_incident", lang), type="primary")
    if not submitted:
        return
    started = datetime.combine(day, at, ZoneInfo(ZONES[zone]))
    entry = NewIncident(hazard, name, tuple(codes), started, description, exercise, tuple(linked))
    try:
        key = data.open_incident(entry, shell.actor())
    except CommandCenterError as exc:
        st.error(explain(exc, lang))
        return
    st.session_state[CHOSEN] = data.incident_id(key)
    done(t("incident_opened", lang, name=md(name)))


def chosen() -> int | None:
    """The incident whose view is open: the one chosen here, else an alert's deep link
    (`/incidents?incident=12`)."""
    picked = st.session_state.get(CHOSEN)
    linked = st.query_params.get("incident", "")
    return picked if picked is not None or not linked.isdigit() else int(linked)


def incident_view(incident_id: int, lang: str) -> None:
    """One incident: header with the phase in force, area map and editor, phases, reports
    and teams, audit trail, and the actions the user's role allows."""
    view = data.load_incident(incident_id, lang)
    if view is None or incident_id not in data.visible(shell.actor().scope):
        st.info(t("no_incident", lang))
        return
    record = view.record
    shell.exercise_banner(record.is_exercise)
    st.subheader(md(record.name))
    st.caption(
        f"{hazard_word(record.kind, lang)} · {t(f'status_incident_{record.status}', lang)} · "
        f"{t('field_started_at', lang)}: {format_local(record.started_at, view.zone, lang)} · "
        f"{record.key}"
    )
    if view.phase_line:
        st.markdown(f"**{md(view.phase_line)}**")
    if view.merged_into:
        st.info(t("merged_into", lang, key=md(view.merged_into)))
    if view.description:
        st.caption(md(view.description))
    tabs = st.tabs(
        [t(k, lang) for k in ("tab_area", "tab_phases", "tab_people", "tab_incident_audit")],
        key="incident_tab",
        on_change="rerun",
    )
    for tab, panel in zip(tabs, (_area, _phases, _people, _audit), strict=True):
        if tab.open:  # only the open tab runs
            with tab:
                panel(incident_id, view, lang)
    _sitrep_schedule(incident_id, record.status, view.zone, lang)
    _sitreps(incident_id, lang)
    if record.status in ("open", "proposed") and permits(shell.actor(), "incident"):
        _details_form(incident_id, view, lang)
    _actions(incident_id, record, lang)


def _phases(incident_id: int, view: data.IncidentView, lang: str) -> None:
    """The emergency phases, and their forms for those who may set them."""
    show_table(view.phases, lang, hide_index=True, width="stretch")
    if view.record.status == "open" and permits(shell.actor(), "phase"):
        _confirm_form(view, lang)
        _phase_form(incident_id, view.zone, lang)


def _people(incident_id: int, view: data.IncidentView, lang: str) -> None:
    """Families counted, verified reports and teams of the incident."""
    st.markdown(f"**{t('page_households', lang)}**")
    households.count_metrics(data.load_household_counts(incident_id), lang)
    st.caption(t("verified_only", lang))
    show_table(view.reports, lang, hide_index=True, width="stretch")
    show_table(view.teams, lang, hide_index=True, width="stretch")
    if not view.outside.empty:
        st.warning(t("outside_incident_area", lang))
        show_table(view.outside, lang, hide_index=True, width="stretch")


def _audit(incident_id: int, view: data.IncidentView, lang: str) -> None:
    """The incident's audit trail and the alerts sent about it."""
    show_table(view.audit, lang, hide_index=True, width="stretch")
    st.markdown(f"**{t('incident_alerts', lang)}**")
    show_table(data.load_alerts(incident_id, lang), lang, hide_index=True, width="stretch")


def _sitreps(incident_id: int, lang: str) -> None:
    """The sitreps issued so far (number, when, by whom) and the files of the one picked."""
    table = data.load_sitreps(incident_id, lang)
    st.markdown(f"**{t('sitrep_title', lang)}**")
    if table.empty:
        st.caption(t("no_sitreps", lang))
        return
    show_table(table.drop(columns="files"), lang, hide_index=True, width="stretch")
    made = [n for n in table.index if table.loc[n, "files"]]
    if not made:
        return
    number = st.selectbox(t("sitrep_pick", lang), made, key=f"sitrep_pick_{incident_id}")
    left, right = st.columns(2)
    for column, kind in ((left, "pdf"), (right, "png")):
        name, content = data.sitrep_file(incident_id, int(number), kind, shell.actor())
        column.download_button(
            t(f"download_sitrep_{kind}", lang),
            content,
            name,
            data.SITREP_TYPES[kind],
            key=f"sitrep_{kind}_{incident_id}",
        )


def _sitrep_schedule(incident_id: int, status: str, zone: str, lang: str) -> None:
    """When the sitrep is issued by itself, and (for whom may edit the incident) its editor."""
    times = data.load_sitrep_schedule(incident_id)
    shown = times.replace(",", ", ")
    st.caption(t("sitrep_on_schedule", lang, times=shown, zone=zone) if times else
               t("sitrep_not_scheduled", lang))  # fmt: skip
    if status != "open" or not permits(shell.actor(), "incident"):
        return
    with st.form(f"sitrep_schedule_{incident_id}", enter_to_submit=False):
        text = st.text_input(
            t("field_sitrep_at", lang), times, help=t("sitrep_schedule_help", lang), max_chars=120
        )
        if st.form_submit_button(t("save_schedule", lang)):
            try:
                data.set_sitrep_schedule(incident_id, shell.actor(), text)
            except CommandCenterError as exc:
                st.error(explain(exc, lang))
                return
            done(t("sitrep_schedule_saved", lang))


def _details_form(incident_id: int, view: data.IncidentView, lang: str) -> None:
    with (
        st.expander(t("edit_incident", lang)),
        st.form(f"details_{incident_id}", enter_to_submit=False),
    ):
        name = st.text_input(t("field_name", lang), view.record.name, max_chars=200)
        description = st.text_area(
            t("field_description", lang), view.description or "", max_chars=2000
        )
        exercise = st.checkbox(t("exercise", lang), view.record.is_exercise)
        if st.form_submit_button(t("save", lang)):
            try:
                data.set_details(incident_id, shell.actor(), name, description, exercise)
            except CommandCenterError as exc:
                st.error(explain(exc, lang))
                return
            done(t("incident_saved", lang))


def _area(incident_id: int, view: data.IncidentView, lang: str) -> None:
    """The area on the map (click a kecamatan to add or remove it) and as a list."""
    record, who = view.record, shell.actor()
    editable = (
        record.status == "open" and permits(who, "incident") and who.covers(record.kabupaten_code)
    )
    tiles = resources.tiles()
    layer = data.area_layer(incident_id)
    if layer is not None:
        fmap = maps.area_map(layer, tiles.url, tiles.attribution, resources.map_layers())
        maps.Legend(
            [(t("legend_in_area", lang), maps.IN_AREA), (t("legend_not_in_area", lang), maps.OUT)]
        ).add_to(fmap)
        clicked = st_folium(
            fmap,
            key=f"area_map_{incident_id}",
            returned_objects=["last_active_drawing"],
            height=420,
            use_container_width=True,
        )
        feature = (clicked or {}).get("last_active_drawing") or {}
        code = (feature.get("properties") or {}).get("code")
        if code and editable:
            inside = code in view.record.kecamatan_codes
            label = "area_remove_one" if inside else "area_add_one"
            if st.button(t(label, lang, name=md(data.area_label(code))), key="area_click"):
                _change(
                    incident_id, lang, remove=[code] if inside else [], add=[] if inside else [code]
                )
    show_table(view.kecamatan, lang, hide_index=True, width="stretch")
    if editable:
        _area_form(record, lang)


def _area_form(record: IncidentRecord, lang: str) -> None:
    """Add kecamatan by name, picked as in "Buka kejadian" (the kabupaten, then its
    kecamatan not yet in the area); remove some of the incident's own. A kabupaten alone adds
    nothing here: it only narrows the list, so a removal never adds a whole kabupaten."""
    keys = [f"area_{part}_{record.id}" for part in ("kabupaten", "add", "remove")]
    places = data.kabupaten_for(shell.actor())
    kabupaten = st.multiselect(
        t("open_kabupaten", lang),
        list(places),
        default=[c for c in dict.fromkeys(c[:5] for c in record.kecamatan_codes) if c in places],
        format_func=data.area_label,
        key=keys[0],
        placeholder=t("choose_many", lang),
        select_all=False,
    )
    choices = data.kecamatan_to_add(record, tuple(kabupaten), shell.actor())
    add = st.multiselect(
        t("field_add", lang),
        list(choices),
        format_func=choices.get,
        key=keys[1],
        placeholder=t("choose_many", lang),
        select_all=False,
    )
    remove = st.multiselect(
        t("field_remove", lang),
        list(record.kecamatan_codes),
        format_func=data.area_label,
        key=keys[2],
        placeholder=t("choose_many", lang),
        select_all=False,
    )
    if st.button(t("change_area", lang), key=f"area_change_{record.id}"):
        _change(record.id, lang, add=add, remove=remove, picked=keys)


def _change(
    incident_id: int, lang: str, add: list[str], remove: list[str], picked: Iterable[str] = ()
) -> None:
    """Change the area; the pickers in `picked` start empty again once it is done."""
    try:
        area = data.change_area(incident_id, shell.actor(), add, remove)
    except CommandCenterError as exc:
        st.error(explain(exc, lang))
        return
    for key in picked:  # what was added is no longer offered, nor what was removed
        st.session_state.pop(key, None)
    done(t("area_changed", lang, n=len(area)))


def _phase_form(incident_id: int, zone: str, lang: str) -> None:
    today = today_in(zone)
    with st.form(f"phase_{incident_id}", enter_to_submit=False):
        left, right = st.columns(2)
        phase = left.selectbox(
            t("field_phase", lang), PHASES, index=1, format_func=lambda p: t(f"phase_{p}", lang)
        )
        decree = right.text_input(
            t("field_decree", lang), max_chars=120, placeholder="360/Kep.123-BPBD/2026"
        )
        authority = left.text_input(
            t("field_authority", lang), max_chars=120, placeholder="Bupati Cianjur"
        )
        starts = right.date_input(t("field_starts_on", lang), today, format="DD/MM/YYYY")
        ends = left.date_input(
            t("field_ends_on", lang), today + timedelta(days=6), format="DD/MM/YYYY"
        )
        if st.form_submit_button(t("set_phase", lang), type="primary"):
            try:
                data.add_phase(incident_id, shell.actor(), phase, decree, authority, starts, ends)
            except CommandCenterError as exc:
                st.error(explain(exc, lang))
                return
            done(t("phase_set", lang))


def _confirm_form(view: data.IncidentView, lang: str) -> None:
    """Confirm a decree someone else recorded (the store checks the rest)."""
    who = shell.actor()
    waiting = {
        p.id: f"{t(f'phase_{p.phase}', lang)} · {p.decree} · {p.authority} ({p.recorded_by})"
        for p in view.decrees
        if not p.confirmed and p.recorded_by != who.name
    }
    if not waiting or not who.covers(view.record.kabupaten_code):
        return
    st.caption(t("decree_confirm_help", lang))
    with st.form(f"confirm_{view.record.id}", enter_to_submit=False):
        chosen = st.selectbox(t("field_phase_id", lang), list(waiting), format_func=waiting.get)
        if st.form_submit_button(t("confirm_decree", lang), type="primary"):
            try:
                data.confirm_phase(chosen, who)
            except CommandCenterError as exc:
                st.error(explain(exc, lang))
                return
            done(t("decree_confirmed", lang))


def _actions(incident_id: int, record: IncidentRecord, lang: str) -> None:
    """Close (coordinators, admins), reopen and merge (admins); close and merge ask first."""
    who, status, name = shell.actor(), record.status, md(record.name)
    try:
        if status == "open" and permits(who, "phase"):
            if st.button(t("close_incident", lang), key=f"close_{incident_id}"):
                ask(f"close_{incident_id}", t("ask_close_incident", lang, name=name))
            if confirmed(f"close_{incident_id}", lang):
                number = data.close_incident(incident_id, who)
                done(t("incident_closed", lang, number=number))
        if status == "closed" and permits(who, "merge"):
            with st.form(f"reopen_{incident_id}", enter_to_submit=False):
                reason = st.text_input(t("field_reason", lang), max_chars=500)
                if st.form_submit_button(t("reopen_incident", lang)):
                    data.reopen_incident(incident_id, who, reason)
                    done(t("incident_reopened", lang))
        if status in ("open", "proposed") and permits(who, "merge"):
            _merge(incident_id, name, lang)
    except TeamsDeployed as exc:
        st.error(t("close_refused", lang, teams=md(", ".join(exc.teams))))
    except CommandCenterError as exc:
        st.error(explain(exc, lang))


def _merge(incident_id: int, name: str, lang: str) -> None:
    """Pick the incident to merge into this one (none picked beforehand), then confirm."""
    others = data.merge_choices(incident_id, shell.actor())
    with st.form(f"merge_{incident_id}", enter_to_submit=False):
        other = st.selectbox(
            t("merge_other", lang),
            list(others),
            index=None,
            format_func=others.get,
            placeholder=t("merge_pick", lang),
        )
        if st.form_submit_button(t("merge_incident", lang)) and other is not None:
            question = t("ask_merge_incident", lang, other=md(others[other]), name=name)
            ask(f"merge_{incident_id}", question, other)
    asked = confirmed(f"merge_{incident_id}", lang)
    if asked:
        data.merge_incidents(incident_id, asked.payload, shell.actor())
        done(t("incident_merged", lang))
