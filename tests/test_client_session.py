"""The toolkit's Session and account services against the real server: registration, the session
functions, the user's account, administration, groups and the provider profile."""

from __future__ import annotations

import logging

import pytest
from clearinghouse_client import (
    Address,
    Conflict,
    Forbidden,
    NotAuthenticated,
    NotFound,
    OptionDefinition,
    OrderPolicy,
    Phone,
    Session,
    User,
)
from clearinghouse_client.values import GUESTS

from tests.api_support import PASSWORD
from tests.client_support import logged_in, people


def test_a_guest_registers_logs_in_identifies_and_removes_the_session(live):
    with Session(live, client_id="portal") as guest:
        name = guest.registration.create_user(
            User(
                "kwichma",
                "Keith",
                "Wichmann",
                "kw@example.org",
                addresses=[Address("home", ["1 Main St"], city="Greenbelt", usage="SHIPPING")],
                phones=[Phone("301-555-0100", "WORK")],
            ),
            "a long password 1",
        )
        assert name == "kwichma"
        guest.login("kwichma", "a long password 1")
        me = guest.accounts.get()
        assert (me.username, me.first_name, me.email) == ("kwichma", "Keith", "kw@example.org")
        assert me.addresses[0].street == ["1 Main St"] and me.addresses[0].usage == "SHIPPING"
        assert me.phones == [Phone("301-555-0100", "WORK")]
        guest.identify("portal 2.0")
        assert guest.client_id == "portal 2.0"
        token = guest.token
        assert token and token not in repr(guest)
    with pytest.raises(NotAuthenticated):  # the context manager removed the session
        Session(live, token=token).accounts.get()


def test_the_token_is_never_in_a_repr_or_a_log(live, session, caplog):
    people(session)
    caplog.set_level(logging.DEBUG)
    session = logged_in(live, "ann")
    session.accounts.get()
    token = session.token
    shown = [repr(session), str(session), repr(session.accounts), repr(session._transport)]
    assert not any(token in text for text in shown)
    assert token not in caplog.text
    session.remove()
    assert session.token is None


def test_logout_makes_a_guest_and_a_resumed_token_works(live, session):
    people(session)
    session = logged_in(live, "ann")
    again = Session(live, token=session.token)
    assert again.accounts.get().username == "ann"
    session.logout()
    assert session.username is None
    with pytest.raises(NotAuthenticated):
        again.accounts.get()


def test_provider_and_user_contexts(live, session):
    people(session)
    desk = logged_in(live, "desk")
    with pytest.raises(Forbidden):
        desk.provider_profile.get()
    desk.provider_context("ACME")
    assert desk.provider_profile.get().provider_id == "ACME"
    with pytest.raises(Forbidden, match="may not act for provider"):
        logged_in(live, "ann").provider_context("ACME")
    with pytest.raises(Forbidden, match="only administrators"):
        desk.user_context("ann")
    root = logged_in(live, "root")
    root.user_context("ann")
    assert root.accounts.get().username == "ann"
    root.user_context(None)
    assert root.accounts.get().username == "root"


def test_the_account_service(live, session):
    people(session)
    ann = logged_in(live, "ann")
    ann.accounts.update(first_name="Ann", last_name="Lee")
    assert ann.accounts.add_address(Address("work", ["8800 Greenbelt Rd"], zip="20771")) == "work"
    ann.accounts.update_address(Address("work", ["8801 Greenbelt Rd"], city="Greenbelt"))
    ann.accounts.add_phone(Phone("555-0101"))
    me = ann.accounts.get()
    assert (me.first_name, me.last_name) == ("Ann", "Lee")
    assert me.addresses == [Address("work", ["8801 Greenbelt Rd"], city="Greenbelt")]
    with pytest.raises(Conflict, match="already has an address work"):
        ann.accounts.add_address(Address("work", ["x"]))
    ann.accounts.remove_address("work")
    ann.accounts.remove_phone("555-0101")
    with pytest.raises(NotFound, match="no phone number"):
        ann.accounts.remove_phone("555-0101")
    assert ann.accounts.get().addresses == []
    other = logged_in(live, "ann")
    with pytest.raises(Forbidden, match="wrong password"):
        ann.accounts.change_password("a new long password", old="not it")
    ann.accounts.change_password("a new long password", old=PASSWORD)
    with pytest.raises(NotAuthenticated, match="log in again"):  # its other sessions end
        other.accounts.get()
    ann.logout()
    ann.login("ann", "a new long password")


