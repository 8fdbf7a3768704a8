"""Personal data protection (UU 27/2022): the key that seals NIK, KK numbers, names, addresses and
bank details at rest, the keyed hash that finds a NIK without storing it, and masking.

One secret (`CC_PDP_KEY`, 32 random bytes in URL-safe base64; `command-center households key`
makes one) yields two keys through HKDF: one for AES-256-GCM, one for HMAC-SHA256. Each sealed
value is bound to its field name, so a sealed NIK cannot be passed off as a sealed name. The
key is never stored in the database or the repository; without it the household module refuses
to start and says how to make one. The store keeps the key's check value (`ensure_key`): a
process started with another key is refused before it seals or opens a value.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import secrets
from collections.abc import Iterable
from hashlib import sha256
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from command_center.base.db import writing
from command_center.base.errors import CommandCenterError
from command_center.base.models import Household, PdpKeyCheck

MASK = "•"
NONCE_BYTES = 12
SEALED_PREFIX = "pdp:"  # a sealed value inside JSON (a quarantined row) starts with this
HOW_TO = (
    "set CC_PDP_KEY to a new key: `command-center households key` prints one "
    "(keep it in the environment or .streamlit/secrets.toml, never in the repository; "
    "without it the household data cannot be read)"
)


class KeyMissing(CommandCenterError):
    """No usable `CC_PDP_KEY`: the household module stays closed."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"personal data key {reason}: {HOW_TO}")


def new_key() -> str:
    """A fresh secret for `CC_PDP_KEY`."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _derived(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


class Vault:
    """Seals and opens personal fields, and hashes identity numbers, with one secret."""

    def __init__(self, key: str | None):
        if not key:
            raise KeyMissing("is not set")
        try:
            secret = base64.urlsafe_b64decode(key.strip().encode())
        except (binascii.Error, ValueError) as exc:
            raise KeyMissing("is not URL-safe base64") from exc
        if len(secret) != 32:
            raise KeyMissing(f"has {len(secret)} bytes instead of 32")
        self._aead = AESGCM(_derived(secret, b"command-center pdp seal"))
        self._hash_key = _derived(secret, b"command-center pdp index")
        # names the key without revealing it (stored, and shown in messages)
        self.check_value = _derived(secret, b"command-center pdp check")[:8].hex()

    def seal(self, value: str | None, field: str) -> bytes | None:
        """`value` encrypted for storage (None stays None)."""
        if value is None:
            return None
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, value.encode(), field.encode())

    def open(self, sealed: bytes | None, field: str) -> str | None:
        """The clear value of `seal(value, field)`; fails on any tampering or another key."""
        if sealed is None:
            return None
        sealed = bytes(sealed)
        nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        return self._aead.decrypt(nonce, body, field.encode()).decode()

    def reseal(self, sealed: bytes | None, field: str, new: Vault) -> bytes | None:
        """A value sealed with this key, sealed again with `new` (a key rotation)."""
        return new.seal(self.open(sealed, field), field)

    def index(self, number: str) -> str:
        """A keyed hash of an identity number: equal numbers match, the number stays unknown."""
        return hmac.new(self._hash_key, number.encode(), sha256).hexdigest()

    def indexes(self, numbers: Iterable[str]) -> list[str]:
        """`index` of many numbers (a registry extract), one key setup."""
        key = self._hash_key
        return [hmac.new(key, n.encode(), sha256).hexdigest() for n in numbers]

    def seal_row(self, row: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
        """A row for JSON storage with `fields` sealed as text (`pdp:<base64>`)."""
        sealed = dict(row)
        for field in fields:
            value = row.get(field)
            if value not in (None, "") and not str(value).startswith(SEALED_PREFIX):
                token = self.seal(str(value), field)
                sealed[field] = SEALED_PREFIX + base64.b64encode(token).decode()
        return sealed

    def open_row(self, row: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
        """The clear row of `seal_row`."""
        opened = dict(row)
        for field in fields:
            value = row.get(field)
            if isinstance(value, str) and value.startswith(SEALED_PREFIX):
                token = base64.b64decode(value.removeprefix(SEALED_PREFIX))
                opened[field] = self.open(token, field)
        return opened

    def reseal_row(self, row: Any, new: Vault) -> Any:
        """`row` (JSON: dicts, lists, text) with every sealed value sealed again with `new`."""
        if isinstance(row, list):
            return [self.reseal_row(item, new) for item in row]
        if not isinstance(row, dict):
            return row
        out = {}
        for name, value in row.items():
            if isinstance(value, str) and value.startswith(SEALED_PREFIX):
                out[name] = new.seal_row(self.open_row({name: value}, [name]), [name])[name]
            else:
                out[name] = self.reseal_row(value, new)
        return out


def mask(number: str | None) -> str | None:
    """`•••••••••••••012`: the last three digits of a NIK or KK number only. Its region and
    birth date stay hidden: with the kecamatan, sex and age a list shows, they would leave a
    NIK a few guesses away."""
    if not number:
        return number
    shown = 3 if len(number) > 7 else 0
    return MASK * (len(number) - shown) + number[len(number) - shown :]


def mask_name(name: str | None) -> str | None:
    """`S••• R•••`: the initials only."""
    if not name:
        return name
    return " ".join(word[0] + MASK * 3 for word in name.split())


def ensure_key(session: Session, vault: Vault) -> None:
    """Refuse `vault` unless its key is the one the store is sealed with. The first key used
    is recorded, once it has opened a value sealed before (a store from before the check).

    Raises:
        KeyMissing: another key, or one that does not open what is sealed.
    """
    stored = session.get(PdpKeyCheck, 1)
    if stored is not None and stored.check_value == vault.check_value:
        return
    if stored is not None:
        raise KeyMissing(
            f"is not the key this store is sealed with (check value {stored.check_value}, "
            f"this key's {vault.check_value})"
        )
    sample = session.scalar(select(Household.kk_sealed).limit(1))
    if sample is not None:
        try:
            vault.open(sample, "kk")
        except InvalidTag as exc:
            raise KeyMissing("does not open the data this store holds sealed") from exc
    session.add(PdpKeyCheck(id=1, check_value=vault.check_value))
    session.flush()


def open_vault(engine: Engine, key: str | None) -> Vault:
    """The vault of `key`, checked against the store's (`ensure_key`).

    Raises:
        KeyMissing: no usable key, or not the store's.
    """
    vault = Vault(key)
    with writing(engine) as session, session.begin():
        ensure_key(session, vault)
    return vault
