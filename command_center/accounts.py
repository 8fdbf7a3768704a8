"""Local accounts and wall-screen tokens. Passwords are kept only as Argon2id hashes
(argon2-cffi); tokens only as SHA-256 hashes of 32 random bytes. Every change is audited."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from command_center.auth import ROLES, Principal, require
from command_center.db import writing
from command_center.errors import FieldError, InvalidInput, NotFound
from command_center.geography import normalise_code
from command_center.models import KioskToken, User
from command_center.store import record_audit
from command_center.times import utcnow

HASHER = PasswordHasher()
_DUMMY_HASH = HASHER.hash("not a password")  # checked for unknown users: the same timing
MIN_PASSWORD = 10
MAX_NAME = 80  # a display name is what the audit log records
MAX_LABEL = 60  # a wall screen acts as "layar: <label>"


def _checked_user(
    username: str,
    password: str | None,
    role: str,
    scope: str | None,
    display_name: str | None = None,
) -> None:
    errors = []
    if not username.strip() or len(username) > 120:
        errors.append(FieldError("username", "missing"))
    if display_name is not None and len(display_name.strip()) > MAX_NAME:
        errors.append(FieldError("display_name", "too_long", {"max_length": MAX_NAME}))
    if role not in ROLES:
        errors.append(FieldError("role", "bad_role", {"value": role, "roles": ", ".join(ROLES)}))
    if password is not None and len(password) < MIN_PASSWORD:
        errors.append(FieldError("password", "too_short", {"min_length": MIN_PASSWORD}))
    if scope:
        level = "province" if "." not in scope else "kabupaten"
        try:
            normalise_code(scope, level)
        except ValueError:
            errors.append(FieldError("scope", "bad_scope", {"value": scope}))
    if errors:
        raise InvalidInput(errors)


def create_user(
    engine: Engine,
    actor: Principal,
    username: str,
    password: str | None,
    role: str,
    scope: str | None = None,
    display_name: str | None = None,
) -> int:
    """Add an account (password None: it signs in through OIDC only); returns its id.

    Raises:
        Forbidden: not an admin.
        InvalidInput: bad role, scope, short password, or the username is taken.
    """
    require(actor, "users")
    username, scope = username.strip(), (scope or "").strip() or None
    display_name = (display_name or username[:MAX_NAME]).strip()
    _checked_user(username, password, role, scope, display_name)
    user = User(
        username=username,
        display_name=display_name,
        password_hash=HASHER.hash(password) if password is not None else None,
        role=role,
        scope=scope,
    )
    try:
        with writing(engine) as session, session.begin():
            session.add(user)
            session.flush()
            user_id = user.id
            after = {"username": username, "role": role, "scope": scope}
            record_audit(session, actor.name, "create", "user", user_id, None, after)
    except IntegrityError as exc:
        raise InvalidInput([FieldError("username", "duplicate_name", {"value": username})]) from exc
    return user_id


def set_user(
    engine: Engine,
    actor: Principal,
    username: str,
    *,
    password: str | None = None,
    role: str | None = None,
    active: bool | None = None,
) -> None:
    """Change an account's password, role or active flag (audited; never the hash itself)."""
    require(actor, "users")
    with writing(engine) as session, session.begin():
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"user {username}")
        _checked_user(username, password, role or user.role, user.scope)
        before = {"role": user.role, "active": user.active}
        if password is not None:
            user.password_hash = HASHER.hash(password)
        user.role = role or user.role
        user.active = user.active if active is None else active
        after = {"role": user.role, "active": user.active, "password_changed": password is not None}
        record_audit(session, actor.name, "edit", "user", user.id, before, after)


def authenticate(engine: Engine, username: str, password: str) -> Principal | None:
    """The principal for a correct username and password of an active account, else None."""
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.username == username.strip()))
    stored = user.password_hash if user is not None and user.active else None
    try:
        HASHER.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if stored is None:
        return None
    return Principal(user.display_name, user.role, user.scope)


def principal_for(engine: Engine, username: str) -> Principal | None:
    """The principal of an active account (for OIDC: the account named by the e-mail)."""
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.username == username, User.active))
    return Principal(user.display_name, user.role, user.scope) if user else None


def users(engine: Engine) -> list[User]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(select(User).order_by(User.username)))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(engine: Engine, actor: Principal, label: str) -> str:
    """A new wall-screen token; it is shown once here and only its hash is stored."""
    require(actor, "users")
    token = secrets.token_urlsafe(32)
    with writing(engine) as session, session.begin():
        row = KioskToken(
            label=label.strip()[:MAX_LABEL] or "layar",
            token_hash=_digest(token),
            created_by=actor.name,
        )
        session.add(row)
        session.flush()
        record_audit(
            session, actor.name, "create", "kiosk_token", row.id, after={"label": row.label}
        )
    return token


def revoke_token(engine: Engine, actor: Principal, token_id: int) -> None:
    require(actor, "users")
    with writing(engine) as session, session.begin():
        row = session.get(KioskToken, token_id)
        if row is None:
            raise NotFound(f"kiosk token {token_id}")
        row.revoked_at = utcnow()
        record_audit(
            session, actor.name, "revoke", "kiosk_token", token_id, after={"label": row.label}
        )


def kiosk_principal(engine: Engine, token: str) -> Principal | None:
    """The read-only principal of a valid, unrevoked wall-screen token."""
    if not token:
        return None
    with Session(engine) as session:
        row = session.scalar(
            select(KioskToken).where(
                KioskToken.token_hash == _digest(token), KioskToken.revoked_at.is_(None)
            )
        )
    return Principal(f"layar: {row.label}", "viewer") if row else None


def tokens(engine: Engine) -> list[KioskToken]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(select(KioskToken).order_by(KioskToken.id)))