def test_administration(live, session):
    people(session)
    root = logged_in(live, "root")
    profile = root.admin.create_provider(
        "NEWPROV",
        "ops@new.example.org",
        "ftp password 9",
        name="New",
        policy=OrderPolicy(mode="async", retry_attempts=2),
    )
    assert (profile.name, profile.policy.mode, profile.policy.retry_attempts) == ("New", "async", 2)
    profile = root.admin.update_provider("NEWPROV", ingest_paused=True, name="Newer")
    assert profile.ingest_paused and profile.name == "Newer"
    assert [p.provider_id for p in root.admin.providers("ACME", "NEWPROV")] == ["ACME", "NEWPROV"]
    made = root.admin.create_user(
        User("bob", "Bob", "B", "bob@example.org"), "bob's password 1", provider_roles=["ACME"]
    )
    assert made.provider_roles == ["ACME"] and not made.administrator
    made = root.admin.update_user("bob", administrator=True, active=False, unlock=True)
    assert made.administrator and not made.active
    assert [u.username for u in root.admin.users("bob", "ann")] == ["ann", "bob"]
    with pytest.raises(NotFound, match="no user nobody"):
        root.admin.users("nobody")
    with pytest.raises(Forbidden, match="administrators only"):
        logged_in(live, "ann").admin.users()


def test_groups_and_access_rules(live, session, catalog):
    people(session)
    root = logged_in(live, "root")
    root.provider_context("MADEUP")
    assert root.groups.create("team", "the team") == "team"
    root.groups.add_members("team", "ann", "desk")
    assert root.groups.list("team")[0].members == ["ann", "desk"]
    root.groups.remove_members("team", "desk")
    rule = root.groups.grant("READ", "team", dataset_id="DS 1")
    everyone = root.groups.grant("ORDER", GUESTS)
    rules = {r.id: r for r in root.groups.rules()}
    assert (rules[rule].grantee, rules[rule].dataset_id) == ("team", "DS 1")
    assert (rules[everyone].grantee, rules[everyone].dataset_id) == (GUESTS, None)
    ann = logged_in(live, "ann")
    assert [g.name for g in ann.groups.list()] == ["team"]
    assert ann.groups.list()[0].members == []  # a member does not see who else is in it
    with pytest.raises(Conflict, match="revoke them first"):
        root.groups.delete("team")
    root.groups.revoke(rule)
    root.groups.revoke(everyone)
    root.groups.delete("team")
    assert root.groups.list() == []


def test_provider_profile_and_option_definitions(live, session):
    people(session)
    desk = logged_in(live, "desk")
    desk.provider_context("ACME")
    profile = desk.provider_profile.update(
        name="Acme",
        contact_email="desk@acme.example.org",
        policy=OrderPolicy(endpoint="http://127.0.0.1:9/orders", transactions=["QUOTE", "SUBMIT"]),
    )
    assert profile.policy.transactions == ["QUOTE", "SUBMIT"]
    assert profile.policy.endpoint == "http://127.0.0.1:9/orders"
    definition = OptionDefinition(
        "Delivery",
        type="CHOICE",
        children=[
            OptionDefinition("Ftp", primitive_type="String", encrypted=True, max_value="50"),
            OptionDefinition("Copies", primitive_type="Integer", min_value="1", max_value="5"),
        ],
    )
    stored = desk.provider_profile.set_option_definition(definition)
    assert stored == definition
    listed = desk.provider_profile.option_definitions()
    assert listed == [definition] and listed[0].scope == "ALL"
    desk.provider_profile.remove_option_definition("Delivery")
    assert desk.provider_profile.option_definitions() == []


def test_a_guest_identifying_gets_a_session_of_its_own(live):
    guest = Session(live)
    assert guest.token is None
    guest.identify("kiosk")
    assert guest.token is not None
    guest.remove()
    assert guest.token is None


def test_every_transaction_of_perform_has_its_method():
    """Each (service, transaction) the server's registry offers is sent by the toolkit."""
    from pathlib import Path

    import clearinghouse_client

    from clearinghouse.api.functions import REGISTRY

    root = Path(clearinghouse_client.__file__).parent
    source = "\n".join(p.read_text() for p in root.rglob("*.py"))
    missing = [
        f"{service}/{name}"
        for service, names in REGISTRY.services().items()
        for name in names
        if f'"{name}"' not in source and f"E.{name}(" not in source
    ]
    assert missing == []
