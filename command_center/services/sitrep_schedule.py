"""When a sitrep is issued by itself: an incident's times of day ("07:00,19:00", local time in
the area's zone) and the slot due at a moment.

Only the latest slot already begun is ever due: after a worker was down for a day, it issues
one sitrep for the slot just past, never one for each slot it missed.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from command_center.base.times import ZONES, as_utc

MOST = 24  # slots a day: more is a typo, not a schedule


def parse(text: str | None) -> tuple[time, ...]:
    """The times of day in "07:00,19:00" (sorted, each once; blank: none).

    Raises:
        ValueError: a part is not an HH:MM time of day, or there are more than `MOST`.
    """
    found = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip().replace(".", ":")  # "07.00" as Indonesians write it
        if not part:
            continue
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", part)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValueError(part)
        found.add(time(int(match[1]), int(match[2])))
    if len(found) > MOST:
        raise ValueError(f"more than {MOST} times")
    return tuple(sorted(found))


def words(times: tuple[time, ...]) -> str:
    """The times as stored and shown: "07:00,19:00" ("" for none)."""
    return ",".join(t.strftime("%H:%M") for t in times)


def due_slot(times: tuple[time, ...], zone: str, now: datetime) -> tuple[datetime, time] | None:
    """The latest slot begun at `now` (its start in UTC, and its time of day), in `zone`
    (WIB, WITA or WIT); None without times."""
    local = as_utc(now).astimezone(ZoneInfo(ZONES[zone]))
    begun = [
        (datetime.combine(local.date() - timedelta(days=back), t, local.tzinfo), t)
        for back in (0, 1)
        for t in times
    ]
    begun = [(start, t) for start, t in begun if start <= local]
    if not begun:
        return None
    start, t = max(begun)
    return as_utc(start), t
