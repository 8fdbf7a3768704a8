"""The panels of the Data KK Terdampak page, each for the roles it is for: the masked register
and one household's view (in clear only for pendata and admins, with a reason), the form, the
review of changes waiting for a data officer, Kemensos assistance, the registry extract and
proposals, the import, and the comparison with the reports. The count panel is shared with the
incident view."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from command_center.adapters import households as data
from command_center.base import resources
from command_center.base.auth import permits
from command_center.base.errors import CommandCenterError, DuplicateHousehold
from command_center.base.labels import NO_VALUE, number, t
from command_center.base.pdp import KeyMissing
from command_center.services import households as rules
from command_center.ui import shell
from command_center.ui.importer import Importer, import_panel
from command_center.ui.messages import done, explain, md, show_table

MERGE_KEY = "household_merge"  # a refused duplicate waiting for "merge"
REVIEW_KEY = "household_review"  # the change opened for review (in clear, this session only)


def key_ready(lang: str) -> bool:
    """Whether the personal-data key is set; if not, says what is missing and how to fix it."""
    try:
        resources.vault()
    except KeyMissing as exc:
        st.error(t("pdp_key_missing", lang, reason=md(exc.reason)))
        st.code("command-center households key\nexport CC_PDP_KEY=<the printed key>", "bash")
        return False
    return True


def incident_picker(lang: str) -> int | None:
    incidents = data.load_incidents()
    if not incidents:
        st.info(t("no_open_incidents_aid", lang))
        return None
    return st.selectbox(
        t("choose_incident", lang),
        list(incidents),
        format_func=incidents.get,
        key="households_incident",
    )


def counts(incident_id: int, lang: str) -> None:
    """The incident's household counts (the page's head), and how many entries wait for a
    data officer's review."""
    count_metrics(data.load_counts(incident_id), lang)
    waiting = data.waiting_count(incident_id)
    if waiting and permits(shell.actor(), "household"):
        st.caption(t("changes_waiting", lang, n=number(waiting, lang)))


def panels(lang: str) -> dict:
    """The page's tabs the signed-in role may use: label key -> panel. Those who do not
    register families see counts, the assistance summary and the comparison only."""
    actor = shell.actor()
    chosen = {
        "tab_register": (register, "household"),
        "tab_household_form": (household_form, "household"),
        "tab_review": (review, "pii"),
        "tab_assistance": (assistance, None),
        "tab_registry": (registry, None),
        "tab_household_import": (household_import, "pii"),
        "tab_consistency": (consistency, None),
    }
    return {
        key: panel
        for key, (panel, needs) in chosen.items()
        if needs is None or permits(actor, needs)
    }


def count_metrics(counts: dict[str, int], lang: str) -> None:
    """The household counts as metrics: counts only, never names."""
    if not counts.get("families"):
        st.caption(t("no_households", lang))
        return
    columns = st.columns(len(data.HEADLINE_COUNTS))
    for column, figure in zip(columns, data.HEADLINE_COUNTS, strict=True):
        column.metric(t(f"count_{figure}", lang), number(counts.get(figure, 0), lang))
    details = [
        f"{t(f'count_{f}', lang)} {number(counts.get(f, 0), lang)}"
        for f in (*data.HOUSES, *data.VULNERABLE)
    ]
    st.caption(" · ".join(details))


def register(incident_id: int, lang: str) -> None:
    """The masked register; a chosen household's people and, for pendata, its data in clear."""
    table = data.register(incident_id, shell.actor(), lang)
    if table.empty:
        st.info(t("no_households", lang))
        return
    show_table(table, lang, width="stretch")
    kk, head = t("col_kk", lang), t("col_head", lang)
    chosen = st.selectbox(
        t("pick_household", lang),
        [None, *table.index],
        format_func=lambda h: (
            NO_VALUE if h is None else f"#{h} · {table.loc[h, kk]} · {table.loc[h, head]}"
        ),
        key="households_pick",
    )
    if chosen is not None:
        _household(incident_id, int(chosen), lang)
    _exports(incident_id, lang)


