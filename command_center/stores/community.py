"""Community reports (PetaBencana.id) in the store: each report once, read back for the live
map. They stay apart from the kecamatan impact reports: residents' words, never verified,
never counted as figures (the kecamatan each lies in is found when they are read, with the
boundaries in use)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from command_center.base.models import CommunityReport
from command_center.sources import petabencana
from command_center.stores.common import frame


def save_reports(session: Session, reports: list[petabencana.CommunityReport]) -> int:
    """Add the reports not stored yet; returns how many were new."""
    ids = [r.external_id for r in reports]
    query = select(CommunityReport.external_id).where(CommunityReport.external_id.in_(ids))
    known = set(session.scalars(query))
    fresh = {r.external_id: r for r in reports if r.external_id not in known}
    session.add_all(
        CommunityReport(
            external_id=r.external_id,
            app=r.app,
            created_at=r.created_at,
            lat=r.lat,
            lon=r.lon,
            depth_cm=r.depth_cm,
            text=r.text,
            image_url=r.image_url,
        )
        for r in fresh.values()
    )
    return len(fresh)


def recent(engine: Engine, since: datetime) -> pd.DataFrame:
    """Community reports made since `since`, newest first."""
    query = (
        select(
            CommunityReport.id,
            CommunityReport.app,
            CommunityReport.created_at,
            CommunityReport.lat,
            CommunityReport.lon,
            CommunityReport.depth_cm,
            CommunityReport.text,
        )
        .where(CommunityReport.created_at >= since)
        .order_by(CommunityReport.created_at.desc())
    )
    return frame(engine, query)
