"""Local accounts, their sign-in sessions and wall-screen tokens. Passwords are kept only as
Argon2id hashes (argon2-cffi); session ids and tokens only as SHA-256 hashes of 32 random
bytes. Every change is audited.

An admin manages only accounts and tokens inside their own scope, and grants only scopes
inside it: only an unscoped admin makes unscoped (national) accounts. Failed sign-ins are
audited; after a few, the username (an account's or not) and the client must wait before the
next try, longer with each further failure. Nothing locks an account, and a username's waits
stay short (a minute by default), so guessing at someone's name keeps them out only briefly.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, Engine, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from command_center.base.auth import ROLES, Principal, require, require_in
from command_center.base.db import writing
from command_center.base.errors import FieldError, InvalidInput, NotFound, SignInRefused
from command_center.base.geography import normalise_code
from command_center.base.models import Incident, KioskToken, SignInFailure, User, UserSession
from command_center.base.settings import SignInLimits
from command_center.base.times import as_utc, utcnow
from command_center.services.validation import LABEL, NAME, WORDS, length_errors
from command_center.stores.common import record_audit

HASHER = PasswordHasher()
_DUMMY_HASH = HASHER.hash("not a password")  # checked for unknown users: the same timing
MIN_PASSWORD = 10
DEFAULT_LIMITS = SignInLimits()


def _checked_user(
    username: str,
    password: str | None,
    role: str,
    scope: str | None,
    display_name: str | None = None,
) -> None:
    errors = []
    if not username.strip():
        errors.append(FieldError("username", "missing"))
    shown = display_name and display_name.strip()  # what the audit log records as "who"
    errors += length_errors(username=(username, NAME), display_name=(shown, WORDS))
    if role not in ROLES:
        errors.append(FieldError("role", "bad_role", {"value": role, "roles": ", ".join(ROLES)}))
    if password is not None and len(password) < MIN_PASSWORD:
        errors.append(FieldError("password", "too_short", {"min_length": MIN_PASSWORD}))
    errors += _scope_errors(scope)
    if errors:
        raise InvalidInput(errors)


def _scope_errors(scope: str | None) -> list[FieldError]:
    """A scope is a province (`32`) or kabupaten (`32.03`) code, or none."""
    if not scope:
        return []
    try:
        normalise_code(scope, "province" if "." not in scope else "kabupaten")
    except ValueError:
        return [FieldError("scope", "bad_scope", {"value": scope})]
    return []


def create_user(
    engine: Engine,
    actor: Principal,
    username: str,
    password: str | None,
    role: str,
    scope: str | None = None,
    display_name: str | None = None,
    must_change_password: bool = False,
) -> int:
    """Add an account (password None: it signs in through OIDC only); returns its id.

    Raises:
        Forbidden: not an admin, or `scope` is not inside the admin's own.
        InvalidInput: bad role, scope, short password, or the username is taken.
    """
    username, scope = username.strip(), (scope or "").strip() or None
    require_in(actor, "users", scope)
    display_name = (display_name or username[:WORDS]).strip()
    _checked_user(username, password, role, scope, display_name)
    user = User(
        username=username,
        display_name=display_name,
        password_hash=HASHER.hash(password) if password is not None else None,
        role=role,
        scope=scope,
        must_change_password=must_change_password,
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


KEEP = object()  # `set_user(scope=KEEP)`: leave the scope as it is


def set_user(
    engine: Engine,
    actor: Principal,
    username: str,
    *,
    password: str | None = None,
    role: str | None = None,
    scope: str | object | None = KEEP,
    active: bool | None = None,
    unlock: bool = False,
    must_change_password: bool | None = None,
) -> None:
    """Change an account's password, role, scope (None: national) or active flag, or let its
    username try again at once (`unlock`: its failed sign-ins are forgotten); audited, never
    the hash itself. A password set by someone else must be changed at the next sign-in
    unless `must_change_password` says otherwise.

    Raises:
        Forbidden: the account, or the new scope, is outside the admin's scope.
        NotFound, InvalidInput.
    """
    require(actor, "users")
    with writing(engine) as session, session.begin():
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"user {username}")
        require_in(actor, "users", user.scope)
        new_scope = user.scope if scope is KEEP else (str(scope or "").strip() or None)
        require_in(actor, "users", new_scope)
        _checked_user(username, password, role or user.role, new_scope)
        before = _state(user)
        if password is not None:
            user.password_hash = HASHER.hash(password)
            user.must_change_password = (
                actor.username != username if must_change_password is None else must_change_password
            )
        user.role, user.scope = role or user.role, new_scope
        user.active = user.active if active is None else active
        if unlock:
            session.execute(delete(SignInFailure).where(SignInFailure.username == username))
        after = {**_state(user), "password_changed": password is not None, "unlocked": unlock}
        if before != _state(user) or password is not None:  # signed in as someone else now
            _end_sessions(session, user.id)
        record_audit(session, actor.name, "edit", "user", user.id, before, after)


def _state(user: User) -> dict:
    return {"role": user.role, "scope": user.scope, "active": user.active}


def change_own_password(
    engine: Engine, username: str, current: str, new: str, keep: str = ""
) -> None:
    """A signed-in user replaces their password (required after a reset or the first start).
    Their other sessions end at once (whoever knew the old password may be signed in); the
    session whose id is `keep`, the one making the change, stays.

    Raises:
        InvalidInput: the current password is wrong, or the new one is too short or the same.
    """
    with writing(engine) as session, session.begin():
        user = session.scalar(select(User).where(User.username == username, User.active))
        try:
            HASHER.verify((user and user.password_hash) or _DUMMY_HASH, current)
        except (VerificationError, InvalidHashError) as exc:
            raise InvalidInput([FieldError("password", "wrong_password")]) from exc
        if current == new:
            raise InvalidInput([FieldError("new_password", "same_password")])
        _checked_user(username, new, user.role, user.scope)
        user.password_hash, user.must_change_password = HASHER.hash(new), False
        after = {"sessions_ended": _end_sessions(session, user.id, keep)}
        record_audit(session, user.display_name, "password", "user", user.id, after=after)


def authenticate(
    engine: Engine,
    username: str,
    password: str,
    client: str = "unknown",
    limits: SignInLimits = DEFAULT_LIMITS,
) -> Principal | None:
    """The principal for a correct username and password of an active account, else None.

    A failure is recorded and audited, and so is the one that makes the username or the client
    start waiting ("lock"). While either waits, every try is refused, the right password too.
    A username with no account is counted and answered exactly like one with an account. A
    sign-in forgets the failures of its username from its own client only (its owner's typos):
    a guesser elsewhere cannot tell from their own waits that the name signed in.

    Raises:
        SignInRefused: the username or this client must still wait (the seconds left).
    """
    username, client = username.strip()[:120], (client or "unknown")[:64]
    now = utcnow()
    since = now - timedelta(hours=limits.window_h)
    with writing(engine) as session, session.begin():
        first, name, source = limits.wait_s, SignInFailure.username, SignInFailure.client
        by_user = _Brake("user", name == username, limits.per_user, first, limits.user_max_wait_s)
        by_client = _Brake(
            "client", source == client, limits.per_client, first, limits.client_max_wait_s
        )
        by_user, by_client = by_user.counted(session, since), by_client.counted(session, since)
        left = max(by_user.seconds_left(now), by_client.seconds_left(now))
        if left > 0:
            raise SignInRefused(math.ceil(left))
        user = session.scalar(select(User).where(User.username == username))
        stored = user.password_hash if user is not None and user.active else None
        try:
            HASHER.verify(stored or _DUMMY_HASH, password)
            correct = stored is not None
        except (VerificationError, InvalidHashError):
            correct = False
        if correct:  # its owner's typos stop counting; a guesser elsewhere sees no change
            mine = (SignInFailure.username == username) & (SignInFailure.client == client)
            session.execute(delete(SignInFailure).where(mine))
            return _principal(user)
        session.execute(delete(SignInFailure).where(SignInFailure.at < since))  # forgotten
        session.add(SignInFailure(at=now, client=client, username=username))
        user_id, after = user.id if user else "?", {"username": username, "client": client}
        record_audit(session, "sign-in", "failed", "user", user_id, None, after)
        for brake, entity_id in ((by_user, user_id), (by_client, client[:40])):
            if brake.count + 1 == brake.free:  # this failure starts its waits
                wait = {**after, "wait_s": brake.wait_s(brake.free)}
                record_audit(session, "sign-in", "lock", brake.entity, entity_id, None, wait)
    return None


@dataclass(frozen=True)
class _Brake:
    """The failed sign-ins that count against one username, or one client: after `free` of
    them each try waits `first_s` after the last failure, doubled with each further one up to
    `max_s` (a username's is short: guessing it keeps its owner out that long at most)."""

    entity: str  # "user" or "client", as the audit log names it
    which: ColumnElement[bool]
    free: int
    first_s: float
    max_s: float
    count: int = 0
    last: datetime | None = None

    def counted(self, session: Session, since: datetime) -> _Brake:
        """This brake with the failures since `since` counted."""
        query = select(func.count(), func.max(SignInFailure.at)).where(
            self.which, SignInFailure.at >= since
        )
        count, last = session.execute(query).one()
        return replace(self, count=count, last=last and as_utc(last))

    def wait_s(self, failures: int) -> float:
        """The wait after `failures`."""
        if failures < self.free:
            return 0.0
        return min(self.max_s, self.first_s * 2 ** min(failures - self.free, 32))  # 2**32: any cap

    def seconds_left(self, now: datetime) -> float:
        """How long the next try must still wait."""
        if self.last is None:
            return 0.0
        return (self.last + timedelta(seconds=self.wait_s(self.count)) - now).total_seconds()


def principal_for(engine: Engine, username: str) -> Principal | None:
    """The principal of an active account as it is now (re-read on every run; for OIDC, the
    account named by the e-mail)."""
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.username == username, User.active))
    return _principal(user) if user else None