def _household(incident_id: int, household_id: int, lang: str) -> None:
    st.markdown(f"**{t('household_members', lang)}**")
    people = data.load_members(incident_id, household_id, shell.actor(), lang)
    show_table(people, lang, hide_index=True)
    if not permits(shell.actor(), "pii"):
        st.caption(t("masked_for_you", lang))
        return
    with st.form(f"reveal_{household_id}", enter_to_submit=False):
        why = st.text_input(t("why_open", lang))
        shown = st.form_submit_button(t("reveal", lang))
    if shown:
        try:
            clear = data.reveal(household_id, shell.actor(), why)
        except CommandCenterError as exc:
            st.error(explain(exc, lang))
            return
        st.warning(t("revealed_audited", lang), icon=":material/visibility:")
        st.markdown(
            f"{t('col_kk', lang)}: `{md(clear['kk'])}` · {t('col_head', lang)}: "
            f"{md(clear['head'])}  \n{t('col_address', lang)}: {md(clear['address'] or NO_VALUE)}"
            f" · {t('col_payout', lang)}: {md(clear['payout'] or NO_VALUE)}"
        )
        people = pd.DataFrame(clear["members"]).drop(columns=["id"])
        show_table(people.rename(columns=lambda c: t(f"field_{c}", lang)), lang, hide_index=True)


def _exports(incident_id: int, lang: str) -> None:
    """Named lists for pendata: a reason first; the file carries who, when and why."""
    if not permits(shell.actor(), "pii"):
        return
    st.markdown(f"**{t('named_exports', lang)}**")
    why = st.text_input(t("why_export", lang), key="households_export_why")
    columns = st.columns(len(data.NAMED_EXPORTS))
    for column, kind in zip(columns, data.NAMED_EXPORTS, strict=True):
        column.download_button(
            t(f"export_{kind}", lang),
            lambda kind=kind: data.export(incident_id, kind, shell.actor(), why),
            data.export_name(incident_id, kind),
            "text/csv",
            disabled=len(why.strip()) < 5,
            key=f"households_export_{kind}",
        )


MEMBERS_KEY = "members"  # the people added so far (per form prefix), until saved or cleared


def household_form(incident_id: int, lang: str) -> None:
    """Register a family: its KK, place and house, then its people one by one (a phone's
    screen holds one person's fields at a time)."""
    if not shell.allowed("household", lang):
        return
    values = family_fields(
        data.incident_kecamatan(incident_id, shell.actor()),
        data.shelter_choices(incident_id),
        lang,
    )
    if st.button(t("save_household", lang), type="primary", key="household_save"):
        _save(values, incident_id, lang)
    _merge_offer(incident_id, lang)


def family_fields(
    kecamatan: dict[str, str], shelters: dict[int, str], lang: str, key: str = "household"
) -> dict:
    """The family's fields and its people (also on the Lapor page, under another `key`)."""
    left, right = st.columns(2)
    values = {
        "kk": left.text_input(t("field_kk", lang), max_chars=16, key=f"{key}_kk"),
        "kecamatan_code": right.selectbox(
            t("field_kecamatan_code", lang),
            list(kecamatan),
            format_func=kecamatan.get,
            key=f"{key}_kecamatan",
        ),
        "desa": left.text_input(t("field_desa", lang), key=f"{key}_desa"),
        "address": right.text_input(t("field_address", lang), key=f"{key}_address"),
        "damage": left.selectbox(
            t("field_damage", lang),
            rules.DAMAGE,
            format_func=lambda d: t(f"damage_{d}", lang),
            key=f"{key}_damage",
        ),
        "shelter_id": right.selectbox(
            t("field_shelter_id", lang),
            [None, *shelters],
            format_func=lambda s: NO_VALUE if s is None else shelters[s],
            key=f"{key}_shelter",
        ),
        "displaced": left.checkbox(t("field_displaced_family", lang), key=f"{key}_displaced"),
        "payout": right.text_input(t("field_payout", lang), key=f"{key}_payout"),
    }
    st.markdown(f"**{t('household_members', lang)}**")
    values["members"] = _people(lang, key)
    return values


def forget_people(key: str = "household") -> None:
    st.session_state.pop(f"{key}_{MEMBERS_KEY}", None)


