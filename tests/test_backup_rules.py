"""Which backups are kept (`CC_BACKUP_KEEP`) and how their names are read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from command_center.services.backups import Retention, backup_name, taken_at, to_prune

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # a Monday


def test_six_hourly_backups_for_six_weeks_keep_seven_days_and_four_weeks() -> None:
    names = [backup_name(NOW - timedelta(hours=6 * n), n % 2 == 0) for n in range(6 * 7 * 4)]
    kept = sorted(set(names) - set(to_prune(names, Retention(7, 4))), reverse=True)
    days = [taken_at(n).date() for n in kept]
    assert kept[0] == names[0]  # the newest
    assert days[:7] == [NOW.date() - timedelta(days=d) for d in range(7)]  # one per day
    weeks = {taken_at(n).isocalendar()[:2] for n in kept}
    assert len(weeks) == 4 and len(kept) <= 7 + 4
    assert all(taken_at(n) > NOW - timedelta(weeks=4) for n in kept)


def test_files_that_are_not_scheduled_backups_are_never_pruned() -> None:
    ours = [backup_name(NOW - timedelta(days=d), False) for d in range(10)]
    others = ["cc-backup-20261101T000000Z-before-restore.tar.gz", "notes.txt", ".cc-backup-x"]
    pruned = to_prune(ours + others, Retention(daily=2, weekly=0))
    assert set(pruned) == set(ours[2:])
    assert taken_at(others[0]) is None
    assert taken_at(ours[0]) == NOW and backup_name(NOW, True).endswith(".tar.gz.age")


@pytest.mark.parametrize(
    ("text", "kept"), [("7d,4w", (7, 4)), ("14D", (14, 0)), (" 2w ", (0, 2)), ("3d, 1w", (3, 1))]
)
def test_retention_is_written_in_days_and_weeks(text: str, kept: tuple[int, int]) -> None:
    assert Retention.parse(text) == Retention(*kept)


@pytest.mark.parametrize("text", ["7", "7 days", "0d", "", "4m"])
def test_a_retention_that_cannot_be_read_or_keeps_nothing_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="backup retention"):
        Retention.parse(text)
