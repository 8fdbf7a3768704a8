"""Feed freshness: each feed's state, and the worker's health answer built from them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

from command_center.base.times import age_minutes, as_utc

FeedState = Literal["ok", "stale", "failing", "never"]


def _present(value: Any) -> bool:
    return value is not None and value == value  # NaT and NaN are not equal to themselves


def feed_state(
    feed: str,
    last_ok_at: datetime | None,
    failing_since: datetime | None,
    now: datetime,
    stale_after_min: float,
) -> FeedState:
    """`failing` (the last fetches failed), `never` (no data yet), `stale` (the last good data
    is older than `stale_after_min`; replays never go stale) or `ok`."""
    if _present(failing_since):
        return "failing"
    if not _present(last_ok_at):
        return "never"
    if age_minutes(last_ok_at, now) > stale_after_min and not feed.startswith("replay:"):
        return "stale"
    return "ok"


_COLUMNS = ("last_ok_at", "last_attempt_at", "failing_since", "last_error")


def _iso(value: Any) -> str | None:
    return as_utc(value).isoformat() if _present(value) else None


def health_report(
    statuses: Iterable[Mapping[str, Any]],
    now: datetime,
    stale_after_min: float,
    polling: bool,
    expected: Iterable[str] = (),
) -> dict[str, Any]:
    """The health answer: `status` is `ok` when every feed is fresh, else `degraded`.

    Args:
        statuses: rows of the feed status table (`feed`, `last_ok_at`, `failing_since`,
            `last_error`, `last_attempt_at`).
        now: the current UTC time.
        stale_after_min: minutes after which good data counts as stale.
        polling: whether the answering worker holds the polling lock (else it is a standby).
        expected: feeds that must be listed even before their first poll (as `never`).
    """
    rows = {row["feed"]: row for row in statuses}
    for feed in expected:
        rows.setdefault(feed, dict.fromkeys(_COLUMNS) | {"feed": feed})
    feeds = []
    for row in rows.values():
        state = feed_state(
            row["feed"], row["last_ok_at"], row["failing_since"], now, stale_after_min
        )
        last_ok = row["last_ok_at"]
        feeds.append(
            {
                "feed": row["feed"],
                "state": state,
                "last_ok_at": _iso(last_ok),
                "age_s": round(age_minutes(last_ok, now) * 60) if _present(last_ok) else None,
                "last_attempt_at": _iso(row["last_attempt_at"]),
                "failing_since": _iso(row["failing_since"]),
                "error": row["last_error"] if state == "failing" else None,
            }
        )
    fresh = bool(feeds) and all(feed["state"] == "ok" for feed in feeds)
    return {
        "status": "ok" if fresh else "degraded",
        "polling": polling,
        "stale_after_s": round(stale_after_min * 60),
        "checked_at": now.isoformat(),
        "feeds": feeds,
    }
