"""Client sessions (seed slides 88–89): who is calling, for which client, partner and user.

A session begins as a guest's (Identify without a token) or with a Login, and ends by Remove or an
idle timeout; Logout turns it back into a guest's. Its token is 256 random bits; only the token's
SHA-256 is stored, so a copy of the table opens nothing. Sessions live in the database and survive
a restart of the API.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from clearinghouse.accounts.models import ApiSession, LoginAttempt, Provider, User, user_providers
from clearinghouse.accounts.passwords import (
    hash_password,
    needs_rehash,
    spend_verification_time,
    verify_password,
)
from clearinghouse.db import Database
from clearinghouse.db.prepared import Prepared
from clearinghouse.errors import (
    AccountLocked,
    Forbidden,
    NotAuthenticated,
    NotFound,
    SessionExpired,
    TooManyRequests,
)

#: Consecutive wrong passwords that lock an account, and for how long.
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
#: Failed logins from one address within the window before that address must wait.
ADDRESS_LIMIT = 20
ADDRESS_WINDOW = timedelta(minutes=10)
#: The first key of the per-address advisory locks (the second is the address's hash).
ADDRESS_LOCK = 0x10C1
#: A session's last use is written at most this often (a write per request would cost more than
#: the request).
TOUCH_EVERY = timedelta(seconds=30)


@dataclasses.dataclass(frozen=True)
class Caller:
    """What a request may do, resolved from its token (or the lack of one)."""

    session_id: int | None = None
    user_id: int | None = None
    username: str | None = None
    is_admin: bool = False
    client_id: str | None = None
    provider_id: str | None = None
    acting_user_id: int | None = None
    acting_username: str | None = None

    @property
    def registered(self) -> bool:
        return self.user_id is not None

    @property
    def effective_user_id(self) -> int | None:
        """The user the request acts for: the one an administrator acts as, or the caller."""
        return self.acting_user_id or self.user_id

    @property
    def effective_username(self) -> str | None:
        return self.acting_username or self.username


GUEST = Caller()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> str:
    return secrets.token_urlsafe(32)


# A session's provider and user contexts are checked against the user's rights as they are now,
# in the query that loads the session: a role or administrator right taken away takes the context
# with it at the next request (one primary-key probe, and only for a session in a provider context).
_RESOLVE = Prepared(
    "resolve_session",
    ("text",),
    """
    SELECT s.id, s.user_id, u.username, u.is_admin, u.active, s.client_id,
           CASE WHEN s.provider_id IS NULL THEN NULL
                WHEN u.is_admin OR EXISTS (
                    SELECT 1 FROM user_providers up
                    WHERE up.user_id = s.user_id AND up.provider_id = s.provider_id)
                THEN s.provider_id END AS provider_id,
           CASE WHEN u.is_admin THEN s.acting_user_id END AS acting_user_id,
           CASE WHEN u.is_admin THEN a.username END AS acting_username,
           s.ended_at IS NOT NULL AS ended, now() - s.last_seen_at AS idle
    FROM sessions s
    LEFT JOIN users u ON u.id = s.user_id
    LEFT JOIN users a ON a.id = s.acting_user_id
    WHERE s.token_hash = $1
    """,
)


def resolve(session: Session, token: str | None, timeout: int) -> Caller:
    """The caller a token stands for; a guest without a token."""
    if token is None:
        return GUEST
    row = _RESOLVE.execute(session.connection(), token_hash(token)).first()
    if row is None or row.ended:
        raise NotAuthenticated("the token is not known here: log in again")
    if row.idle > timedelta(seconds=timeout):
        raise SessionExpired(
            f"the session expired after {timeout} seconds without a request: log in again"
        )
    if row.user_id is not None and not row.active:
        raise NotAuthenticated(f"the account of {row.username} is deactivated")
    if row.idle > TOUCH_EVERY:
        session.execute(
            update(ApiSession).where(ApiSession.id == row.id).values(last_seen_at=func.now())
        )
    return Caller(
        session_id=row.id,
        user_id=row.user_id,
        username=row.username,
        is_admin=bool(row.is_admin),
        client_id=row.client_id,
        provider_id=row.provider_id,
        acting_user_id=row.acting_user_id,
        acting_username=row.acting_username,
    )


def _open(session: Session, *, user_id: int | None, client_id: str | None, address: str | None):
    token = _new_token()
    session.execute(
        insert(ApiSession).values(
            token_hash=token_hash(token),
            user_id=user_id,
            client_id=client_id,
            remote_address=address,
        )
    )
    return token


def login(
    db: Database,
    username: str,
    password: str,
    *,
    client_id: str | None,
    address: str | None,
    previous: Caller = GUEST,
) -> str:
    """A new session for a user whose password is right; its token."""

    def open_session(session: Session, user: User) -> str:
        if previous.session_id is not None:  # a new token: never keep one across a login
            _end(session, previous.session_id)
        return _open(
            session, user_id=user.id, client_id=client_id or previous.client_id, address=address
        )

    return _verified(db, username, password, address, open_session)


def authenticate(
    db: Database, username: str, password: str, *, address: str | None, client_id: str | None = None
) -> Caller:
    """The caller a user name and password stand for, without a session (OSEO's WS-Security
    UsernameToken): the same checks, throttles and locks as a login."""

    def caller(session: Session, user: User) -> Caller:
        return Caller(
            user_id=user.id, username=user.username, is_admin=user.is_admin, client_id=client_id
        )

    return _verified(db, username, password, address, caller)


def _verified(db: Database, username: str, password: str, address: str | None, then):
    """``then(session, user)`` once the password is right.

    The attempt is first counted against its address and recorded as failed, in one short
    transaction holding the address's lock: concurrent attempts from one address are counted
    one after the other, those still being checked included, so no more than ADDRESS_LIMIT of
    them reach a password check. A right password then marks the attempt as succeeded. Failed
    attempts are committed even though the check fails (they count towards the locks)."""
    with db.session() as session:
        refusal = _throttled(session, address)
        attempt = LoginAttempt(username=username[:200], remote_address=address, succeeded=False)
        session.add(attempt)
    if refusal is not None:
        raise refusal
    with db.session() as session:
        user = session.scalar(
            select(User).where(func.lower(User.username) == username.lower()).with_for_update()
        )
        refusal = _check_user(session, user, password)
        if refusal is None:
            session.execute(
                update(LoginAttempt).where(LoginAttempt.id == attempt.id).values(succeeded=True)
            )
            user.failed_logins = 0
            user.locked_until = None
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            result = then(session, user)
    if refusal is not None:
        raise refusal
    return result


def _throttled(session: Session, address: str | None) -> Exception | None:
    if address is None:
        return None
    # Held until the attempt is recorded (the end of this transaction).
    session.execute(select(func.pg_advisory_xact_lock(ADDRESS_LOCK, func.hashtext(address))))
    failures, oldest = session.execute(
        select(func.count(), func.min(LoginAttempt.at)).where(
            LoginAttempt.remote_address == address,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > func.now() - ADDRESS_WINDOW,
        )
    ).one()
    if failures < ADDRESS_LIMIT:
        return None
    now = session.scalar(select(func.now()))
    wait = max(1, int((oldest + ADDRESS_WINDOW - now).total_seconds()) + 1)
    return TooManyRequests(
        f"{failures} failed logins from {address} in the last"
        f" {int(ADDRESS_WINDOW.total_seconds() // 60)} minutes: try again in {wait} seconds",
        retry_after=wait,
    )


def _check_user(session: Session, user: User | None, password: str) -> Exception | None:
    wrong = NotAuthenticated("wrong user name or password")
    if user is None or not user.active:
        spend_verification_time(password)  # as long whether or not the user exists
        return wrong
    now: datetime = session.scalar(select(func.now()))
    if user.locked_until is not None and user.locked_until > now:
        return AccountLocked(
            f"the account {user.username} is locked after {LOCK_AFTER} failed logins until"
            f" {user.locked_until:%Y-%m-%d %H:%M:%S %Z}"
        )
    if verify_password(user.password_hash, password):
        return None
    user.failed_logins += 1
    if user.failed_logins >= LOCK_AFTER:
        user.locked_until = now + LOCK_FOR
        user.failed_logins = 0
        end_sessions_of(session, user.id)  # a locked account is used neither by login nor session
        return AccountLocked(
            f"wrong password: the account {user.username} is now locked after {LOCK_AFTER}"
            f" failed logins until {user.locked_until:%Y-%m-%d %H:%M:%S %Z}"
        )
    return wrong


def _require_session(caller: Caller) -> int:
    if caller.session_id is None:
        raise NotAuthenticated("this function needs a session: send the Echo-Token header")
    return caller.session_id


def _end(session: Session, session_id: int) -> None:
    session.execute(
        update(ApiSession).where(ApiSession.id == session_id).values(ended_at=func.now())
    )


def _set(session: Session, caller: Caller, **values) -> None:
    session.execute(
        update(ApiSession).where(ApiSession.id == _require_session(caller)).values(**values)
    )


def logout(session: Session, caller: Caller) -> None:
    """The session goes on as a guest's, keeping its client id (seed slide 89)."""
    _set(session, caller, user_id=None, provider_id=None, acting_user_id=None)


