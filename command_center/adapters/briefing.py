"""Briefing page: headline figures per open incident."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from command_center import store, team_store
from command_center.services.briefing import Headline, headline
from command_center.store import IncidentRecord
from command_center.ui import resources


@dataclass(frozen=True)
class IncidentBriefing:
    incident: IncidentRecord
    figures: Headline


@st.cache_data(ttl=30, show_spinner=False)
def load_briefing() -> list[IncidentBriefing]:
    """Every open incident with its headline figures."""
    engine = resources.engine()
    reports, teams = store.latest_reports(engine), team_store.roster(engine)
    return [IncidentBriefing(i, headline(reports, teams, i.id)) for i in store.incidents(engine)]
