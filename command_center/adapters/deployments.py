"""Deployments page: the roster with each team's status and current assignment."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from command_center import store
from command_center.labels import status_label, t
from command_center.models import TeamStatus
from command_center.ui import resources


@dataclass(frozen=True)
class RosterView:
    counts: dict[str, int]
    table: pd.DataFrame
    any_exercise: bool


@st.cache_data(ttl=30, show_spinner=False)
def load_roster(lang: str) -> RosterView:
    """Team counts per status (every status, zeros included) and the labelled roster table."""
    teams = store.teams(resources.engine())
    statuses = teams["status"].astype(str)
    counts = {status_label(s.value, lang): int((statuses == s.value).sum()) for s in TeamStatus}
    table = pd.DataFrame(
        {
            t("col_team", lang): teams["name"],
            t("col_kind", lang): teams["kind"].str.upper(),
            t("col_status", lang): [status_label(s, lang) for s in statuses],
            t("col_home", lang): teams["home_kabupaten"],
            t("col_members", lang): teams["member_count"],
            t("col_skills", lang): [", ".join(s) for s in teams["skills"]],
            t("col_assigned", lang): teams["assigned_kecamatan_code"].fillna("-"),
        }
    )
    return RosterView(counts, table, bool(teams["is_exercise"].any()))