def _people(lang: str, key: str) -> list[dict]:
    """The family's people, added one at a time."""
    people = st.session_state.setdefault(f"{key}_{MEMBERS_KEY}", [])
    left, middle, right = st.columns(3)
    person = {
        "nik": left.text_input(t("field_nik", lang), max_chars=16, key=f"{key}_member_nik"),
        "name": middle.text_input(t("field_name", lang), key=f"{key}_member_name"),
        "sex": right.radio(
            t("field_sex", lang), ["L", "P"], horizontal=True, key=f"{key}_member_sex"
        ),
        "birth_date": left.date_input(
            t("field_birth_date", lang),
            value=None,
            min_value=date(1900, 1, 1),
            format="DD/MM/YYYY",
            key=f"{key}_member_born",
        ),
        "relation": middle.selectbox(
            t("field_relation", lang),
            rules.RELATIONS,
            format_func=lambda r: t(f"relation_{r}", lang),
            key=f"{key}_member_relation",
        ),
        "casualty": right.selectbox(
            t("field_casualty", lang),
            [None, *rules.CASUALTIES],
            format_func=lambda c: NO_VALUE if c is None else t(f"casualty_{c}", lang),
            key=f"{key}_member_casualty",
        ),
        "pregnant": left.checkbox(t("field_pregnant_person", lang), key=f"{key}_member_pregnant"),
        "disabled": middle.checkbox(t("field_disabled_person", lang), key=f"{key}_member_disabled"),
    }
    add, clear = st.columns(2)
    if add.button(t("add_member", lang), key=f"{key}_member_add"):
        people.append(person)
    if people and clear.button(t("clear_members", lang), key=f"{key}_member_clear"):
        people.clear()
    if people:
        shown = pd.DataFrame(people).assign(
            relation=lambda f: [t(f"relation_{r}", lang) for r in f["relation"]]
        )
        show_table(
            shown.rename(columns=lambda c: t(f"field_{c}", lang)),
            lang,
            hide_index=True,
            width="stretch",
        )
    return list(people)


def _save(values: dict, incident_id: int, lang: str, merge_into: int | None = None) -> None:
    try:
        saved = data.save(values, incident_id, shell.actor(), merge_into=merge_into)
    except DuplicateHousehold as exc:  # named only to those who may open that family
        st.session_state[MERGE_KEY] = (values, exc.household_id)
        st.warning(explain(exc, lang))
    except CommandCenterError as exc:
        st.error(explain(exc, lang))
    else:
        st.session_state.pop(MERGE_KEY, None)
        forget_people()
        done(t("household_waiting" if saved.waiting else "household_saved", lang))


def review(incident_id: int, lang: str) -> None:
    """Entries waiting for a data officer: one opened beside the family as it is (audited),
    accepted once the reviewer says they checked both, or rejected. Not one's own."""
    actor = shell.actor()
    table = data.load_pending(incident_id, actor, lang)
    if table.empty:
        st.info(t("no_changes_waiting", lang))
        return
    show_table(table, lang, width="stretch")
    chosen = st.selectbox(
        t("pick_change", lang),
        [None, *table.index],
        format_func=lambda c: NO_VALUE if c is None else f"#{c} · {table.loc[c].iloc[0]}",
        key="households_change",
    )
    if chosen is None:
        return
    seen = st.session_state.get(REVIEW_KEY)
    if seen is None or seen["id"] != chosen:
        if st.button(t("open_change", lang), key="households_change_open"):
            try:
                st.session_state[REVIEW_KEY] = data.review(int(chosen), actor)
            except CommandCenterError as exc:
                st.error(explain(exc, lang))
                return
            st.rerun()
        st.caption(t("open_change_help", lang))
        return
    st.warning(t("revealed_audited", lang), icon=":material/visibility:")
    show_table(data.change_rows(seen, lang), lang, hide_index=True, width="stretch")
    with st.form(f"household_decide_{chosen}", enter_to_submit=False):
        note = st.text_input(t("decision_note", lang), max_chars=200)
        checked = st.checkbox(t("checked_both", lang))
        accept, reject = st.columns(2)
        accepted = accept.form_submit_button(t("accept_change", lang), type="primary")
        rejected = reject.form_submit_button(t("reject_change", lang))
    if accepted and not checked:
        st.error(t("check_first", lang))
    elif accepted or rejected:
        try:
            status = data.decide(int(chosen), actor, accepted, seen["version"], note)
        except CommandCenterError as exc:
            st.error(explain(exc, lang))
        else:
            st.session_state.pop(REVIEW_KEY, None)
            done(t(f"change_{status}", lang))


