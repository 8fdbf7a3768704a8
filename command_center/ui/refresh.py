"""Pages that keep themselves current without redrawing: a small fragment checks the data
versions every `refresh_every_s` and reruns the page only when what it shows has changed (or
after `redraw_every_s`, for what depends on the clock: ages, expiries). Between changes the
server does almost nothing, however many screens are open."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.exc import DBAPIError

from command_center.base import resources
from command_center.base.db import unreachable
from command_center.ui import shell


@dataclass(frozen=True)
class Drawn:
    """The tables a page shows, their versions when it was drawn, and when."""

    tables: tuple[str, ...]
    versions: tuple[int, ...]
    at: float


def drawn(*tables: str) -> Drawn:
    """What the page is about to draw from: call before loading its data."""
    return Drawn(tables, resources.data_version(*tables), time.monotonic())


def watch(since: Drawn, show: Callable[[], None] | None = None) -> None:
    """The fragment that redraws the page when its tables moved after `since`; `show` draws
    what changes with every check (a clock, feed lines) in its place."""
    settings = resources.settings()

    @st.fragment(run_every=settings.refresh_every_s)
    def check() -> None:
        try:
            shell.still_allowed()  # a revoked token or account stops here
            resources.look_for_changes()  # written by anyone: this server, a replica, the worker
        except DBAPIError as exc:
            if not unreachable(exc):
                raise
            st.rerun(scope="app")  # which says the store is away, and waits for it
        moved = resources.data_version(*since.tables) != since.versions
        if moved or time.monotonic() - since.at > settings.redraw_every_s:
            st.rerun(scope="app")
        if show is not None:
            show()

    check()
