"""The field reporter's page, phone first: one column, large inputs, no map, Bahasa Indonesia.
Reached only through a reporter's link at the root (`/?kunci=...`): the link as issued opens the
light form at `/lapor` (`lapor_form.py`), which leads here for the family form. No other
navigation."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from command_center.adapters import lapor as data
from command_center.adapters.lapor import GROUPS, LANG, UNSENT_AFTER_S
from command_center.base.errors import CommandCenterError
from command_center.base.labels import t
from command_center.base.times import format_wib, now_in
from command_center.services.incidents import zone_of
from command_center.services.reporters import LINK_PARAM, FieldReporter
from command_center.ui import households
from command_center.ui.confirm import confirm_pending, save_report
from command_center.ui.messages import FLASH, explain, md

CSS = Path(__file__).with_name("lapor.css")
DRAFT_JS = Path(__file__).with_name("lapor_draft.js")
SENT = "lapor_sent_form"  # the form whose report the store took: the phone may drop its draft


def page() -> None:
    """The whole page: who, where, the form, and the reporter's earlier reports."""
    st.markdown(f"<style>{CSS.read_text()}</style>", unsafe_allow_html=True)  # ours, no user text
    token = st.query_params.get(LINK_PARAM, "")
    holder = data.reporter(token)
    st.title(t("lapor_title", LANG))
    if holder is None:
        st.error(t("lapor_link_invalid", LANG))
        return
    st.caption(
        t(
            "lapor_hello",
            LANG,
            name=md(holder.name),
            role=t(f"source_{holder.role}", LANG),
            until=format_wib(holder.expires_at, LANG),
        )
    )
    incidents = data.incidents(holder)
    mine = data.previous(holder)  # read once: the form starts from it, the list shows it
    flash = st.session_state.pop(FLASH, None)
    if flash:  # sent: the confirmation where the form was, the form gone until asked again
        if sent := st.session_state.pop(SENT, None):
            _keep_on_phone(sent=sent)
        st.success(flash)
        st.button(t("lapor_again", LANG), type="primary", key="lapor_again")
    elif not incidents:
        st.info(t("lapor_no_incident", LANG))
    else:
        _form(token, holder, incidents, mine)
        _family(token, holder, incidents)
    _previous(mine)


def _form(token: str, holder: FieldReporter, incidents: dict[int, str], mine: pd.DataFrame) -> None:
    incident_id = st.selectbox(
        t("lapor_incident", LANG), list(incidents), format_func=incidents.get, key="lapor_incident"
    )
    places = data.kecamatan(holder)
    code = st.selectbox(
        t("field_kecamatan_code", LANG), list(places), format_func=places.get, key="lapor_kec"
    )
    last = data.last_figures(mine, incident_id, code)
    if last:
        st.caption(t("lapor_update", LANG))
    zone = zone_of(code)  # the reporter's own clock: WIB, WITA or WIT
    now = now_in(zone)
    form = f"lapor_{incident_id}_{code}"
    _keep_on_phone(form=form)
    with st.form(form, enter_to_submit=False):
        values = {"incident_id": incident_id, "kecamatan_code": code}
        day = st.date_input(
            t("report_date", LANG), value=now.date(), max_value=now.date(), format="DD/MM/YYYY"
        )
        clock = st.time_input(t("report_time", LANG, zone=zone), value=now.time().replace(second=0))
        for group, figures in GROUPS:
            st.subheader(t(group, LANG))
            for figure in figures:
                values[figure] = st.number_input(
                    t(f"field_{figure}", LANG), min_value=0, step=1, value=last.get(figure)
                )
        values["needs"] = st.text_area(
            t("needs_help", LANG), value=last.get("needs", ""), max_chars=2000
        )
        values["notes"] = st.text_area(t("notes", LANG), max_chars=2000)
        sent = st.form_submit_button(t("lapor_send", LANG), type="primary")
    values["report_time"] = datetime.combine(day, clock, now.tzinfo)

    def save(report: dict, confirmed: bool):
        saved = data.save(token, report, confirmed)
        st.session_state[SENT] = form
        return saved

    def said(report: dict, saved) -> str:
        place = md(places.get(report["kecamatan_code"], report["kecamatan_code"]))
        message = t("lapor_saved", LANG, kecamatan=place, version=saved.version)
        if saved.current:
            return message
        return f"{message}  \n{t('report_history', LANG, current=format_wib(saved.older_than))}"

    if sent:
        save_report(save, said, values, LANG)
    confirm_pending(save, said, LANG, "lapor_confirm")


def _keep_on_phone(form: str | None = None, sent: str | None = None) -> None:
    """The script that keeps the typed `form` on the phone until the store has it (`sent`)."""
    config = {
        "form": form,
        "sent": sent,
        "waitS": UNSENT_AFTER_S,
        "unsent": t("lapor_unsent", LANG),
        "restored": t("lapor_restored", LANG),
    }
    script = DRAFT_JS.read_text().replace("CONFIG", json.dumps(config).replace("</", "<\\/"))
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True)  # ours, no user text


def _family(token: str, holder: FieldReporter, incidents: dict[int, str]) -> None:
    """An affected family, person by person (when the household module is open)."""
    if not data.households_open():
        return
    with st.expander(t("lapor_family", LANG)):
        incident_id = st.session_state.get("lapor_incident") or next(iter(incidents))
        values = households.family_fields(
            data.kecamatan(holder), data.shelters(incident_id), LANG, key="lapor_family"
        )
        if st.button(t("save_household", LANG), type="primary", key="lapor_family_save"):
            try:
                saved = data.save_household(token, incident_id, values)
            except CommandCenterError as exc:
                st.error(explain(exc, LANG))
            else:
                households.forget_people("lapor_family")
                said = "lapor_family_waiting" if saved.waiting else "lapor_family_saved"
                st.session_state[FLASH] = t(said, LANG)
                st.rerun()


def _previous(rows: pd.DataFrame) -> None:
    st.subheader(t("lapor_previous", LANG))
    if rows.empty:
        st.caption(t("lapor_none_yet", LANG))
        return
    for row in data.summaries(rows, LANG):
        st.markdown(
            f"**{md(row['kecamatan'])}** · {row['when']} · v{row['version']} · {row['status']}  \n"
            f"{row['figures'] or '—'}"
        )
