"""Which backups to keep: the newest of each of the last days and of the last weeks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

PREFIX = "cc-backup-"
STAMP = "%Y%m%dT%H%M%SZ"
# a scheduled or manual backup; `...-before-restore` ones are never pruned
NAME = re.compile(rf"^{PREFIX}(\d{{8}}T\d{{6}}Z)\.tar\.gz(\.age)?$")


@dataclass(frozen=True)
class Retention:
    """Keep the newest backup of each of the last `daily` days that have one, and of each of
    the last `weekly` ISO weeks (`CC_BACKUP_KEEP`, e.g. `7d,4w`)."""

    daily: int = 7
    weekly: int = 4

    @classmethod
    def parse(cls, text: str) -> Retention:
        """`7d,4w` (either part may be left out, meaning 0).

        Raises:
            ValueError: another shape, naming what was given.
        """
        counts = {"d": 0, "w": 0}
        for part in filter(None, (p.strip() for p in text.lower().split(","))):
            found = re.fullmatch(r"(\d+)\s*([dw])", part)
            if not found:
                raise ValueError(f"backup retention {text!r}: write e.g. 7d,4w (days, weeks)")
            counts[found[2]] = int(found[1])
        if not any(counts.values()):
            raise ValueError(f"backup retention {text!r} would keep nothing")
        return cls(counts["d"], counts["w"])


def backup_name(at: datetime, encrypted: bool) -> str:
    return f"{PREFIX}{at.astimezone(UTC):{STAMP}}.tar.gz" + (".age" if encrypted else "")


def taken_at(name: str) -> datetime | None:
    """When the backup of this file name was taken; None for files that are not ours."""
    found = NAME.match(name)
    return datetime.strptime(found[1], STAMP).replace(tzinfo=UTC) if found else None


def to_prune(names: Iterable[str], keep: Retention) -> list[str]:
    """The backups (file names) beyond what `keep` keeps; the newest is always kept."""
    dated = sorted(((taken_at(n), n) for n in names if taken_at(n)), reverse=True)
    kept: set[str] = {dated[0][1]} if dated else set()
    for count, period in ((keep.daily, _day), (keep.weekly, _week)):
        seen: list[tuple[int, ...]] = []
        for at, name in dated:
            if period(at) not in seen and len(seen) < count:
                seen.append(period(at))
                kept.add(name)
    return [name for _, name in dated if name not in kept]


def _day(at: datetime) -> tuple[int, ...]:
    return (at.year, at.month, at.day)


def _week(at: datetime) -> tuple[int, ...]:
    return tuple(at.isocalendar())[:2]
