"""The session functions over XML/HTTP: register, log in, identify, provider and user contexts,
log out, remove, expiry; tokens live in the database."""

from __future__ import annotations

from sqlalchemy import select, text

from clearinghouse.accounts.models import ApiSession, LoginAttempt, User
from clearinghouse.accounts.sessions import token_hash
from clearinghouse.web import create_app
from tests.api_support import (
    PASSWORD,
    act_for,
    answer,
    error,
    login,
    perform,
    performed,
    post,
    provider,
    user,
)

REGISTER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE RegistrationService SYSTEM 'http://api.echo.eos.nasa.gov/echo/dtd/RegistrationService.dtd'>
<!-- Create a new user -->
<RegistrationService>
  <CreateUserRequest>
    <UserName>kwichma</UserName>
    <Password>password</Password>
    <UserInformation>
      <FirstName>Keith</FirstName>
      <LastName>Wichmann</LastName>
      <EmailAddress>wichmann@gst.com</EmailAddress>
    </UserInformation>
  </CreateUserRequest>
</RegistrationService>"""


def _session_row(session, token) -> ApiSession:
    session.expire_all()
    return session.scalar(select(ApiSession).where(ApiSession.token_hash == token_hash(token)))


def _idle(session, token, seconds, *, since_last=True):
    """Make the session look unused for ``seconds`` (more, if ``since_last`` is False)."""
    since = "now()" if since_last else "last_seen_at"
    session.execute(
        text(
            f"UPDATE sessions SET last_seen_at = {since} - make_interval(secs => :s)"
            " WHERE token_hash = :h"
        ),
        {"s": seconds, "h": token_hash(token)},
    )
    session.commit()


def test_the_seeds_registration_then_login_and_identify(client, session):
    created = answer(client.post("/echo/perform", data=REGISTER))
    assert created.tag == "RegistrationService"
    assert created[0].tag == "CreateUserResponse"
    assert created[0].findtext("UserName") == "kwichma"

    token = login(client, "kwichma", "password", client_id="portal-1")
    assert len(token) >= 40
    me = performed(client, token, "UserAccountService", "<GetUserInformationRequest/>")
    assert me.findtext("User/UserName") == "kwichma"
    assert me.findtext("User/UserInformation/FirstName") == "Keith"
    assert me.findtext("User/UserInformation/EmailAddress") == "wichmann@gst.com"
    row = _session_row(session, token)
    assert row.client_id == "portal-1"
    assert row.token_hash != token  # only the hash is kept

    identified = answer(
        post(client, "identify", token, "<Identify><ClientId>portal-2</ClientId></Identify>")
    )
    assert identified.tag == "IdentifyResponse"
    assert identified.find("Token") is None  # the session's token stays the same
    assert _session_row(session, token).client_id == "portal-2"


def test_a_guest_gets_a_session_by_identifying_and_keeps_its_client_id_at_login(client, session):
    user(session, "ana")
    guest = answer(
        post(client, "identify", None, "<Identify><ClientId>machine</ClientId></Identify>")
    )
    guest_token = guest.findtext("Token")
    assert guest_token
    # A guest session may register, not see an account.
    error(
        perform(client, guest_token, "UserAccountService", "<GetUserInformationRequest/>"),
        401,
        "NotAuthenticated",
    )
    token = answer(
        post(
            client,
            "login",
            guest_token,
            f"<Login><UserName>ana</UserName><Password>{PASSWORD}</Password></Login>",
        )
    ).findtext("Token")
    assert token != guest_token  # a login always gets a fresh token
    assert _session_row(session, token).client_id == "machine"
    error(post(client, "logout", guest_token), 401, "NotAuthenticated")  # the guest's ended


def test_provider_context_for_its_users_and_administrators_only(client, session):
    provider(session, "ORNL")
    provider(session, "LPDAAC")
    user(session, "partner", providers=["ORNL"])
    user(session, "root", admin=True)
    token = login(client, "partner")

    answer(act_for(client, token, "ORNL"))
    assert _session_row(session, token).provider_id == "ORNL"
    profile = performed(client, token, "ProviderProfileService", "<GetProviderProfileRequest/>")
    assert profile.findtext("ProviderProfile/ProviderId") == "ORNL"

    refused = error(
        act_for(client, token, "LPDAAC"),
        403,
        "Forbidden",
    )
    assert "LPDAAC" in refused["Message"]
    assert _session_row(session, token).provider_id == "ORNL"  # unchanged
    error(
        act_for(client, token, "NOPE"),
        404,
        "NotFound",
    )
    # Another provider's profile stays closed, even named.
    error(
        perform(
            client,
            token,
            "ProviderProfileService",
            "<GetProviderProfileRequest><ProviderId>LPDAAC</ProviderId>"
            "</GetProviderProfileRequest>",
        ),
        403,
        "Forbidden",
    )
    # An empty context clears it.
    answer(post(client, "provider-context", token, "<SetProviderContext/>"))
    assert _session_row(session, token).provider_id is None
    error(
        perform(client, token, "ProviderProfileService", "<GetProviderProfileRequest/>"),
        403,
        "Forbidden",
    )

    admin = login(client, "root")
    answer(act_for(client, admin, "LPDAAC"))
    # Guests have no provider context.
    error(
        act_for(client, None, "ORNL"),
        401,
        "NotAuthenticated",
    )


def test_only_an_administrator_acts_as_another_user(client, session):
    user(session, "root", admin=True)
    user(session, "bea")
    user(session, "carl")
    bea = login(client, "bea")
    error(
        post(
            client,
            "user-context",
            bea,
            "<SetUserContext><UserName>carl</UserName></SetUserContext>",
        ),
        403,
        "Forbidden",
    )

    admin = login(client, "root")
    answer(
        post(
            client,
            "user-context",
            admin,
            "<SetUserContext><UserName>carl</UserName></SetUserContext>",
        )
    )
    me = performed(client, admin, "UserAccountService", "<GetUserInformationRequest/>")
    assert me.findtext("User/UserName") == "carl"
    # Acting as carl, the administrator may set carl's password without knowing it.
    performed(
        client,
        admin,
        "UserAccountService",
        "<ChangePasswordRequest><NewPassword>carl's new one</NewPassword></ChangePasswordRequest>",
    )
    login(client, "carl", "carl's new one")
    error(
        post(
            client,
            "user-context",
            admin,
            "<SetUserContext><UserName>nobody</UserName></SetUserContext>",
        ),
        404,
        "NotFound",
    )
    answer(post(client, "user-context", admin, "<SetUserContext/>"))
    me = performed(client, admin, "UserAccountService", "<GetUserInformationRequest/>")
    assert me.findtext("User/UserName") == "root"


def test_logout_leaves_a_guest_session_and_remove_ends_it(client, session):
    user(session, "dan")
    token = login(client, "dan")
    answer(post(client, "logout", token))
    row = _session_row(session, token)
    assert row.user_id is None and row.ended_at is None
    error(
        perform(client, token, "UserAccountService", "<GetUserInformationRequest/>"),
        401,
        "NotAuthenticated",
    )
    # Still a session: a guest's, which may identify.
    answer(post(client, "identify", token, "<Identify><ClientId>x</ClientId></Identify>"))
    answer(post(client, "remove", token))
    refused = error(
        post(client, "identify", token, "<Identify><ClientId>x</ClientId></Identify>"),
        401,
        "NotAuthenticated",
    )
    assert "log in again" in refused["Message"]


def test_an_idle_session_expires(client, session):
    user(session, "eve")
    token = login(client, "eve")
    performed(client, token, "UserAccountService", "<GetUserInformationRequest/>")
    _idle(session, token, 3601)
    fields = error(
        perform(client, token, "UserAccountService", "<GetUserInformationRequest/>"),
        401,
        "SessionExpired",
    )
    assert "3600 seconds" in fields["Message"]


def test_a_used_session_stays_alive(client, session):
    user(session, "fay")
    token = login(client, "fay")
    _idle(session, token, 3000)
    performed(client, token, "UserAccountService", "<GetUserInformationRequest/>")
    _idle(session, token, 3000, since_last=False)
    performed(client, token, "UserAccountService", "<GetUserInformationRequest/>")


def test_tokens_survive_a_restart_of_the_api(db, settings, session):
    user(session, "gus")
    first = create_app({"SETTINGS": settings, "DATABASE": db, "TESTING": True}).test_client()
    token = login(first, "gus")
    second = create_app({"SETTINGS": settings, "DATABASE": db, "TESTING": True}).test_client()
    me = performed(second, token, "UserAccountService", "<GetUserInformationRequest/>")
    assert me.findtext("User/UserName") == "gus"


def test_wrong_passwords_lock_the_account_and_it_says_so(client, session):
    user(session, "hal")
    for _ in range(4):
        error(
            post(
                client,
                "login",
                None,
                "<Login><UserName>hal</UserName><Password>wrong one!</Password></Login>",
            ),
            401,
            "NotAuthenticated",
        )
    locked = error(
        post(
            client,
            "login",
            None,
            "<Login><UserName>hal</UserName><Password>wrong one!</Password></Login>",
        ),
        403,
        "AccountLocked",
    )
    assert "locked" in locked["Message"] and "hal" in locked["Message"]
    # Even the right password is refused while the lock holds.
    error(
        post(
            client,
            "login",
            None,
            f"<Login><UserName>hal</UserName><Password>{PASSWORD}</Password></Login>",
        ),
        403,
        "AccountLocked",
    )
    session.expire_all()
    hal = session.scalar(select(User).where(User.username == "hal"))
    assert hal.locked_until is not None
    attempts = session.scalars(select(LoginAttempt.succeeded).where(LoginAttempt.username == "hal"))
    assert list(attempts) == [False] * 6


def test_an_unknown_user_and_a_wrong_password_read_the_same(client, session):
    user(session, "ivy")
    unknown = error(
        post(
            client,
            "login",
            None,
            "<Login><UserName>nobody</UserName><Password>whatever1</Password></Login>",
        ),
        401,
        "NotAuthenticated",
    )
    wrong = error(
        post(
            client,
            "login",
            None,
            "<Login><UserName>ivy</UserName><Password>whatever1</Password></Login>",
        ),
        401,
        "NotAuthenticated",
    )
    assert unknown["Message"] == wrong["Message"] == "wrong user name or password"


def test_an_address_with_too_many_failed_logins_waits(client, session):
    session.execute(
        text(
            "INSERT INTO login_attempts (username, remote_address, succeeded)"
            " SELECT 'u' || n, '127.0.0.1', false FROM generate_series(1, 20) n"
        )
    )
    session.commit()
    user(session, "jo")
    response = post(
        client,
        "login",
        None,
        f"<Login><UserName>jo</UserName><Password>{PASSWORD}</Password></Login>",
    )
    fields = error(response, 429, "TooManyRequests")
    assert "127.0.0.1" in fields["Message"]
    assert 1 <= int(response.headers["Retry-After"]) <= 601


def test_housekeeping_deletes_what_is_past_keeping(client, session, db, settings):
    from clearinghouse import maintenance

    user(session, "kit")
    fresh, stale = login(client, "kit"), login(client, "kit")
    _idle(session, stale, settings.session_timeout + 8 * 24 * 3600)
    session.execute(
        text(
            "INSERT INTO login_attempts (username, succeeded, at)"
            " VALUES ('old', false, now() - interval '31 days')"
        )
    )
    session.commit()
    gone = maintenance.tidy(db, settings)
    assert gone["sessions"] == 1 and gone["login_attempts"] == 1
    assert _session_row(session, stale) is None and _session_row(session, fresh) is not None
