"""Data versions move with every committed write, in its transaction, and key the results that
every session shares (`resources.cached`): computed once, never served after a write."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from command_center.adapters import deployments as data
from command_center.base import resources, versions
from command_center.base.auth import Principal
from command_center.base.db import make_engine
from command_center.base.errors import StaleRecord
from command_center.base.labels import status_label
from command_center.base.models import Area, Base, Team
from command_center.stores import teams as team_store
from command_center.ui.shell import PAGES

ADMIN = Principal("Admin", "admin")


def _moved(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {table for table, version in after.items() if version != before[table]}


def _team(engine: Engine) -> tuple[int, int]:
    roster = team_store.roster(engine)
    row = roster[roster["status"] == "standby"].iloc[0]
    return int(row["id"]), int(row["version"])


def test_every_table_has_a_version(engine: Engine) -> None:
    assert set(versions.read(engine)) == set(Base.metadata.tables) - {"data_versions"}


def test_a_write_moves_the_tables_it_wrote_and_no_other(demo_engine: Engine) -> None:
    before = versions.read(demo_engine)
    team_id, version = _team(demo_engine)
    team_store.change_status(demo_engine, team_id, version, "unavailable", ADMIN, "sakit")
    assert _moved(before, versions.read(demo_engine)) == {"teams", "audit_log"}


def test_a_statement_moves_its_table(demo_engine: Engine) -> None:
    before = versions.read(demo_engine)
    with Session(demo_engine) as session, session.begin():
        session.execute(update(Team).values(equipment="perahu karet"))
    assert _moved(before, versions.read(demo_engine)) == {"teams"}


def test_what_is_rolled_back_or_refused_moves_nothing(demo_engine: Engine) -> None:
    before = versions.read(demo_engine)
    with Session(demo_engine) as session:
        session.add(Area(code="99.99", name="Uji", level="kabupaten"))
        session.flush()
        session.rollback()
    team_id, version = _team(demo_engine)
    with pytest.raises(StaleRecord):
        team_store.change_status(demo_engine, team_id, version - 1, "unavailable", ADMIN, "x")
    assert versions.read(demo_engine) == before


def test_cached_results_are_computed_once_and_never_outlive_a_write(
    app_env, with_demo, database_url: str
) -> None:
    computed = []

    @resources.cached(Team)
    def standby() -> int:
        computed.append(1)
        roster = team_store.roster(resources.engine())
        return int((roster["status"] == "standby").sum())

    resources.look_for_changes()
    first = standby()
    assert [standby() for _ in range(5)] == [first] * 5 and len(computed) == 1
    other = make_engine(database_url)  # another replica, the worker or the CLI writes
    team_id, version = _team(other)
    team_store.change_status(other, team_id, version, "unavailable", ADMIN, "sakit")
    other.dispose()
    assert standby() == first  # not seen yet: this server reads the versions once per run
    resources.look_for_changes()  # the next run
    assert standby() == first - 1 and len(computed) == 2


def test_a_write_in_one_session_shows_in_every_other_at_its_next_run(open_page, with_demo) -> None:
    """Two people on the deployments board; one changes a team, the other's next run shows it
    (their results are shared: nothing was cleared)."""
    page = next(spec.file for spec in PAGES if spec.file.endswith("deployments.py"))
    watching, changing = open_page(page), open_page(page)
    unavailable = status_label("unavailable")
    assert {m.label: m.value for m in watching.metric}[unavailable] == "1"
    team_id, version = _team(resources.engine())
    data.set_status(team_id, version, "unavailable", ADMIN, "sakit", None)
    watching.run()
    assert {m.label: m.value for m in watching.metric}[unavailable] == "2"
    changing.run()
    assert {m.label: m.value for m in changing.metric}[unavailable] == "2"
