"""The panels of the Tagana page: status board, assignment, team status, roster editing.

Every change is made against the version of the team the coordinator last saw (kept in
session state), so a change someone else made in between is reported, not overwritten.
"""

from __future__ import annotations

from datetime import date, datetime, time

import streamlit as st
from streamlit_folium import st_folium

from command_center.adapters import deployments as data
from command_center.adapters.incidents import kecamatan_for
from command_center.base import resources
from command_center.base.errors import CommandCenterError
from command_center.base.labels import status_label, status_words, t
from command_center.base.models import TeamStatus
from command_center.base.times import WIB, format_wib
from command_center.services import teams as rules
from command_center.services.figures import STATUS_COLOURS
from command_center.ui import maps, shell
from command_center.ui.irreversible import ask, confirmed
from command_center.ui.messages import done, explain, md, show_table

SEEN = "team_versions_seen"
BOARD_CARDS = 25  # per status column; the filters narrow the rest down


def _any(options: dict, lang: str):
    return lambda code: t("any", lang) if code is None else options[code]


def _skill_picker(column, label: str, key: str, lang: str) -> str | None:
    """Any skill (None) or one the roster or the common list knows."""
    skills = data.load_choices().skills
    return column.selectbox(
        t(label, lang),
        [None, *skills],
        format_func=lambda s: t("any", lang) if s is None else s,
        key=key,
    )


def seen_version(team_id: int, current: int) -> int:
    """The team version this user last saw (what their change is based on)."""
    return st.session_state.setdefault(SEEN, {}).get(team_id, current)


def saw(team_id: int, version: int) -> None:
    st.session_state.setdefault(SEEN, {})[team_id] = version


@st.fragment  # its filters redraw the board only
def board(lang: str) -> None:
    """Counts and teams per status, filtered, with the duty warning and the team map."""
    choices = data.load_choices()
    left, middle, right = st.columns(3)
    province = left.selectbox(
        t("filter_province", lang),
        [None, *choices.provinces],
        format_func=_any(choices.provinces, lang),
        key="board_province",
    )
    kabupaten_options = {
        c: n for c, n in choices.kabupaten.items() if province is None or c.startswith(province)
    }
    kabupaten = middle.selectbox(
        t("filter_kabupaten", lang),
        [None, *kabupaten_options],
        format_func=_any(kabupaten_options, lang),
        key="board_kabupaten",
    )
    skill = _skill_picker(right, "filter_skill", "board_skill", lang)
    view = data.load_board(lang, province, kabupaten, skill)
    shell.exercise_banner(view.any_exercise)
    if view.empty:
        st.info(t("no_teams", lang))
        return
    if view.over_duty:
        limit = resources.settings().duty_days_warning
        names = ", ".join(md(n) for n in view.over_duty)
        st.warning(t("duty_warning", lang, n=len(view.over_duty), days=limit, teams=names))
    for column, (status, cards) in zip(
        st.columns(len(view.columns)), view.columns.items(), strict=True
    ):
        column.metric(status_label(status, lang), view.counts[status])
        for card in cards[:BOARD_CARDS]:
            box = column.container(border=True)
            days = f" · {t('day_n', lang, n=card.days)}" if card.days else ""
            box.markdown(f"**{md(card.name)}**")
            box.caption(("⚠ " if card.over_limit else "") + md(card.where) + days)
        if len(cards) > BOARD_CARDS:
            column.caption(t("more_teams", lang, n=len(cards) - BOARD_CARDS))
    if not any(view.counts.values()):
        st.info(t("no_teams_match", lang))
    st.markdown(f"**{t('team_map', lang)}**")
    tiles = resources.tiles()
    points = [(m.lat, m.lon) for m in view.teams_on_map] + [
        m.target for m in view.teams_on_map if m.target
    ]
    fmap = maps.base_map(
        tiles.url,
        tiles.attribution,
        base_url_path=st.get_option("server.baseUrlPath"),
        outlines=resources.map_layers(),
    )
    words = status_words(lang)
    shown = {m.status for m in view.teams_on_map}
    maps.Legend([(words[s], colour) for s, colour in STATUS_COLOURS.items() if s in shown]).add_to(
        fmap
    )
    if points:
        fmap.fit_bounds(
            [
                [min(p[0] for p in points), min(p[1] for p in points)],
                [max(p[0] for p in points), max(p[1] for p in points)],
            ]
        )
    st_folium(
        fmap,
        key="team_map",
        feature_group_to_add=maps.team_layer(view.teams_on_map, words),
        returned_objects=[],
        height=460,
        use_container_width=True,
    )


