"""Roster panels of the Tagana page: the editable table, a new team, members, file import."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from command_center.adapters import deployments as data
from command_center.base.auth import permits
from command_center.base.errors import CommandCenterError
from command_center.base.labels import NO_VALUE, field_name, kind_label, t
from command_center.services import teams as rules
from command_center.stores.teams import ROSTER
from command_center.ui import shell
from command_center.ui.importer import Importer, import_panel
from command_center.ui.messages import done, explain, md, show_table
from command_center.ui.teams import saw, seen_version


def _columns(lang: str) -> dict[str, Any]:
    return {
        "name": st.column_config.TextColumn(t("col_team", lang), required=True, max_chars=120),
        "kind": st.column_config.SelectboxColumn(
            t("col_kind", lang),
            options=list(rules.KINDS),
            format_func=lambda kind: kind_label(kind, lang),
            required=True,
        ),
        "member_count": st.column_config.NumberColumn(t("col_members", lang), min_value=0, step=1),
        "skills": st.column_config.TextColumn(t("col_skills", lang)),
        "equipment": st.column_config.TextColumn(t("col_equipment", lang)),
        "contact_name": st.column_config.TextColumn(t("col_contact", lang)),
        "contact_phone": st.column_config.TextColumn(t("col_phone", lang)),
        "home_kecamatan_code": st.column_config.TextColumn(
            t("col_home_kecamatan", lang), disabled=True
        ),
    }


def roster_table(lang: str) -> None:
    """Edit teams in place; only changed rows are written, each against the version seen."""
    table = data.load_roster_table()
    if table.empty:
        st.info(t("no_teams", lang))
    elif not permits(shell.actor(), "team"):
        shown = table.drop(columns="version").replace("", NO_VALUE)
        st.dataframe(shown, column_config=_columns(lang), hide_index=True)
    else:
        st.caption(t("roster_edit_help", lang))
        with st.form("roster_form", enter_to_submit=False):
            st.data_editor(
                table.drop(columns="version"),
                column_config=_columns(lang),
                hide_index=True,
                key="roster_editor",
                width="stretch",
            )
            submitted = st.form_submit_button(t("save", lang), type="primary")
        if submitted:
            _save_rows(table, st.session_state["roster_editor"]["edited_rows"], lang)
        for team_id, version in table["version"].items():
            saw(int(team_id), int(version))
    add_team(lang)
    members(lang)


def _save_rows(table: pd.DataFrame, edited_rows: dict[int, dict[str, Any]], lang: str) -> None:
    """Write the rows the editor reports as changed (by position), one team at a time."""
    saved, failed = 0, 0
    for position, changes in edited_rows.items():
        team_id = int(table.index[int(position)])
        row = table.iloc[int(position)]
        values = {**row.drop("version").where(row.notna(), None).to_dict(), **changes}
        try:
            data.save_team(
                team_id, seen_version(team_id, int(row["version"])), values, shell.actor()
            )
            saved += 1
        except CommandCenterError as exc:
            problem = explain(exc, lang)
            st.error(t("row_problem", lang, team=md(row["name"]), problem=problem))
            failed += 1
    if saved and not failed:
        done(t("saved_rows", lang, n=saved))
    elif saved:
        st.success(t("saved_rows", lang, n=saved))


def add_team(lang: str) -> None:
    # a toggle, not an expander: a closed expander still sends its contents on every rerun,
    # and the home pick list holds every kecamatan of the country (about 320 KB)
    if not permits(shell.actor(), "team") or not st.toggle(
        t("add_team", lang), key="add_team_open"
    ):
        return
    with st.form("add_team_form", clear_on_submit=False, enter_to_submit=False):
        kecamatan = data.load_kecamatan_options(shell.actor())
        kinds = data.kind_options(lang)
        left, right = st.columns(2)
        values = {
            "name": left.text_input(t("field_name", lang), max_chars=120),
            "kind": right.selectbox(t("field_kind", lang), list(kinds), format_func=kinds.get),
            "home_kecamatan_code": left.selectbox(
                t("field_home_kecamatan_code", lang),
                list(kecamatan),
                index=None,
                placeholder=t("choose_one", lang),
                format_func=kecamatan.get,
            ),
            "member_count": right.number_input(
                t("field_member_count", lang), min_value=0, max_value=10_000, value=0
            ),
            "skills": left.multiselect(
                t("field_skills", lang),
                list(rules.SKILLS),
                accept_new_options=True,
                placeholder=t("choose_many", lang),
                select_all=False,
            ),
            "equipment": right.text_input(t("field_equipment", lang), max_chars=1000),
            "contact_name": left.text_input(t("field_contact_name", lang), max_chars=120),
            "contact_phone": right.text_input(t("field_contact_phone", lang), max_chars=30),
            "base_lat": left.text_input(t("field_base_lat", lang)),
            "base_lon": right.text_input(t("field_base_lon", lang)),
        }
        if st.form_submit_button(t("add_team", lang)):
            try:
                data.add_team(values, shell.actor())
                done(t("team_added", lang, team=md(values["name"])))
            except CommandCenterError as exc:
                st.error(explain(exc, lang))


def members(lang: str) -> None:
    names = data.load_team_names(shell.actor(), lang)
    if not names:
        return
    team_id = st.selectbox(
        t("choose_team", lang), list(names), format_func=names.get, key="members_team"
    )
    team = data.load_team(team_id)
    st.markdown(f"**{t('members_of', lang, team=md(team.profile.name))}**")
    current = pd.DataFrame(
        [m.model_dump() for m in team.members], columns=["name", "role", "phone"]
    )
    if not shell.allowed("team", lang):
        show_table(current.rename(columns=lambda c: field_name(c, lang)), lang, hide_index=True)
        return
    with st.form("members_form", enter_to_submit=False):
        edited = st.data_editor(
            current,
            num_rows="dynamic",
            hide_index=True,
            key=f"members_editor_{team_id}",
            column_config={
                "name": st.column_config.TextColumn(t("field_name", lang), max_chars=120),
                "role": st.column_config.TextColumn(t("field_role", lang), max_chars=60),
                "phone": st.column_config.TextColumn(t("field_phone", lang), max_chars=40),
            },
        )
        submitted = st.form_submit_button(t("save_members", lang))
    if submitted:
        rows = edited.where(edited.notna(), None).to_dict("records")
        try:
            version = seen_version(team_id, team.version)
            data.save_members(team_id, version, rows, shell.actor())
            done(t("members_saved", lang))
        except CommandCenterError as exc:
            st.error(explain(exc, lang))
    saw(team_id, team.version)  # a change that worked has rerun the page already


def import_roster(lang: str) -> None:
    st.caption(t("import_help", lang))
    import_panel(
        Importer(
            kind=ROSTER,
            preview=data.preview_roster,
            run=lambda content, name, progress: data.import_roster(
                content, name, shell.actor(), progress
            ),
            resubmit=data.resubmit,
        ),
        lang,
    )
