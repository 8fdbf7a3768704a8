"""The audit log's hash chain as plain data: what fits, and the first entry that does not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from command_center.services.audit_chain import GENESIS, ChainEntry, entry_hash, hash_of, verify

AT = datetime(2026, 12, 7, 3, 15, 0, 123456, tzinfo=UTC)


def _chain(count: int) -> list[ChainEntry]:
    entries, previous = [], GENESIS
    for n in range(1, count + 1):
        entry = ChainEntry(
            n, n, None, AT + timedelta(minutes=n), "operator", "update", "team", str(n),
            {"status": "siaga"}, {"status": "bertugas", "anggota": [1, 2]},
        )  # fmt: skip
        entry = replace(entry, hash=hash_of(entry, previous, n))
        entries.append(entry)
        previous = entry.hash
    return entries


def test_an_untouched_chain_fits_and_names_its_head() -> None:
    entries = _chain(5)
    state = verify(entries)
    assert state.intact and state.checked == 5
    assert (state.head_seq, state.head_hash) == (5, entries[-1].hash)
    assert verify([]).intact and verify([]).head_hash == GENESIS


def test_an_edited_entry_is_named_whatever_field_was_changed() -> None:
    for change in (
        {"actor": "admin"},
        {"after": {"status": "bertugas", "anggota": [1, 2, 3]}},
        {"before": None},
        {"at": AT},
        {"entity_id": "99"},
    ):
        entries = _chain(5)
        entries[2] = replace(entries[2], **change)
        state = verify(entries)
        assert (state.broken_id, state.checked, state.head_seq) == (3, 2, 2), change
        assert state.reason == "edited"


def test_a_deleted_entry_is_found_at_the_one_after_it() -> None:
    entries = _chain(5)
    del entries[1]
    state = verify(entries)
    assert (state.broken_id, state.broken_seq, state.checked) == (3, 3, 1)
    assert state.reason == "missing"


def test_an_entry_written_around_the_chain_is_found() -> None:
    entries = [*_chain(3), replace(_chain(1)[0], id=4, seq=None, hash=None)]
    state = verify(entries)
    assert (state.broken_id, state.checked) == (4, 3) and state.reason == "unchained"


def test_a_rehashed_edit_still_breaks_at_the_entry_after_it() -> None:
    """Whoever edits one entry and fixes its hash breaks the link of the next one."""
    entries = _chain(4)
    edited = replace(entries[1], actor="someone else")
    entries[1] = replace(edited, hash=hash_of(edited, entries[0].hash, 2))
    assert verify(entries).broken_id == 3


def test_the_same_moment_in_another_zone_hashes_the_same() -> None:
    wib = AT.astimezone(timezone(timedelta(hours=7)))
    content = ("operator", "update", "team", "1", {"x": 1}, None)
    assert entry_hash(GENESIS, 1, AT, *content) == entry_hash(GENESIS, 1, wib, *content)
    assert entry_hash(GENESIS, 1, AT, *content) != entry_hash("1" * 64, 1, AT, *content)