@st.fragment  # picking an incident or a kecamatan redraws this form only
def assign(lang: str) -> None:
    """Pick incident, kecamatan and skill; see the nearest teams at standby; assign one."""
    if not shell.allowed("team", lang):
        return
    incidents = data.load_open_incidents(shell.actor())
    if not incidents:
        st.info(t("no_open_incidents", lang))
        return
    incident_id = st.selectbox(
        t("choose_incident", lang),
        list(incidents),
        format_func=incidents.get,
        key="assign_incident",
    )
    kecamatan = kecamatan_for(incident_id, shell.actor())
    left, right = st.columns(2)
    code = left.selectbox(
        t("choose_kecamatan", lang), list(kecamatan), format_func=kecamatan.get, key="assign_kec"
    )
    skill = _skill_picker(right, "needed_skill", "assign_skill", lang)
    suggestions = data.load_suggestions(code, skill, shell.actor(), lang)
    st.markdown(f"**{t('suggestions', lang)}**")
    if suggestions.empty:
        st.caption(t("no_suggestions", lang))
    else:
        show_table(suggestions, lang, hide_index=True, width="stretch")
    names = data.load_team_names(shell.actor(), lang)
    versions = data.load_team_versions()
    options = [*suggestions.index, *(i for i in names if i not in suggestions.index)]
    with st.form("assign_form", enter_to_submit=False):
        team_id = st.selectbox(
            t("choose_team", lang), options, format_func=names.get, key="assign_team"
        )
        task = st.text_input(t("task", lang), max_chars=500, key="assign_task")
        days = st.number_input(
            t("expected_days", lang), min_value=1, max_value=90, value=7, key="assign_days"
        )
        submitted = st.form_submit_button(t("assign", lang), type="primary")
    if submitted and team_id is not None:
        job = {
            "incident_id": incident_id,
            "kecamatan_code": code,
            "task": task,
            "expected_days": days,
        }
        try:
            data.assign_team(team_id, seen_version(team_id, versions[team_id]), job, shell.actor())
            team = names[team_id].split(" · ")[0]
            done(t("assigned_ok", lang, team=md(team), kecamatan=md(kecamatan[code])))
        except CommandCenterError as exc:
            st.error(explain(exc, lang))
    for team_id, version in versions.items():
        saw(team_id, version)


@st.fragment
def team_status(lang: str) -> None:
    """One team: its status and assignment, status changes, stand-down, history."""
    names = data.load_team_names(shell.actor(), lang)
    if not names:
        st.info(t("no_teams", lang))
        return
    team_id = st.selectbox(
        t("choose_team", lang), list(names), format_func=names.get, key="team_pick"
    )
    team = data.load_team(team_id)
    version = seen_version(team_id, team.version)
    st.markdown(t("current_status", lang, status=status_label(team.status, lang)))
    if team.status_reason:
        st.caption(md(team.status_reason))
    job = data.current_assignment(team_id)
    if job:
        text = t(
            "current_assignment",
            lang,
            kecamatan=md(job["kecamatan"]),
            since=format_wib(job["since"], lang),
            days=job["days"],
            task=md(job["task"]),
        )
        (st.warning if job["over_limit"] else st.info)(text)
    targets = [s.value for s in TeamStatus if s.value != team.status]
    if shell.allowed("team", lang):
        _status_form(team_id, version, team, targets, lang)
    saw(team_id, team.version)  # a change that worked has rerun the page already
    st.markdown(f"**{t('team_history', lang)}**")
    show_table(data.load_history(team_id, lang), lang, hide_index=True, width="stretch")


def _status_form(team_id: int, version: int, team, targets: list[str], lang: str) -> None:
    with st.form("status_form", enter_to_submit=False):
        target = st.selectbox(
            t("new_status", lang),
            targets,
            format_func=lambda s: status_label(s, lang),
            key="status_target",
        )
        reason = st.text_input(t("reason", lang), max_chars=300, key="status_reason")
        until: date | None = st.date_input(
            t("until", lang), value=None, key="status_until", format="DD/MM/YYYY"
        )
        submitted = st.form_submit_button(t("apply_status", lang))
    if team.status in rules.DEPLOYED and st.button(t("stand_down", lang)):
        ask(f"stand_down_{team_id}", t("ask_stand_down", lang, team=md(team.profile.name)))
    stand_down = confirmed(f"stand_down_{team_id}", lang)
    try:
        if submitted:
            ends = datetime.combine(until, time(23, 59), WIB) if until else None
            data.set_status(team_id, version, target, shell.actor(), reason, ends)
            status = status_label(target, lang)
            done(t("status_changed", lang, team=md(team.profile.name), status=status))
        if stand_down:
            data.stand_down(team_id, version, shell.actor())
            done(t("stood_down", lang, team=md(team.profile.name)))
    except CommandCenterError as exc:
        st.error(explain(exc, lang))
