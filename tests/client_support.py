"""The client toolkit against the real server on loopback (the ``live`` fixture of conftest): the
users its tests need and a logged-in session."""

from __future__ import annotations

from clearinghouse_client import Session

from tests.api_support import PASSWORD, provider, user


def people(session) -> dict[str, str]:
    """An administrator (root), a partner's desk user (desk, acting for ACME) and a user (ann)."""
    provider(session, "ACME")
    user(session, "root", admin=True)
    user(session, "desk", providers=["ACME"])
    user(session, "ann")
    return {"admin": "root", "desk": "desk", "user": "ann", "provider": "ACME"}


def logged_in(url: str, username: str, **options) -> Session:
    session = Session(url, client_id="toolkit-tests", **options)
    session.login(username, PASSWORD)
    return session