def oidc_principal(
    engine: Engine,
    claims: Mapping[str, Any],
    role_claim: str | None = None,
    scope_claim: str | None = None,
) -> Principal | None:
    """The principal of someone the identity provider vouched for: the registered, active
    account named by the `email` claim. Its role and scope are the account's, or the claims'
    when `role_claim` (and `scope_claim`) are configured; a claim that names no role or no
    real area refuses the sign-in (None) rather than guess."""
    principal = principal_for(engine, str(claims.get("email") or ""))
    if principal is None or not role_claim:
        return principal
    role = claims.get(role_claim)
    scope = (claims.get(scope_claim) if scope_claim else None) or None
    try:
        _checked_user(principal.username, None, str(role), scope and str(scope))
    except InvalidInput:
        return None
    return replace(principal, role=str(role), scope=scope and str(scope))


def open_session(
    engine: Engine, username: str, hours: float, client: str = "unknown", agent: str = ""
) -> str:
    """A new sign-in session for an account that just authenticated; returns its id, which
    the browser keeps in a cookie (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    with writing(engine) as session, session.begin():
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"user {username}")
        row = UserSession(
            token_hash=digest(token),
            user_id=user.id,
            client=(client or "unknown")[:64],
            agent=(agent or "")[:200],
            expires_at=utcnow() + timedelta(hours=hours),
        )
        session.add(row)
        session.flush()
        after = {"client": row.client}
        record_audit(session, user.display_name, "sign-in", "user", user.id, after=after)
    return token


def session_principal(engine: Engine, token: str) -> Principal | None:
    """The principal of an open session (not expired or revoked) of an active account, as the
    account is now; None otherwise."""
    if not token:
        return None
    with Session(engine) as session:
        user = session.scalar(
            select(User)
            .join(UserSession, UserSession.user_id == User.id)
            .where(
                UserSession.token_hash == digest(token),
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > utcnow(),
                User.active,
            )
        )
    return _principal(user) if user else None


def end_session(engine: Engine, token: str) -> None:
    """Signing out: the session ends at once, in every tab that shares it."""
    with writing(engine) as session, session.begin():
        row = session.scalar(select(UserSession).where(UserSession.token_hash == digest(token)))
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()


def open_sessions(engine: Engine, actor: Principal, username: str | None = None) -> list[dict]:
    """The open sessions of `username` (default: the actor's own). Another account's need
    the `users` permission over its scope."""
    username = username or actor.username
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"user {username}")
        if username != actor.username:
            require_in(actor, "users", user.scope)
        rows = session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > utcnow(),
            )
            .order_by(UserSession.created_at.desc())
        )
        return [
            {
                "id": r.id,
                "username": username,
                "client": r.client,
                "agent": r.agent,
                "created_at": r.created_at,
                "expires_at": r.expires_at,
            }
            for r in rows
        ]


def revoke_session(engine: Engine, actor: Principal, session_id: int) -> None:
    """End one session: the actor's own, or (with `users`) one of an account in scope.

    Raises:
        NotFound, Forbidden.
    """
    with writing(engine) as session, session.begin():
        row = session.get(UserSession, session_id)
        user = row and session.get(User, row.user_id)
        if user is None:
            raise NotFound(f"session {session_id}")
        if user.username != actor.username:
            require_in(actor, "users", user.scope)
        row.revoked_at = row.revoked_at or utcnow()
        after = {"username": user.username, "session": session_id}
        record_audit(session, actor.name, "revoke", "user_session", session_id, after=after)


def _end_sessions(session: Session, user_id: int, keep: str = "") -> int:
    """End the account's open sessions, all but the one whose id is `keep`; returns how many."""
    query = select(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
    )
    if keep:
        query = query.where(UserSession.token_hash != digest(keep))
    rows = session.scalars(query).all()
    for row in rows:
        row.revoked_at = utcnow()
    return len(rows)


def must_change_password(engine: Engine, username: str) -> bool:
    with Session(engine) as session:
        query = select(User.must_change_password).where(User.username == username)
        return bool(session.scalar(query))


def _principal(user: User) -> Principal:
    return Principal(user.display_name, user.role, user.scope, username=user.username)


def users(engine: Engine, actor: Principal) -> list[User]:
    """The accounts inside `actor`'s scope (detached, read-only)."""
    require(actor, "users")
    with Session(engine, expire_on_commit=False) as session:
        rows = session.scalars(select(User).order_by(User.username))
        return [u for u in rows if actor.covers(u.scope)]


def digest(token: str) -> str:
    """What is stored of a token: its SHA-256 (the token itself is shown once, never kept)."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    engine: Engine,
    actor: Principal,
    label: str,
    scope: str | object | None = KEEP,
    incident_id: int | None = None,
) -> str:
    """A new wall-screen token for the briefing of `scope` (by default the admin's own) or of
    one incident; it is shown once here and only its hash is stored.

    Raises:
        Forbidden: the scope or the incident's area is outside the admin's scope.
        InvalidInput: a bad scope, or a label longer than `LABEL`.
        NotFound: no such incident.
    """
    scope = actor.scope if scope is KEEP else (str(scope or "").strip() or None)
    require_in(actor, "users", scope)
    label = label.strip()  # a wall screen acts as "layar: <label>"
    if errors := _scope_errors(scope) + length_errors(label=(label, LABEL)):
        raise InvalidInput(errors)
    token = secrets.token_urlsafe(32)
    with writing(engine) as session, session.begin():
        if incident_id is not None:
            incident = session.get(Incident, incident_id)
            if incident is None:
                raise NotFound(f"incident {incident_id}")
            require_in(actor, "users", incident.kabupaten_code)
        row = KioskToken(
            label=label or "layar",
            token_hash=digest(token),
            scope=scope,
            incident_id=incident_id,
            created_by=actor.name,
        )
        session.add(row)
        session.flush()
        after = {"label": row.label, "scope": scope, "incident_id": incident_id}
        record_audit(session, actor.name, "create", "kiosk_token", row.id, after=after)
    return token


def revoke_token(engine: Engine, actor: Principal, token_id: int) -> None:
    require(actor, "users")
    with writing(engine) as session, session.begin():
        row = session.get(KioskToken, token_id)
        if row is None:
            raise NotFound(f"kiosk token {token_id}")
        require_in(actor, "users", row.scope)
        row.revoked_at = utcnow()
        record_audit(
            session, actor.name, "revoke", "kiosk_token", token_id, after={"label": row.label}
        )


def kiosk_principal(engine: Engine, token: str) -> Principal | None:
    """The read-only principal of a valid, unrevoked wall-screen token: a viewer of the
    token's area, bound to its incident when it names one."""
    if not token:
        return None
    with Session(engine) as session:
        row = session.scalar(
            select(KioskToken).where(
                KioskToken.token_hash == digest(token), KioskToken.revoked_at.is_(None)
            )
        )
    if row is None:
        return None
    label = f"layar: {row.label}"
    return Principal(label, "viewer", row.scope, kiosk=True, incident_id=row.incident_id)


def tokens(engine: Engine, actor: Principal) -> list[KioskToken]:
    """The wall-screen tokens inside `actor`'s scope (detached, read-only)."""
    require(actor, "users")
    with Session(engine, expire_on_commit=False) as session:
        rows = session.scalars(select(KioskToken).order_by(KioskToken.id))
        return [r for r in rows if actor.covers(r.scope)]
