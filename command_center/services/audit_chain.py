"""The audit log's hash chain: each entry's hash covers its content and the hash of the entry
before it, so an entry edited, inserted or deleted after the fact breaks the chain there.

The canonical form hashed is a contract: entries written years ago are checked with it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256
from typing import Any, Protocol

GENESIS = "0" * 64  # the hash "before" the first entry


@dataclass(frozen=True)
class ChainEntry:
    """One audit entry as stored: its chain position and hash, and what they cover."""

    id: int
    seq: int | None
    hash: str | None
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: Any
    after: Any


@dataclass(frozen=True)
class ChainState:
    """The chain checked: how many entries fit, the head (last position and hash), and the
    first entry that does not fit with why (`reason`: `unchained`, `missing` or `edited`;
    None when the whole chain fits)."""

    checked: int
    head_seq: int
    head_hash: str
    broken_id: int | None = None
    broken_seq: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.reason is None


def as_stored(value: Any) -> Any:
    """`value` as a JSON column gives it back (tuples as lists, keys as text), so that the hash
    of what is written is the hash of what is read."""
    return None if value is None else json.loads(json.dumps(value))


def entry_hash(
    previous: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: Any,
    after: Any,
) -> str:
    """The hash of one entry chained to `previous` (SHA-256 of canonical JSON, hex)."""
    stamp = at.astimezone(UTC).isoformat(timespec="microseconds")
    content = [seq, stamp, actor, action, entity, entity_id, before, after]
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return sha256(previous.encode() + text.encode()).hexdigest()


class Content(Protocol):
    """What an entry's hash covers (a `ChainEntry`, or the stored row itself)."""

    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: Any
    after: Any


def hash_of(entry: Content, previous: str, seq: int) -> str:
    """`entry_hash` of a stored entry at chain position `seq`."""
    return entry_hash(
        previous,
        seq,
        entry.at,
        entry.actor,
        entry.action,
        entry.entity,
        entry.entity_id,
        entry.before,
        entry.after,
    )


def verify(entries: Iterable[ChainEntry]) -> ChainState:
    """Check `entries` in chain order (unchained ones last): the first whose position skips
    one (an entry deleted before it), whose hash does not match its content and the entry
    before it (edited, or inserted), or that has no place in the chain (written around it)."""
    seq, previous, checked = 0, GENESIS, 0
    for entry in entries:
        expected = seq + 1
        if entry.seq is None or entry.hash is None:
            reason = "unchained"  # written around the audit log's own writer
        elif entry.seq != expected:
            reason = "missing"  # entries deleted before it
        elif entry.hash != hash_of(entry, previous, expected):
            reason = "edited"  # or inserted
        else:
            seq, previous, checked = expected, entry.hash, checked + 1
            continue
        return ChainState(checked, seq, previous, entry.id, entry.seq, reason)
    return ChainState(checked, seq, previous)
