"""Briefing page: headline figures per open incident."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from command_center import report_store, store, team_store
from command_center.services.briefing import Headline, headline
from command_center.services.reports import counted
from command_center.store import IncidentRecord
from command_center.ui import resources


@dataclass(frozen=True)
class IncidentBriefing:
    incident: IncidentRecord
    figures: Headline


@st.cache_data(ttl=30, show_spinner=False)
def load_briefing(include_unverified: bool = False) -> list[IncidentBriefing]:
    """Every open incident with its headline figures (verified reports unless asked)."""
    engine = resources.engine()
    reports = counted(report_store.all_versions(engine), include_unverified)
    teams = team_store.roster(engine)
    return [IncidentBriefing(i, headline(reports, teams, i.id)) for i in store.incidents(engine)]