def _merge_offer(incident_id: int, lang: str) -> None:
    waiting = st.session_state.get(MERGE_KEY)
    if waiting is None:
        return
    values, household_id = waiting
    if household_id and st.button(t("merge_household", lang), key="household_merge_button"):
        _save(values, incident_id, lang, merge_into=household_id)


def assistance(incident_id: int, lang: str) -> None:
    """The programmes as configured, proposing what they owe, and each payment's status."""
    show_table(data.programme_rules(lang), lang, hide_index=True, width="stretch")
    actor = shell.actor()
    if permits(actor, "assistance") and st.button(t("propose_payments", lang), type="primary"):
        try:
            added = data.propose(incident_id, actor)
        except CommandCenterError as exc:
            st.error(explain(exc, lang))
        else:
            done(t("payments_proposed", lang, n=added))
    table = data.payments_for(incident_id, actor, lang)
    if table.empty:
        st.caption(t("no_payments", lang))
        return
    show_table(table, lang, width="stretch")
    if not permits(actor, "assistance"):
        return
    statuses = data.payment_statuses(incident_id)
    open_ones = [p for p, s in statuses.items() if rules.next_status(s)]
    if not open_ones:
        return
    with st.form("payment_form", enter_to_submit=False):
        payment = st.selectbox(
            t("field_payment", lang),
            open_ones,
            format_func=lambda p: f"#{p} · {table.loc[p].iloc[0]} · {table.loc[p].iloc[1]}",
        )
        left, right = st.columns(2)
        reference = left.text_input(t("field_reference", lang))
        paid_on = right.date_input(t("field_paid_on", lang), value=None, format="DD/MM/YYYY")
        moved = st.form_submit_button(t("advance_payment", lang))
    if moved:
        try:
            status = data.advance(payment, actor, reference, paid_on)
        except CommandCenterError as exc:
            st.error(explain(exc, lang))
        else:
            done(t("payment_moved", lang, status=t(f"payment_{status}", lang)))


def registry(incident_id: int, lang: str) -> None:
    """The stored registry extract, its match with the register, and proposals."""
    st.caption(t("registry_help", lang, n=number(data.registry_size(), lang)))
    if permits(shell.actor(), "pii"):
        upload = st.file_uploader(t("registry_upload", lang), type=["csv"], key="registry_upload")
        if upload is not None and st.button(t("registry_import", lang), key="registry_run"):
            try:
                stored, refused = data.import_registry(
                    upload.getvalue(), upload.name, shell.actor()
                )
            except CommandCenterError as exc:
                st.error(explain(exc, lang))
            else:
                rows = ", ".join(map(str, refused[:20]))
                done(t("registry_imported", lang, n=stored, refused=len(refused), rows=rows))
    register_table = data.load_register(incident_id, lang)  # counted, never listed here
    if register_table.empty:
        return
    show_table(
        register_table[t("col_registry", lang)].value_counts().rename(t("col_households", lang)),
        lang,
        width="content",
    )
    st.caption(t("usulan_help", lang))


def household_import(incident_id: int, lang: str) -> None:
    st.caption(t("household_import_help", lang))
    importer = Importer(
        kind="households",
        preview=data.preview,
        run=lambda content, name, progress: data.import_file(
            content, name, incident_id, shell.actor(), progress
        ),
        resubmit=data.resubmit,
        open_quarantine=lambda lang, why: data.open_quarantine(lang, shell.actor(), why),
    )
    import_panel(importer, lang)


def consistency(incident_id: int, lang: str) -> None:
    """Per kecamatan: the households' counts next to the reports' figures."""
    st.caption(t("consistency_help", lang))
    table = data.load_consistency(incident_id, lang)
    if table.empty:
        st.info(t("no_households", lang))
        return
    show_table(table, lang, hide_index=True, width="stretch")
