"""The import screen shared by the roster and the reports: upload, preview, import with a
progress bar, the row-by-row report, and the quarantine to fix and re-submit rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from command_center.adapters.imports import discard, load_quarantine
from command_center.base.auth import Principal, permits
from command_center.base.errors import CommandCenterError
from command_center.base.labels import NO_VALUE, field_error, field_name, t
from command_center.stores import imports
from command_center.ui import shell
from command_center.ui.irreversible import ask, confirmed
from command_center.ui.messages import done, explain, md, show_table


@dataclass(frozen=True)
class Importer:
    kind: str  # the quarantine kind (`roster`, `reports`)
    preview: Callable[[bytes, str, Principal], imports.Table]
    run: Callable[[bytes, str, imports.Progress], imports.ImportReport]
    resubmit: Callable[[dict[int, dict], str], imports.ImportReport]
    # personal data: the quarantine opens in clear only with a reason, audited (lang, why)
    open_quarantine: Callable[[str, str], pd.DataFrame] | None = None
    keeps_other_columns: bool = False  # columns none of ours are kept with what lands


def _result(report: imports.ImportReport, lang: str) -> str:
    counts = t(
        "import_result",
        lang,
        total=report.total,
        created=report.created,
        updated=report.updated,
        quarantined=len(report.problems),
    )
    if not report.notes:
        return counts
    rows = ", ".join(str(n.number) for n in report.notes)
    return f"{counts} {t('import_noted', lang, n=len(report.notes), rows=rows)}"


def _row_table(rows: tuple[imports.RowProblem, ...], lang: str) -> pd.DataFrame:
    """One line per problem: the file's row number and the problem in words."""
    return pd.DataFrame(
        [
            {
                t("col_row", lang): row.number,
                t("col_problem", lang): field_error(e.field, e.code, e.params, lang),
            }
            for row in rows
            for e in row.errors
        ]
    )


def import_panel(importer: Importer, lang: str) -> None:
    """Upload and import one file; the report stays until the next import."""
    report_key = f"{importer.kind}_import_report"
    if not permits(shell.actor(), imports.PERMISSION[importer.kind]):
        st.caption(t("import_not_allowed", lang))
        return
    upload = st.file_uploader(
        t("upload", lang), type=["csv", "xlsx"], key=f"{importer.kind}_upload"
    )
    if upload is not None:
        content = upload.getvalue()
        seen = _preview(importer, upload.file_id, content, upload.name, lang)
        if seen is not None:
            rows, table = seen
            found = ", ".join(md(h) for h in table.columns.values())
            st.caption(t("preview", lang, rows=rows, columns=found))
            if table.ignored:
                ignored = ", ".join(md(h) for h in table.ignored)
                said = "other_columns_kept" if importer.keeps_other_columns else "ignored_columns"
                st.caption(t(said, lang, columns=ignored))
            preview = pd.DataFrame([r.values for r in table.rows])
            preview = preview.rename(columns=lambda c: field_name(str(c), lang))
            st.dataframe(preview.fillna(NO_VALUE), hide_index=True, width="stretch")
            if st.button(t("run_import", lang), type="primary", key=f"{importer.kind}_run"):
                bar = st.progress(0.0)
                try:
                    st.session_state[report_key] = importer.run(content, upload.name, bar.progress)
                except CommandCenterError as exc:
                    st.error(explain(exc, lang))
    report = st.session_state.get(report_key)
    if report is not None:
        st.success(_result(report, lang))
        if report.problems:
            show_table(_row_table(report.problems, lang), lang, hide_index=True, width="stretch")
        if report.notes:
            show_table(_row_table(report.notes, lang), lang, hide_index=True, width="stretch")
    quarantine_panel(importer, lang)


PREVIEW_ROWS = 20


def _preview(
    importer: Importer, file_id: str, content: bytes, name: str, lang: str
) -> tuple[int, imports.Table] | None:
    """How many rows the upload holds and its first `PREVIEW_ROWS` (or why it cannot be
    read, shown): read once per uploaded file, not on every rerun of the page (each read is a
    child process, seconds for a large sheet), and only that much kept in the session."""
    key = f"{importer.kind}_preview"
    seen = st.session_state.get(key)
    if seen is None or seen[0] != file_id:
        try:
            table = importer.preview(content, name, shell.actor())
        except CommandCenterError as exc:
            seen = (file_id, None, exc)
        else:
            head = imports.Table(table.rows[:PREVIEW_ROWS], table.columns, table.ignored)
            seen = (file_id, (len(table.rows), head), None)
        st.session_state[key] = seen
    if seen[2] is not None:
        st.error(explain(seen[2], lang))
    return seen[1]


def quarantine_panel(importer: Importer, lang: str) -> None:
    """Rows that failed, as typed: fix cells and re-submit, or discard on purpose."""
    st.markdown(f"**{t('quarantine', lang)}**")
    if importer.open_quarantine is None:
        rows = load_quarantine(importer.kind, lang, shell.actor())
    else:
        why = st.text_input(t("why_open", lang), key=f"{importer.kind}_quarantine_why")
        if len(why.strip()) < 5:
            st.caption(t("why_open_help", lang))
            return
        try:
            rows = importer.open_quarantine(lang, why)
        except CommandCenterError as exc:
            st.error(explain(exc, lang))
            return
    if rows.empty:
        st.caption(t("quarantine_empty", lang))
        return
    pick = t("discard_confirm", lang)
    locked = [t("col_row", lang), t("col_problem", lang), "incident_id"]
    with st.form(f"{importer.kind}_quarantine_form", enter_to_submit=False):
        edited = st.data_editor(
            rows.assign(**{pick: False}),
            disabled=locked,
            key=f"{importer.kind}_quarantine_editor",
            hide_index=True,
            # headers in words; the columns keep our field names, which re-submit reads
            column_config={c: field_name(c, lang) for c in rows.columns},
        )
        left, right = st.columns(2)
        again = left.form_submit_button(t("resubmit", lang), type="primary")
        drop = right.form_submit_button(t("discard", lang))
    try:
        if again:
            fields = [c for c in rows.columns if c not in locked]
            edits = {int(i): edited.loc[i, fields].fillna("").to_dict() for i in edited.index}
            done(_result(importer.resubmit(edits, shell.actor()), lang))
        chosen = [int(i) for i in edited.index if edited.loc[i, pick]]
        if drop and chosen:
            rows = ", ".join(md(edited.loc[i, locked[0]]) for i in chosen)  # file:row
            ask(f"{importer.kind}_discard", t("ask_discard", lang, rows=rows), chosen)
        asked = confirmed(f"{importer.kind}_discard", lang)
        if asked:
            done(t("discarded", lang, n=discard(asked.payload, shell.actor())))
    except CommandCenterError as exc:
        st.error(explain(exc, lang))