def remove(session: Session, caller: Caller) -> None:
    _end(session, _require_session(caller))


def identify(session: Session, caller: Caller, client_id: str, address: str | None) -> str | None:
    """Name the client; without a session, a guest session is opened and its token returned."""
    if caller.session_id is None:
        return _open(session, user_id=None, client_id=client_id, address=address)
    _set(session, caller, client_id=client_id)
    return None


def set_provider_context(session: Session, caller: Caller, provider_id: str | None) -> None:
    """Act for a partner (or for none, given no id); only its users and administrators may."""
    if not caller.registered:
        raise NotAuthenticated("log in before choosing a provider context")
    if provider_id:
        if session.get(Provider, provider_id) is None:
            raise NotFound(f"provider {provider_id} does not exist")
        allowed = caller.is_admin or session.scalar(
            select(text("1"))
            .select_from(user_providers)
            .where(
                user_providers.c.user_id == caller.user_id,
                user_providers.c.provider_id == provider_id,
            )
        )
        if not allowed:
            raise Forbidden(f"user {caller.username} may not act for provider {provider_id}")
    _set(session, caller, provider_id=provider_id or None)


def set_user_context(session: Session, caller: Caller, username: str | None) -> None:
    """An administrator acts as another user (or as itself again, given no name)."""
    if not caller.registered:
        raise NotAuthenticated("log in before choosing a user context")
    if not caller.is_admin:
        raise Forbidden("only administrators may act as another user")
    acting = None
    if username:
        acting = session.scalar(
            select(User.id).where(func.lower(User.username) == username.lower())
        )
        if acting is None:
            raise NotFound(f"user {username} does not exist")
    _set(session, caller, acting_user_id=acting)


def end_sessions_of(session: Session, user_id: int, *, keep: int | None = None) -> None:
    """Every open session of a user ends (a deactivated account, a changed password), but
    ``keep``."""
    session.execute(
        update(ApiSession)
        .where(
            ApiSession.user_id == user_id,
            ApiSession.ended_at.is_(None),
            ApiSession.id.is_distinct_from(keep),
        )
        .values(ended_at=func.now())
    )
